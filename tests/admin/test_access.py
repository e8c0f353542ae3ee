"""Every admin URL, found by walking the URL map (not listed by hand), refuses anyone not signed in; every
state-changing request needs a CSRF token; only the admin role reaches the settings."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kiosk.content import published
from kiosk.editing import writer
from kiosk.extensions import db
from kiosk.models import AuditEntry, Event

from ..helpers import make_user
from ..visits import enrol
from .conftest import TOKEN

PUBLIC = {"admin.login"}
EXAMPLE_VALUES = {
    "event_id": 1,
    "era_id": 1,
    "place_id": 1,
    "number": 1,
    "file_format": "json",
    "name": "gallery-3",
    "lang": "ru",
    "user_id": 1,
    "request_id": 1,
}


def admin_requests(app) -> list[tuple[str, str]]:
    """(method, URL) for every admin rule and method, with real ids filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint in PUBLIC:
            continue
        url = rule.build(EXAMPLE_VALUES, append_unknown=False)[1]
        found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def state(app) -> tuple:
    """What an attacker would like to change, in one comparable value."""
    return (
        published.content_version(),
        db.session.scalar(select(func.count(Event.id)).where(Event.deleted_at.is_(None))),
        # Refusals are audited (see tests/faults/test_security.py); they change nothing else.
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action.not_in(("access.refused", "csrf.refused"))
            )
        ),
    )


def test_the_walk_finds_every_kind_of_admin_url(server):
    found = admin_requests(server)
    assert len(found) >= 20
    assert ("POST", "/admin/events/1/edit") in found and ("GET", "/admin/settings") in found
    assert ("POST", "/admin/eras/1/move") in found and ("POST", "/admin/logout") in found
    # The safety net: history, merging after a conflict, the trash, the audit log, import and backups.
    for expected in [
        ("GET", "/admin/events/1/history"),
        ("POST", "/admin/eras/1/history/1/restore"),
        ("POST", "/admin/events/1/merge"),
        ("POST", "/admin/eras/1/merge"),
        ("POST", "/admin/places/1/edit"),
        ("POST", "/admin/places/1/merge"),
        ("POST", "/admin/places/1/translations/ru"),
        ("POST", "/admin/places/1/history/1/restore"),
        ("POST", "/admin/trash/1/delete"),
        ("GET", "/admin/audit"),
        ("POST", "/admin/import/confirm"),
        ("GET", "/admin/export/json"),
        ("POST", "/admin/backups"),
    ]:
        assert expected in found, expected


def test_every_admin_url_refuses_anonymous_visitors(server, client, app):
    # A real CSRF token from the sign-in page, so it is the sign-in check (not CSRF) that must refuse.
    token = TOKEN.search(client.get("/admin/login").get_data(as_text=True)).group(1)
    before = state(app)
    for method, url in admin_requests(server):
        response = client.open(url, method=method, data={"csrf_token": token, "headline": "x"})
        if method == "POST":  # a form with text in it: the sign-in page itself, which keeps the text
            assert response.status_code == 401, (method, url)
            assert f'action="/admin/login?next={url}"' in response.get_data(as_text=True)
        else:
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/admin/login"), (method, url)
    assert state(app) == before


