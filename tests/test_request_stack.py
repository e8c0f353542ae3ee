"""The layers in front of Flask, in the order a request meets them: request ids outermost, so that every
answer carries one, from whichever layer it comes; work after a response once it is sent."""

from __future__ import annotations

import errno
import inspect
import re

import pytest
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from kiosk.extensions import db
from kiosk.telemetry import analytics
from kiosk.web.assets import StaticFiles
from kiosk.web.caching import SharedResponses
from kiosk.web.errors import RequestIds

from .conftest import make_app
from .visits import enrol, event, now_ms, send

REQUEST_ID = re.compile(r"[0-9a-f]{16}")


def layer_chain(app: Flask) -> list[type]:
    """The WSGI layers around Flask, outermost first, found by following each one to the next."""
    chain, layer = [], app.wsgi_app
    while not (inspect.ismethod(layer) and layer.__self__ is app):  # Flask's own wsgi_app, the last
        chain.append(type(layer))
        inner = ("wsgi_app", "application", "app")  # ours, WhiteNoise's, werkzeug's
        layer = next(getattr(layer, name) for name in inner if hasattr(layer, name))
    return chain


def inner_layer(app: Flask, kind: type):
    layer = app.wsgi_app
    while not isinstance(layer, kind):
        layer = getattr(layer, "wsgi_app", None) or getattr(layer, "application", None) or layer.app
    return layer


def test_request_ids_are_outermost_then_static_files_then_replays(app):
    assert layer_chain(app) == [RequestIds, StaticFiles, SharedResponses]


def test_behind_a_proxy_its_headers_are_read_before_any_other_layer_reads_the_request(data_dir):
    assert layer_chain(make_app(data_dir, TRUSTED_PROXIES=1)) == [
        RequestIds,
        ProxyFix,
        StaticFiles,
        SharedResponses,
    ]


def test_without_the_page_cache_nothing_is_replayed(data_dir):
    assert layer_chain(make_app(data_dir, PAGE_CACHE=False)) == [RequestIds, StaticFiles]


def test_a_replayed_page_carries_a_request_id_of_its_own(app, client):
    entered_flask = []
    app.before_request(lambda: entered_flask.append(1) and None)
    first, replayed = client.get("/"), client.get("/")
    assert entered_flask == [1]  # the second answer came from the replay layer
    assert replayed.get_data() == first.get_data()
    assert REQUEST_ID.fullmatch(replayed.headers["X-Request-Id"])
    assert replayed.headers["X-Request-Id"] != first.headers["X-Request-Id"]


def test_a_static_file_refused_before_flask_carries_a_request_id(app, client):
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', client.get("/").get_data(as_text=True)).group(1)
    refused = client.post(stylesheet)
    assert refused.status_code == 405 and "Allow" in refused.headers  # WhiteNoise's answer
    assert REQUEST_ID.fullmatch(refused.headers["X-Request-Id"])
    missing = client.get("/static/no-such-file.css")
    assert missing.status_code == 404 and REQUEST_ID.fullmatch(missing.headers["X-Request-Id"])
    # A file served is the same for everyone and kept for a year: no id (each one costs first-load bytes).
    with client.get(stylesheet) as served:
        assert served.status_code == 200 and "X-Request-Id" not in served.headers


@pytest.fixture
def shown_app(data_dir, database_url):
    """As in production: a fault gets its error page instead of propagating."""
    app = make_app(data_dir, SQLALCHEMY_DATABASE_URI=database_url, SHOW_ERROR_PAGES=True)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_fault_in_the_static_layer_gets_the_kiosk_page_and_a_request_id(shown_app, caplog):
    client = shown_app.test_client()
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', client.get("/").get_data(as_text=True)).group(1)

    def unreadable(*_args):
        raise OSError(errno.EIO, "Input/output error", stylesheet)

    inner_layer(shown_app, StaticFiles).serve = unreadable
    response = client.get(stylesheet)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "having a rest" in response.get_data(as_text=True)
    request_id = response.headers["X-Request-Id"]
    assert REQUEST_ID.fullmatch(request_id)
    assert any(request_id in record.getMessage() for record in caplog.records)


def test_the_analytics_tidy_runs_once_the_answer_is_sent_and_at_most_hourly(app, client, monkeypatch):
    kiosk = enrol(app)
    tidied = []
    monkeypatch.setattr(analytics, "tidy", lambda: tidied.append(1))
    response = send(client, kiosk, [event("session-start", now_ms() - 5000)])
    assert response.status_code == 202
    assert tidied == []  # the kiosk's answer is not held up by it
    response.close()  # what the server does once the last byte is sent
    assert tidied == [1]
    send(client, kiosk, [event("session-start", now_ms() - 4000, session="b" * 32)]).close()
    assert tidied == [1]  # not again within the hour
