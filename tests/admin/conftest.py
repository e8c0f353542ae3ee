"""Admin fixtures: a curator driving the test client, CSRF tokens included as a browser would send them."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from html import unescape
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest

from kiosk.extensions import db
from kiosk.models import Role

from ..conftest import make_app
from ..helpers import PASSWORD, an_era, make_user

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(server):
    return server.test_client()


class Curator:
    """A person at the admin in a browser: signs in, reads the forms' CSRF token, posts forms."""

    def __init__(self, client):
        self.client = client
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            page = self.client.get("/admin/login", follow_redirects=True).get_data(as_text=True)
            self._token = TOKEN.search(page).group(1)
        return self._token

    def sign_in(self, username: str = "curator", password: str = PASSWORD, **extra):
        response = self.client.post(
            "/admin/login",
            data={"username": username, "password": password, "csrf_token": self.token()},
            **extra,
        )
        self._token = None  # a new session comes with a new token
        return self._seen(response)

    def get(self, url: str, **extra):
        return self._seen(self.client.get(url, **extra))

    def post(self, url: str, data: dict | None = None, **extra):
        return self._seen(self.client.post(url, data={"csrf_token": self.token()} | (data or {}), **extra))

    @staticmethod
    def _seen(response):
        db.session.expire_all()  # the test's own session then reads what the server wrote
        return response


@pytest.fixture
def visitor(client) -> Curator:
    """Someone with a browser but no account."""
    return Curator(client)


@pytest.fixture
def curator(client) -> Curator:
    make_user("curator", Role.EDITOR)
    person = Curator(client)
    assert person.sign_in().status_code == 302
    return person


@pytest.fixture
def administrator(client) -> Curator:
    make_user("boss", Role.ADMIN)
    person = Curator(client)
    assert person.sign_in("boss").status_code == 302
    return person


@pytest.fixture
def colleague(server) -> Curator:
    """A second curator at another computer."""
    make_user("anna", Role.EDITOR)
    person = Curator(server.test_client())
    assert person.sign_in("anna").status_code == 302
    return person


@pytest.fixture
def impatient(app, data_dir):
    """The admin as served (its error pages too), but waiting only a moment for another change's lock."""
    served = make_app(data_dir, DATABASE_LOCK_TIMEOUT_MS=300, SHOW_ERROR_PAGES=True)
    yield served
    with served.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def impatient_curator(impatient) -> Curator:
    """A curator signed in to the impatient admin."""
    make_user("curator", Role.EDITOR)
    curator = Curator(impatient.test_client())
    assert curator.sign_in().status_code == 302
    return curator


@contextmanager
def database_kept_busy(table: str = "event"):
    """Another change holding the write lock: SQLite's on the database, PostgreSQL's on ``table`` (which
    lets everyone read it, and write anything else)."""
    with db.engine.connect() as holder:
        if holder.dialect.name == "sqlite":
            holder.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            holder.exec_driver_sql(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        try:
            yield
        finally:
            holder.rollback()


def upload(person: Curator, path: Path, name: str | None = None, data: bytes | None = None):
    """Send a file to the import page (its own bytes, or ``data`` under its name or ``name``)."""
    file = (BytesIO(path.read_bytes() if data is None else data), name or path.name)
    return person.post("/admin/import", {"file": file})


def staged(data_dir: Path) -> list[Path]:
    """The uploads kept waiting for a curator to confirm their import."""
    folder = data_dir / "imports"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def event_form(**overrides) -> dict:
    """What a curator types for a plain, valid draft event."""
    return {
        "headline": "A new shaft is opened",
        "start_year": "1931",
        "start_month": "",
        "start_day": "",
        "end_year": "",
        "end_month": "",
        "end_day": "",
        "display_date": "",
        "era": str(an_era().id),
        "summary": "The Central-Irmino mine opens a new shaft.",
        "body": "A *short* text.",
        "sources": "A mine history, 1960\nA newspaper, 1931",
        "confidence": "",
        "status": "draft",
        "image_alt": "",
        "image_caption": "",
        "image_credit": "",
        "slug": "",
        "action": "save",
    } | overrides


class _FormReader(HTMLParser):
    """What a browser would send from one form: hidden and text inputs, checked boxes, textareas."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.values = action, False, {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        elif self.inside and tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")
        elif not self.inside or not attrs.get("name"):
            return
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "input" and attrs.get("type") in {"radio", "checkbox"}:
            if "checked" in attrs:
                self.values[attrs["name"]] = attrs.get("value", "on")
        elif tag == "input" and attrs.get("type") not in {"file", "submit"}:
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.values[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # Browsers drop the newline that follows <textarea>.
            self.values[self._textarea] = re.sub(r"^\r?\n", "", self.values[self._textarea])
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def form_values(html: str, action: str) -> dict:
    """The values the form posting to ``action`` holds, as a browser would send them (without the CSRF
    token: Curator.post adds its own)."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.values, f"no form posting to {action}"
    reader.values.pop("csrf_token", None)
    return reader.values


SIGN_IN_ACTION = re.compile(r'<form method="post" action="(/admin/login[^"]*)"')


def signed_out_by_a_long_pause(client) -> None:
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 31 * 60


def token_of(page: str) -> str:
    return TOKEN.search(page).group(1)


def sign_in_from(client, page: str, username: str = "curator", password: str = PASSWORD):
    """Sign in on a sign-in page as a browser would send its form (with whatever it carries)."""
    action = SIGN_IN_ACTION.search(page).group(1)
    fields = form_values(page, action)
    return client.post(
        unescape(action),
        data=fields | {"username": username, "password": password, "csrf_token": token_of(page)},
    )


def loaded_settings(administrator) -> dict:
    """The fingerprint of the settings the form was loaded from, as a browser sends it back."""
    page = administrator.get("/admin/settings").get_data(as_text=True)
    return {"loaded": form_values(page, "/admin/settings")["loaded"]}
