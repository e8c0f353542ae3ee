"""Proxies and TLS: forwarded headers believed only as configured (gunicorn itself believes none), HSTS
when the kiosk is served over HTTPS, and a curator warned before sending a password unencrypted."""

from __future__ import annotations

import pytest

from kiosk.extensions import db

from ..conftest import make_app
from .conftest import get

FROM_ELSEWHERE = {"REMOTE_ADDR": "192.0.2.40"}


@pytest.fixture
def app_with(data_dir):
    """Apps on this test's data folder with settings of its choice, their connections closed after."""
    made = []

    def make(**settings):
        made.append(make_app(data_dir, **settings))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def test_hsts_is_sent_only_when_the_kiosk_is_served_over_https(app_with):
    plain = app_with().test_client()
    assert "Strict-Transport-Security" not in plain.get("/admin/login").headers
    secure = app_with(SESSION_COOKIE_SECURE=True).test_client()
    for url in ("/", "/admin/login", "/version"):
        assert secure.get(url).headers["Strict-Transport-Security"] == "max-age=31536000", url


def test_signing_in_over_plain_http_from_another_machine_is_warned_about(app_with):
    client = app_with().test_client()
    warning = "This connection is not encrypted"
    assert warning in client.get("/admin/login", environ_base=FROM_ELSEWHERE).get_data(as_text=True)
    assert warning not in client.get("/admin/login").get_data(as_text=True)  # at the kiosk's own computer
    https = client.get("/admin/login", environ_base=FROM_ELSEWHERE, base_url="https://kiosk.example")
    assert warning not in https.get_data(as_text=True)


def test_behind_a_trusted_proxy_https_is_recognised_and_not_warned_about(app_with):
    page = (
        app_with(TRUSTED_PROXIES=1)
        .test_client()
        .get(
            "/admin/login",
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.41"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
    )
    assert "This connection is not encrypted" not in page.get_data(as_text=True)
    assert "Secure" in page.headers["Set-Cookie"]


@pytest.mark.gunicorn
@pytest.mark.sqlite_only
def test_gunicorn_does_not_believe_a_forwarded_scheme_without_the_setting(gunicorn, data_dir):
    server = gunicorn(workers=1)
    status, _body, headers = get(server.url + "/admin/login", headers={"X-Forwarded-Proto": "https"})
    assert status == 200
    assert "Secure" not in headers["Set-Cookie"]  # the session cookie: the request was not HTTPS
