"""Visitor pages are cached by content version and revalidated by ETag; static files are immutable."""

import gzip
import re
import threading

import brotli
from flask import render_template_string
from sqlalchemy import event as sa_event

from kiosk.extensions import db
from kiosk.web.caching import ContentVersionReader, VersionedCache, cached_page

from .fixture_timeline import FIXTURE
from .helpers import make_event

EVENT = f"/events/{FIXTURE.record_event}"
HTMX = {"HX-Request": "true"}


def test_visitor_pages_carry_no_session_token_and_set_no_cookie(client):
    for path, headers in (("/", {}), (EVENT, {}), (EVENT, HTMX)):
        response = client.get(path, headers=headers)
        assert "csrf" not in response.get_data(as_text=True).lower()
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "no-cache"


def test_an_unchanged_page_is_revalidated_with_a_bodiless_304(client):
    first = client.get("/")
    etag = first.headers["ETag"]
    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    # The fragment of the same URL is a different document with a different tag.
    assert client.get(EVENT, headers=HTMX).headers["ETag"] != client.get(EVENT).headers["ETag"]


def test_publishing_changes_the_pages_at_once(client):
    before = client.get("/")
    assert "Brand-new headline" not in before.get_data(as_text=True)
    make_event(headline="Brand-new headline")
    after = client.get("/", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "Brand-new headline" in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_cached_page_is_the_page_rendered(app, client):
    rendered = client.get(EVENT).get_data()
    assert len(app.extensions["page_cache"]) >= 1
    assert client.get(EVENT).get_data() == rendered


def test_pages_are_sent_compressed_to_browsers_that_accept_it(client):
    plain = client.get("/").get_data()
    as_brotli = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    as_gzip = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert as_brotli.headers["Content-Encoding"] == "br"
    assert brotli.decompress(as_brotli.get_data()) == plain
    assert gzip.decompress(as_gzip.get_data()) == plain
    assert len(as_brotli.get_data()) < len(plain) / 3
    assert "Accept-Encoding" in as_brotli.headers["Vary"]


def test_pages_carrying_a_session_token_are_never_shared(app, client):
    @app.get("/with-a-form")
    @cached_page
    def with_a_form():
        return render_template_string("<form><input name=t value='{{ csrf_token() }}'></form>")

    first, second = app.test_client(), app.test_client()
    token = re.search(r"value='([^']+)'", first.get("/with-a-form").get_data(as_text=True)).group(1)
    other = second.get("/with-a-form")
    assert token not in other.get_data(as_text=True)
    assert "ETag" not in other.headers


def test_static_files_have_hashed_names_and_are_immutable_and_precompressed(client):
    html = client.get("/").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(re.search(r"/kiosk\.[0-9a-f]{12}\.css$", url) for url in assets)
    assert any(re.search(r"/htmx\.min\.[0-9a-f]{12}\.js$", url) for url in assets)
    for url in assets:
        with client.get(url) as plain, client.get(url, headers={"Accept-Encoding": "br"}) as compressed:
            plain.get_data(), compressed.get_data()
        assert plain.status_code == 200
        assert plain.headers["Cache-Control"] == "max-age=31536000, public, immutable"
        assert plain.headers["X-Content-Type-Options"] == "nosniff"
        assert compressed.headers["Content-Encoding"] == "br"
        assert brotli.decompress(compressed.get_data()) == plain.get_data()


def test_cookieless_visitors_get_the_finished_response_replayed_without_flask(app, client):
    rendered = []
    app.before_request(lambda: rendered.append(1) and None)
    first = client.get(EVENT, headers=HTMX)
    second = client.get(EVENT, headers=HTMX)
    assert len(rendered) == 1
    assert second.get_data() == first.get_data()
    # The same answer, but each request has an id of its own.
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    del first.headers["X-Request-Id"], second.headers["X-Request-Id"]
    assert second.headers == first.headers
    assert "default-src 'self'" in second.headers["Content-Security-Policy"]
    # Another shape of the same URL is another response.
    assert client.get(EVENT).get_data() != first.get_data()
    assert len(rendered) == 2


def test_a_replayed_page_changes_as_soon_as_content_is_published(client):
    client.get("/")
    assert "Brand-new headline" not in client.get("/").get_data(as_text=True)
    make_event(headline="Brand-new headline")
    assert "Brand-new headline" in client.get("/").get_data(as_text=True)


def test_requests_with_a_cookie_always_reach_the_app(app, client):
    rendered = []
    app.before_request(lambda: rendered.append(1) and None)
    client.set_cookie("something", "1")
    client.get("/")
    client.get("/")
    assert len(rendered) == 2


def test_a_response_setting_a_cookie_is_never_replayed(app, client):
    @app.get("/greets-with-a-cookie")
    @cached_page
    def greets_with_a_cookie():
        response = app.make_response("Hello")
        response.set_cookie("visitor", "42")
        return response

    client.get("/greets-with-a-cookie")
    other = app.test_client()
    assert "Set-Cookie" in other.get("/greets-with-a-cookie").headers
    assert other.get_cookie("visitor").value == "42"


def test_an_entry_lives_as_long_as_the_content_version_it_was_made_from():
    cache = VersionedCache[str](read_version=lambda: 1)
    cache.put("/", 1, "page of version 1")
    assert cache.get("/", 1) == "page of version 1"
    assert cache.get("/", 2) is None  # a request that sees a newer version renders afresh
    cache.put("/events/x", 2, "page of version 2")
    assert cache.get("/", 1) is None and len(cache) == 1  # a publish drops every older entry at once
    cache.put("/", 1, "a slow render begun before the publish")
    assert cache.get("/", 1) is None and len(cache) == 1


def test_a_request_reads_the_content_version_once_for_every_cache_and_the_view(client, monkeypatch):
    reads = []
    read = ContentVersionReader._read
    monkeypatch.setattr(ContentVersionReader, "_read", lambda reader: reads.append(1) or read(reader))
    # Rendered (not replayed): the replay layer, the language list, the page cache and the view all ask.
    assert client.get("/ru/", headers=HTMX).status_code == 200
    assert reads == [1]


def test_warming_up_fills_the_cache_with_the_timeline_and_its_events(app):
    app.extensions["warm_up"]()
    cache = app.extensions["page_cache"]
    # `/` and every event it shows, as the fragment a tap asks for
    assert len(cache) == 1 + len(FIXTURE.event_slugs)


class OpenConnections:
    """Connections the app holds open to the database: every one opened, less every one closed."""

    def __init__(self, engine):
        self.count = 0
        sa_event.listen(engine, "connect", self.opened)
        for closing in ("close", "close_detached"):
            sa_event.listen(engine, closing, self.closed)

    def opened(self, *_args) -> None:
        self.count += 1

    def closed(self, *_args) -> None:
        self.count -= 1


def test_a_thread_per_request_server_never_piles_up_connections(app):
    """Werkzeug's development server (and the browser tests' live server) starts a thread for each
    request: the version read every request makes must not keep a connection per thread."""
    db.engine.dispose()
    open_connections = OpenConnections(db.engine)

    def burst(requests: int = 24) -> None:
        start = threading.Barrier(requests)

        def visit():
            start.wait()
            assert app.test_client().get("/").status_code == 200

        threads = [threading.Thread(target=visit) for _ in range(requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    for _ in range(4):
        burst()
        assert db.engine.pool.checkedout() == 0
        assert 0 < open_connections.count <= db.engine.pool.size() + ContentVersionReader.MAX_KEPT
