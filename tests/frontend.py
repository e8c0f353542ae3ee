"""For the tests of our scripts: the front-end build (frontend/build.mjs, esbuild), and a page's fragment
as the service worker keeps it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from kiosk.timeline import addresses

ROOT = Path(__file__).resolve().parents[1]


def node() -> str:
    found = shutil.which("node")
    assert found, "Node.js is part of the set-up (make setup)"
    return found


def build(folder: Path, metafile: Path | None = None) -> Path:
    """Today's sources built into ``folder`` (and esbuild's account of every module's imports into
    ``metafile``), as make builds them into static/build/."""
    command = [node(), "frontend/build.mjs", str(folder), *([str(metafile)] if metafile else [])]
    subprocess.run(command, cwd=ROOT, check=True, timeout=120)
    return folder


def carried_fragment(page: str) -> str | None:
    """What the service worker keeps of a page as its fragment (frontend/js/sw.js): the text between the
    marks the server declares, as it stands."""
    start, end = map(str, addresses.FRAGMENT)
    if start not in page:
        return None
    return page.split(start, 1)[1].split(end, 1)[0]


def shown(page: str) -> str:
    """A page without the fragment it carries for the offline copy (a template element, never shown)."""
    fragment = carried_fragment(page)
    start, end = map(str, addresses.FRAGMENT)
    return page if fragment is None else page.replace(start + fragment + end, "", 1)
