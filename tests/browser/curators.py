"""What the admin tests do in a real browser: sign in, and pick a photograph to upload."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from ..helpers import PASSWORD, photo


def sign_in(page: Page, live_server, username: str = "curator") -> None:
    """Open the admin, get sent to sign in, sign in: the list of events."""
    page.goto(live_server.url + "/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login\?next="))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Events", level=1)).to_be_visible()


def photo_file(folder: Path) -> str:
    """A photograph on disk, as a curator picks one to upload."""
    path = folder / "pithead.jpg"
    path.write_bytes(photo(size=(1600, 1200)))
    return str(path)
