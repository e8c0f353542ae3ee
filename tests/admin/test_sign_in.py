"""Signing in and out: a new session each time, timeouts, and failed attempts limited across workers."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from kiosk.accounts import login_limits, users
from kiosk.extensions import db
from kiosk.models import AuditEntry, LoginAttempt, utcnow

from ..conftest import make_app
from ..helpers import PASSWORD, make_user
from .conftest import Curator


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def last_audit() -> AuditEntry:
    return db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))


def test_the_sign_in_page_has_the_expected_fields(client):
    html = client.get("/admin/login").get_data(as_text=True)
    assert '<label class="field__label" for="username">Username</label>' in html
    assert '<label class="field__label" for="password">Password</label>' in html
    assert '<button class="button button--primary" type="submit">Sign in</button>' in html


def test_signing_in_starts_a_new_session_and_an_old_cookie_is_useless(visitor, client, server):
    make_user("curator")
    visitor.token()  # the sign-in page put a (pre-login) session cookie in the browser
    before = session_cookie(client)
    assert before
    response = visitor.sign_in()
    assert response.status_code == 302 and response.headers["Location"] == "/admin/events"
    after = session_cookie(client)
    assert after and after != before
    assert client.get("/admin/events").status_code == 200
    assert last_audit().action == "sign-in" and last_audit().username == "curator"

    # Someone who copied the cookie from before sign-in (or planted it) gets nothing from it.
    attacker = server.test_client()
    attacker.set_cookie("session", before)
    assert attacker.get("/admin/events").headers["Location"].startswith("/admin/login")


def test_a_wrong_password_gets_a_plain_message_and_is_counted(visitor):
    make_user("curator")
    response = visitor.sign_in(password="not the password at all")
    assert response.status_code == 200
    assert "The username or password is not right." in response.get_data(as_text=True)
    assert last_audit().action == "sign-in.failed" and last_audit().target == "user curator"
    scopes = set(db.session.scalars(select(LoginAttempt.scope)))
    assert scopes == {"account:curator", "address:127.0.0.1"}


def test_session_cookie_is_httponly_lax_and_secure_over_https(server, app):
    make_user("curator")
    plain = Curator(server.test_client())
    cookie = plain.sign_in().headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie

    secure = Curator(server.test_client())
    secure.client.environ_base["wsgi.url_scheme"] = "https"
    cookie = secure.client.post(
        "/admin/login", base_url="https://localhost",
        data={"username": "curator", "password": PASSWORD, "csrf_token": secure.token()},
    ).headers["Set-Cookie"]  # fmt: skip
    assert "Secure" in cookie


def test_signing_out_ends_the_session_everywhere(curator, client, server):
    stolen = session_cookie(client)
    response = curator.post("/admin/logout")
    assert response.headers["Location"] == "/admin/login"
    assert client.get("/admin/events").status_code == 302
    replay = server.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/admin/events").headers["Location"].startswith("/admin/login")


def test_a_password_change_ends_existing_sessions(curator, client, app):
    assert client.get("/admin/events").status_code == 200
    users.set_password("curator", "a different long passphrase")
    db.session.commit()
    assert client.get("/admin/events").headers["Location"].startswith("/admin/login")


@pytest.mark.parametrize(
    ("key", "age", "message"),
    [
        ("seen_at", 31 * 60, "You were signed out after 30 minutes without activity."),
        ("signed_in_at", 13 * 3600, "You were signed out because you signed in more than 12 hours ago."),
    ],
)
def test_idle_and_old_sessions_end(curator, client, key, age, message):
    with client.session_transaction() as session:
        session[key] = int(time.time()) - age
    response = client.get("/admin/events")
    assert response.headers["Location"].startswith("/admin/login")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert client.get("/admin/events").status_code == 302  # really signed out


def test_activity_keeps_the_session_alive(curator, client):
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 29 * 60
    assert client.get("/admin/events").status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session["seen_at"] < 60


@pytest.fixture
def strict_limits(server):
    server.config |= {"LOGIN_FAILURES_PER_ACCOUNT": 3, "LOGIN_FAILURES_PER_ADDRESS": 5}


def test_failures_per_account_are_limited_with_429(visitor, strict_limits):
    make_user("curator")
    for _attempt in range(3):
        assert visitor.sign_in(password="guessing wrongly").status_code == 200
    response = visitor.sign_in()  # even the right password waits now
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many failed sign-ins" in html and "please wait 15 minutes" in html
    assert last_audit().action == "sign-in.blocked"
    assert visitor.client.get("/admin/events").status_code == 302


def test_failures_per_address_are_limited_across_accounts(visitor, strict_limits):
    make_user("curator")
    for number in range(5):
        visitor.sign_in(username=f"guess{number}", password="guessing wrongly")
    assert visitor.sign_in().status_code == 429


def test_the_count_is_shared_by_every_worker(visitor, server, data_dir, strict_limits):
    """Two app instances on one database, as gunicorn's workers are: failures at one count at the other."""
    make_user("curator")
    other_worker = make_app(data_dir, LOGIN_FAILURES_PER_ACCOUNT=3)
    elsewhere = Curator(other_worker.test_client())
    for _attempt in range(2):
        visitor.sign_in(password="guessing wrongly")
    elsewhere.sign_in(password="guessing wrongly")
    assert visitor.sign_in().status_code == 429
    assert elsewhere.sign_in().status_code == 429
    with other_worker.app_context():
        db.engine.dispose()


