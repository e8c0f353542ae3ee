"""Admin fixtures: a curator driving the test client, CSRF tokens included as a browser would send them."""

from __future__ import annotations

import re

import pytest

from kiosk.extensions import db
from kiosk.models import Role

from ..conftest import make_app
from ..helpers import PASSWORD, an_era, make_user

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def server(app, data_dir):
    """The app as a server runs it, apart from the test's own app context: every request gets a fresh
    context, so nothing (the signed-in user, the CSRF token) is carried over in ``g`` between requests."""
    served = make_app(data_dir)
    yield served
    with served.app_context():
        db.session.remove()
        db.engine.dispose()


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
