"""Hostile input at every endpoint that takes some: never an unexpected 500.

The app here propagates exceptions (TESTING), so anything our error pages would have covered up fails
the test with its traceback instead of passing as a tidy page.
"""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import pytest

from kiosk.admin import forms
from kiosk.editing import writer
from kiosk.extensions import db
from kiosk.interchange import importers, kiosk_json
from kiosk.models import AuditEntry, Event, Role

from ..admin.conftest import Curator
from ..fixture_timeline import FIXTURE
from ..helpers import make_user

HOSTILE_TEXT = [
    "99999999999999999999999",
    "-99999999999999999999999",
    "1e400",
    "NaN",
    "0x7fffffff",
    "²",
    "١٢٣",
    "9" * 5000,
    "\x00",
    "a\x00b",
    "\ufffd\ud7ff\U0001f600",
    "‮gnp.exe",
    "../../../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%s%s%n",
    "ok-slug\n",
    "#aabbcc\n",
    "",
    " ",
]
# Raw, already percent-encoded: invalid UTF-8, an overlong slash, an encoded NUL and slash.
HOSTILE_ENCODED = ["%ff%fe", "%c0%af", "%00", "..%2f..%2f", "%e2%80", "%" * 3]
HOSTILE_HEADERS = [
    {"HX-Request": "\x01"},
    {"Accept-Language": "x" * 5000 + ";q=nan, *;q=-1"},
    {"Accept-Encoding": "br;q=2, gzip;q=abc, *"},
    {"If-None-Match": '"' + "z" * 3000},
    {"If-Modified-Since": "Tue, 99 Zzz 99999 99:99:99 GMT"},
    {"Cookie": "session=" + "A" * 4000},
]