def test_old_failures_stop_counting_and_success_clears_the_account(visitor, strict_limits, app):
    make_user("curator")
    for _attempt in range(3):
        visitor.sign_in(password="guessing wrongly")
    db.session.execute(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    assert visitor.sign_in().status_code == 302
    # The old failures are gone, and a successful sign-in leaves no count behind for account or address.
    assert db.session.scalars(select(LoginAttempt)).all() == []


def test_a_success_forgives_the_account_but_not_the_address(visitor, strict_limits):
    make_user("curator")
    for _attempt in range(2):
        visitor.sign_in(password="guessing wrongly")
    visitor.sign_in(username="someone-else", password="guessing wrongly")
    assert visitor.sign_in().status_code == 302
    scopes = sorted(db.session.scalars(select(LoginAttempt.scope)))
    assert scopes == ["account:someone-else"] + ["address:127.0.0.1"] * 3


@pytest.fixture
def password_checks(monkeypatch) -> list[str]:
    """Every argon2 verification the server makes, from any thread (a list's append is atomic)."""
    checks: list[str] = []
    verify = PasswordHasher.verify

    def counted(hasher, password_hash, password):
        checks.append(password)
        return verify(hasher, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    return checks


@pytest.mark.parametrize(
    ("usernames", "limit", "scope"),
    [
        (["curator"] * 16, 5, "account:curator"),
        ([f"guess{number}" for number in range(30)], 20, "address:127.0.0.1"),
    ],
    ids=["one account", "one address"],
)
def test_concurrent_wrong_passwords_never_outrun_the_limit(server, password_checks, usernames, limit, scope):
    """Many guesses at once, each in its own thread and database connection, as gunicorn's workers and
    threads would take them: only the limit's number of them gets a password checked."""
    make_user("curator")
    browsers = [Curator(server.test_client()) for _name in usernames]
    tokens = [browser.token() for browser in browsers]
    together = threading.Barrier(len(browsers))

    def guess(browser: Curator, username: str, token: str) -> int:
        together.wait()
        form = {"username": username, "password": "guessing wrongly", "csrf_token": token}
        return browser.client.post("/admin/login", data=form).status_code

    with ThreadPoolExecutor(len(browsers)) as pool:
        statuses = list(pool.map(guess, browsers, usernames, tokens))

    assert len(password_checks) == limit
    assert sorted(statuses) == [200] * limit + [429] * (len(usernames) - limit)
    db.session.expire_all()
    counted = db.session.scalar(select(func.count()).where(LoginAttempt.scope == scope))
    assert counted == limit


def test_default_limits_are_modest(app):
    assert login_limits.DEFAULTS == {
        "LOGIN_FAILURES_PER_ACCOUNT": 5,
        "LOGIN_FAILURES_PER_ADDRESS": 20,
        "LOGIN_WINDOW_MINUTES": 15,
    }