def test_anonymous_htmx_requests_get_401(client, visitor):
    response = client.get("/admin/events?q=shaft", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/admin/login")  # a list filter may go there
    # A check while typing must not take the curator away from what they typed.
    response = visitor.post("/admin/events/check", {"headline": "x"}, headers={"HX-Request": "true"})
    assert response.status_code == 401 and "HX-Redirect" not in response.headers
    assert "Copy anything you typed somewhere safe" in response.get_data(as_text=True)


def test_after_sign_in_only_addresses_on_this_site_are_followed(visitor, client):
    assert client.get("/admin/").headers["Location"] == "/admin/login?next=/admin/"
    make_user("curator")
    for target, expected in [
        ("/admin/eras", "/admin/eras"),
        ("https://evil.example/phish", "/admin/events"),
        ("//evil.example/phish", "/admin/events"),
        ("/\\evil.example", "/admin/events"),
    ]:
        response = visitor.sign_in(query_string={"next": target})
        assert response.headers["Location"] == expected, target


def test_every_state_change_without_a_csrf_token_is_refused(curator, app):
    posts = [(method, url) for method, url in admin_requests(curator.client.application) if method == "POST"]
    assert posts
    before = state(app)
    for method, url in posts:
        response = curator.client.open(url, method=method, data={"headline": "Changed", "start_year": "1930"})
        assert response.status_code == 400, url
        assert "nothing was saved" in response.get_data(as_text=True)
    # A wrong token is as good as none.
    response = curator.client.post("/admin/events/1/delete", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert state(app) == before


def test_htmx_requests_carry_the_token_in_a_header(curator):
    token = curator.token()
    response = curator.client.post(
        "/admin/text-preview", data={"body": "*hi*"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200 and "<em>hi</em>" in response.get_data(as_text=True)
    assert curator.client.post("/admin/text-preview", data={"body": "*hi*"}).status_code == 400


def test_no_get_changes_anything(curator, app):
    # Seeding recorded revision 1 of event 1 and era 1, so their history and restore pages exist.
    enrol(app, "gallery-3")  # and a kiosk's page
    gets = [url for method, url in admin_requests(curator.client.application) if method == "GET"]
    odd = {"q": "%_", "era": "9" * 30, "status": "gone", "next": "//evil.example"}
    before = state(app)
    for url in gets:
        # Event 1 is not in the trash, so the trash's pages for it do not exist.
        answers = {404} if url.startswith("/admin/trash/") else {200, 403}
        assert curator.client.get(url).status_code in answers, url
        assert curator.client.get(url, query_string=odd).status_code in answers, url
        # NUL can be in no stored text: refused plainly before the view (PostgreSQL cannot even query it).
        assert curator.client.get(url, query_string={"q": "%_\x00"}).status_code == 400, url
    assert state(app) == before
    event = db.session.get(Event, 1)
    writer.move_event_to_trash(event, event.version)
    before = state(app)
    for url in gets:
        if url.startswith("/admin/trash/"):
            assert curator.client.get(url).status_code == 200, url
            assert curator.client.get(url, query_string=odd).status_code == 200, url
    assert state(app) == before


def test_absurd_ids_in_addresses_are_a_plain_404(curator):
    for url in ("/admin/events/99999999999999999999/edit", "/admin/eras/99999999999999999999/edit"):
        assert curator.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/admin/settings", "/admin/accounts", "/admin/accounts/new"])
def test_settings_and_accounts_are_for_the_admin_role_only(curator, url):
    response = curator.get(url)
    assert response.status_code == 403
    assert "Only administrators can open this page." in response.get_data(as_text=True)
    typed = {
        "idle_seconds": "45",
        "username": "mine",
        "role": "admin",
        "password": "coal-seam lamp 1935 pick",
    }
    assert curator.post(url, typed).status_code == (405 if url == "/admin/accounts" else 403)


def test_admin_pages_send_the_strict_security_headers(curator):
    response = curator.get("/admin/events")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert ' style="' not in response.get_data(as_text=True)  # the CSP would block inline styles


GARBAGE = ["", "\x00", "-1", "99999999999999999999999", "1e9", "<b>", "Ω" * 5000, "../../etc/passwd"]


@pytest.mark.parametrize("value", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_in_every_field_of_every_form_never_breaks_anything(curator, app, value):
    fields = [
        "headline", "slug", "start_year", "start_month", "start_day", "end_year", "end_month", "end_day",
        "display_date", "era", "summary", "body", "sources", "confidence", "featured", "postscript", "status",
        "image_alt", "image_caption", "image_credit", "remove_image", "version", "name", "colour",
        "description", "direction", "idle_seconds", "touched", "image_chosen",
    ]  # fmt: skip
    before = state(app)
    for method, url in admin_requests(curator.client.application):
        if method == "POST" and url != "/admin/logout":
            response = curator.post(url, dict.fromkeys(fields, value))
            assert response.status_code < 500, (url, value)
    assert state(app) == before