def visitor_urls(app) -> list[str]:
    """Every visitor GET rule, with each argument and a query parameter replaced by hostile values."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin.") or "GET" not in rule.methods:
            continue
        path = rule.rule
        values = [quote(value, safe="") for value in HOSTILE_TEXT] + HOSTILE_ENCODED
        for value in values:
            filled = path
            for argument in rule.arguments:
                filled = filled.replace(f"<path:{argument}>", value).replace(f"<{argument}>", value)
            urls.append(filled)
            base = filled if rule.arguments else path
            urls += [f"{base}?start={value}", f"{base}?v={value}&start=1&start={value}"]
    return urls


def test_hostile_addresses_and_queries_on_every_visitor_endpoint(app, client):
    urls = [
        *visitor_urls(app),
        f"/eras/{FIXTURE.first_era}?start=99999999999999999999999",  # past the database's integers
        f"/eras/{FIXTURE.first_era}?start=-1",
        "/events/" + "a" * 10000,
        "/media/" + "f" * 64 + "-large.webp",
        "/media/..%2fkiosk.sqlite3-large.webp",
    ]
    assert len(urls) > 300
    for url in urls:
        response = client.get(url, buffered=True)
        assert response.status_code < 500, url


def test_the_overflowing_era_start_is_an_ordinary_not_found(client):
    era = db.session.scalar(db.select(Event).order_by(Event.id)).era
    assert client.get(f"/eras/{era.slug}?start=99999999999999999999999").status_code == 404
    assert client.get(f"/eras/{era.slug}?start=-99999999999999999999999").status_code == 200


HOSTILE_BODIES = [
    b"",
    b"not json",
    b"\xff\xfe\x00",
    b"[" * 5000 + b"]" * 5000,
    b'{"events": ' + b"[" * 1000 + b"]" * 1000 + b"}",
    b"99999999999999999999999999999999999",
    b'"a string"',
    b"[]",
    b'{"events": "not a list", "kiosk": 5}',
    b'{"events": [{"kind": "\\u0000", "at": 1e400, "slug": ["x"], "seconds": -99999999999999999999}]}',
    b'{"kiosk": "' + b"k" * 100_000 + b'", "version": null, "screen": {"width": "wide"}}',
    b'{"kiosk": "\\ud800", "errors": [{"message": {"deep": true}}]}',
]


def test_hostile_bodies_on_every_visitor_endpoint_that_takes_one(app, client):
    posts = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.endpoint.startswith("admin.") and not rule.arguments
    ]
    assert posts, "the kiosks report to the server"
    for url in posts:
        for body in HOSTILE_BODIES:
            for content_type in ("application/json", "text/plain"):
                response = client.post(url, data=body, content_type=content_type)
                assert response.status_code < 500, (url, body[:60], content_type)


def test_hostile_headers_on_visitor_pages(client):
    for headers in HOSTILE_HEADERS:
        for url in ("/", "/version", "/offline.json", "/theme.css", "/healthz"):
            assert client.get(url, headers=headers, buffered=True).status_code < 500, (url, headers)


@pytest.fixture
def person(server):
    return Curator(server.test_client())


def test_hostile_sign_ins(person):
    make_user("curator")
    # Every attempt costs an argon2 hash (about half a second): the values that reach the most code.
    for value in ("9" * 5000, "a\x00b", "\ufffd\ud7ff\U0001f600", "' OR 1=1 --", "curator\n", ""):
        response = person.client.post(
            "/admin/login", data={"username": value, "password": value, "csrf_token": person.token()}
        )
        assert response.status_code in (200, 400, 422, 429), repr(value[:40])


def test_hostile_queries_on_admin_lists(person):
    make_user("curator", Role.ADMIN)
    assert person.sign_in().status_code == 302
    for value in HOSTILE_TEXT:
        for url in ("/admin/events", "/admin/audit", "/admin/eras", "/admin/trash"):
            query = {
                "q": value,
                "era": value,
                "status": value,
                "page": value,
                "since": value,
                "action": value,
            }
            assert person.get(url, query_string=query).status_code in (200, 400, 422), (url, repr(value[:40]))


def test_hostile_event_and_era_fields_are_refused_and_change_nothing(person):
    make_user("curator")
    assert person.sign_in().status_code == 302
    before = (
        db.session.scalar(db.select(db.func.max(Event.version))),
        db.session.scalar(db.select(db.func.count(AuditEntry.id))),
    )
    for value in HOSTILE_TEXT:
        event_fields = {
            "headline": value,
            "start_year": value,
            "start_month": value,
            "slug": value,
            "era": value,
            "version": value,
        }
        assert person.post("/admin/events/1/edit", event_fields).status_code in (200, 400, 409, 422)
        era_fields = {
            "name": "Early years",
            "slug": value,
            "colour": value,
            "start_year": value,
            "end_year": value,
            "version": value,
        }
        assert person.post("/admin/eras/1/edit", era_fields).status_code in (200, 400, 409, 422)
    after = (
        db.session.scalar(db.select(db.func.max(Event.version))),
        db.session.scalar(db.select(db.func.count(AuditEntry.id))),
    )
    assert after == before


def test_slugs_and_colours_with_a_trailing_newline_are_refused(app):
    document = FIXTURE.document()
    document["eras"][0]["slug"] += "\n"
    document["eras"][1]["colour"] = "#2d3142\n"
    document["events"][0]["slug"] += "\n"
    with pytest.raises(importers.ImportRefused) as refused:
        importers.run(json.dumps(document).encode(), source="newlines.json", dry_run=True)
    assert len(refused.value.problems) >= 3
    for pattern, good in (
        (writer.SLUG, FIXTURE.record_era),
        (kiosk_json.COLOUR, "#2d3142"),
        (forms.COLOUR, "#2d3142"),
    ):
        assert pattern.match(good) and not pattern.match(good + "\n")


def wrong_typed_documents() -> dict[str, bytes]:
    """Our JSON with one item of the wrong type each (each kind a reviewer tried), and nesting 1,000 deep."""
    cases = {
        "headline-list.json": ("events", "headline", ["a list"]),
        "body-list.json": ("events", "body", ["a list"]),
        "image-string.json": ("events", "image", "a string"),
        "start-list.json": ("events", "start", [1935]),
        "colour-number.json": ("eras", "colour", 5),
    }
    documents = {}
    for name, (kind, field, value) in cases.items():
        document = FIXTURE.document()
        document[kind][0][field] = value
        documents[name] = json.dumps(document).encode()
    documents["nested-1000.json"] = b"[" * 1000 + b"]" * 1000
    return documents


def test_wrong_typed_items_are_listed_as_problems_like_any_other(person):
    make_user("curator")
    assert person.sign_in().status_code == 302
    for name, data in wrong_typed_documents().items():
        response = person.post(
            "/admin/import", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
        )
        assert response.status_code == 422, name
        assert "Nothing was imported" in response.get_data(as_text=True), name


def test_hostile_import_uploads_are_listed_as_problems(person):
    make_user("curator")
    assert person.sign_in().status_code == 302
    uploads = {
        "deep.json": b"[" * 100 + b"]" * 100,
        "binary.json": bytes(range(256)) * 10,
        "not-utf8.csv": "Year,Headline\n1935,Рекорд\n".encode("cp1251"),
        "nul.csv": b"Year,Headline\n1935,\x00\x00\n",
        "number.json": b"99999999999999999999999999999999",
        "string.json": json.dumps("a kiosk timeline").encode(),
    }
    for name, data in uploads.items():
        response = person.post(
            "/admin/import", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
        )
        assert response.status_code in (200, 422), name


def test_a_nul_character_is_refused_plainly_before_any_view(client):
    """PostgreSQL cannot hold NUL even in a query: it never reaches one, on any database."""
    for url in ("/events/%00", "/?q=a%00b", f"/eras/{FIXTURE.first_era}?start=%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "does not accept (NUL)" in response.get_data(as_text=True)
