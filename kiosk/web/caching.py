"""Visitor pages cached in each worker, keyed by the content version, with ETags for revalidation.

Published content only changes through a flush that moves the content version on (see content.py), so a
page rendered for version N stays right until the version changes: the key includes it, and a publish
invalidates every page at once without anyone clearing anything. The ETag is derived from the same key
plus the build id (templates and static files), so a kiosk revalidating a page it has gets a bodiless
304 after a single cheap query. Pages go out compressed (brotli or gzip), compressed once per entry.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import wraps
from typing import Generic, NamedTuple, TypeVar

import brotli
from flask import current_app, g, has_request_context, request
from flask_babel import get_locale
from sqlalchemy import Engine, PoolProxiedConnection
from sqlalchemy import event as sa_event
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from .. import database
from ..extensions import db
from ..models import ContentState
from .rendering import wants_fragment

MAX_ENTRIES = 512
MIN_COMPRESS_BYTES = 1024
KEPT_HEADERS = ("Content-Type", "Vary")


# The timeline itself is every kiosk's first load, which has a byte budget: it is compressed as hard as
# brotli can (about 50 ms, once per content version and language), other pages quickly.
FIRST_LOAD_ENDPOINTS = {"timeline.index"}


@dataclass
class CachedPage:
    body: bytes
    headers: list[tuple[str, str]]
    encoded: dict[str, bytes] = field(default_factory=dict)
    smallest: bool = False  # compress at the highest level (the first load)

    def encoded_body(self, encoding: str) -> bytes:
        if encoding not in self.encoded:
            if encoding == "br":
                self.encoded[encoding] = brotli.compress(self.body, quality=11 if self.smallest else 5)
            else:
                self.encoded[encoding] = gzip.compress(self.body, 9 if self.smallest else 6, mtime=0)
        return self.encoded[encoding]


Entry = TypeVar("Entry")


class PageCache(Generic[Entry]):
    """A small thread-safe LRU; entries of older content versions are dropped as soon as a newer appears."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._version: int | None = None

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            page = self._entries.get(key)
            if page is not None:
                self._entries.move_to_end(key)
            return page

    def put(self, key: tuple, version: int, page: Entry) -> None:
        with self._lock:
            if self._version is None or version > self._version:
                self._version = version
                self._entries.clear()
            elif version < self._version:
                return  # rendered from an older snapshot than pages already cached
            self._entries[key] = page
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._version = None

    def __len__(self) -> int:
        return len(self._entries)


VERSION_QUERY = f"SELECT version FROM {ContentState.__tablename__} WHERE id = 1"
VERSION_KEY = "kiosk.content_version"
SHAREABLE_KEY = "kiosk.shareable"  # set on responses every cookie-less visitor may be given as they are


class ContentVersionReader:
    """Reads the committed content version: once for every visitor request, so it must cost next to nothing.

    A page replayed from the cache costs about as much as a bare Flask answer; checking a connection out
    of SQLAlchemy's pool and back and its execution layer cost half as much again (bench/README.md,
    server_throughput). So this one tiny SELECT runs on the driver's own cursor, on a few connections
    taken out of the pool for this alone (detached: they never hold one of its slots) and handed from
    thread to thread through a stack. At most MAX_KEPT stay open whatever the server's threading: a
    server that starts a thread per request opens only as many as read at the same moment.
    Each read is its own transaction (SQLite starts none for a SELECT, PostgreSQL's is in autocommit),
    so it always sees the newest commit.
    """

    MAX_KEPT = 4

    def __init__(self, engine: Engine):
        self.engine = engine
        self._kept: list[PoolProxiedConnection] = []
        self._inherited: list[PoolProxiedConnection] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        # A restore or a test disposes of the engine: connections to the old database go with it.
        sa_event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def __call__(self) -> int:
        dbapi = self.engine.dialect.loaded_dbapi
        try:
            return self._read()
        except dbapi.Error as error:  # callers handle the database's refusals as SQLAlchemy's
            raise DBAPIError.instance(
                VERSION_QUERY, (), error, dbapi.Error, dialect=self.engine.dialect
            ) from error

    def _read(self) -> int:
        connection = self._take()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(VERSION_QUERY)
                row = cursor.fetchone()
            finally:
                cursor.close()
        except BaseException:
            _close_quietly(connection)  # it may be broken: the next read opens another
            raise
        self._give_back(connection)
        return (row[0] if row else 0) or 0

    def close(self) -> None:
        with self._lock:
            kept, self._kept = self._kept, []
        for connection in kept:
            _close_quietly(connection)

    def _take(self) -> PoolProxiedConnection:
        with self._lock:
            if self._pid != os.getpid():
                # A forked child must not use, nor close, its parent's connections (closing the last one
                # to an SQLite database in WAL mode would checkpoint it under the parent's feet).
                self._inherited, self._kept, self._pid = self._kept, [], os.getpid()
            if self._kept:
                return self._kept.pop()
        connection = self.engine.raw_connection()
        connection.detach()
        if self.engine.dialect.name == "postgresql":
            connection.dbapi_connection.autocommit = True  # type: ignore[union-attr]
        return connection

    def _give_back(self, connection: PoolProxiedConnection) -> None:
        with self._lock:
            if len(self._kept) < self.MAX_KEPT and self._pid == os.getpid():
                self._kept.append(connection)
                return
        _close_quietly(connection)


def _close_quietly(connection: PoolProxiedConnection) -> None:
    with contextlib.suppress(Exception):
        connection.close()


def current_content_version() -> int:
    """The committed content version, read once per request (the page cache's layer reads it first).

    Everything the view renders afterwards is read later, so it is at least as new as this version.
    """
    read: ContentVersionReader = current_app.extensions["content_version"]
    if not has_request_context():
        return read()
    if VERSION_KEY not in request.environ:
        request.environ[VERSION_KEY] = read()
    return request.environ[VERSION_KEY]


def _best_encoding() -> str | None:
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if accepted[encoding]:
            return encoding
    return None


def compress(response):
    """Send a generated response that is not a cached page (the era stylesheet) compressed all the same."""
    body = response.get_data()
    encoding = _best_encoding() if len(body) >= MIN_COMPRESS_BYTES else None
    response.vary.add("Accept-Encoding")
    if encoding:
        response.set_data(CachedPage(body, []).encoded_body(encoding))
        response.headers["Content-Encoding"] = encoding
    return response


def _respond(page: CachedPage, etag: str):
    response = current_app.response_class(page.body, headers=page.headers)
    encoding = _best_encoding() if len(page.body) >= MIN_COMPRESS_BYTES else None
    if encoding:
        response.set_data(page.encoded_body(encoding))
        response.headers["Content-Encoding"] = encoding
    return _revalidate_headers(response, etag)


def _revalidate_headers(response, etag: str):
    response.set_etag(etag)
    response.vary.update(("HX-Request", "Accept-Encoding"))
    # Keep a copy, but ask every time: the ETag makes asking cheap.
    response.cache_control.no_cache = True
    return response


def cached_page(view):
    """Serve a visitor view from the page cache, or a 304 when the visitor's copy is still current."""

    @wraps(view)
    def serve(*args, **kwargs):
        version = current_content_version()
        key = (request.path, request.query_string, wants_fragment(), str(get_locale()), version)
        etag = hashlib.sha256(repr((key, current_app.config["BUILD_ID"])).encode()).hexdigest()[:24]
        if request.if_none_match.contains(etag):
            return _revalidate_headers(current_app.response_class(status=304), etag)
        cache: PageCache[CachedPage] = current_app.extensions["page_cache"]
        page = cache.get(key) if current_app.config["PAGE_CACHE"] else None
        if page is None:
            token_name = current_app.config["WTF_CSRF_FIELD_NAME"]
            g.pop(token_name, None)  # Flask-WTF keeps the token made for a page here
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code != 200 or token_name in g or "Set-Cookie" in response.headers:
                # Not a page every visitor can share (an error, or one for this visitor alone).
                return response
            kept = [(name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers]
            page = CachedPage(response.get_data(), kept, smallest=request.endpoint in FIRST_LOAD_ENDPOINTS)
            if current_app.config["PAGE_CACHE"]:
                cache.put(key, version, page)
        if current_app.config["PAGE_CACHE"]:
            request.environ[SHAREABLE_KEY] = True
        return _respond(page, etag)

    return serve


class _Replay(NamedTuple):
    """A whole response as the WSGI layer saw it, for the content version it was rendered from."""

    version: int
    status: str
    headers: list[tuple[str, str]]
    body: bytes


class SharedResponses:
    """WSGI middleware in front of Flask: finished visitor responses replayed without entering Flask.

    A kiosk's requests carry no cookie, so the response to one is fully determined by its URL, a few
    request headers and the content version. Such a response, once Flask has produced it through
    ``cached_page`` (with every header the app adds), is kept and replayed for the same request while the
    version stays the same: one tiny query and a dictionary look-up, like a reverse proxy's cache.
    Anything with a cookie, a condition or another method goes to Flask as usual.
    """

    # The language is in the address (/ru/...), so Accept-Language plays no part in a visitor page.
    KEY_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_BOOSTED", "HTTP_ACCEPT_ENCODING")
    BYPASS_HEADERS = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")

    def __init__(self, wsgi_app, read_version):
        self.wsgi_app = wsgi_app
        self.read_version = read_version
        self.cache: PageCache[_Replay] = PageCache()

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or any(name in environ for name in self.BYPASS_HEADERS):
            return self.wsgi_app(environ, start_response)
        try:
            version = environ[VERSION_KEY] = self.read_version()
        except (SQLAlchemyError, OSError):
            # The database cannot be read: Flask answers (its error pages say so, /healthz says why).
            return self.wsgi_app(environ, start_response)
        key = (environ.get("PATH_INFO"), environ.get("QUERY_STRING"), *map(environ.get, self.KEY_HEADERS))
        replay = self.cache.get(key)
        if replay is not None and replay.version == version:
            start_response(replay.status, replay.headers)
            return [replay.body]

        captured: list = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        if not environ.get(SHAREABLE_KEY):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = captured
        if not any(name.lower() == "set-cookie" for name, _ in headers):
            self.cache.put(key, version, _Replay(version, status, list(headers), body))
        return [body]


EVENT_LINK = re.compile(r'data-hx-get="(/events/[^"]+)"')


def warm_up(app) -> None:
    """Render `/` and the events it shows once, early: templates get compiled, the database connection
    opened and the page cache filled, so no visitor's tap waits for any of that. (gunicorn_conf.py runs
    it beside serving, never before.) The planner's statistics are refreshed here too, off every
    visitor's path."""
    with app.app_context():
        try:
            database.optimize()
        except SQLAlchemyError:
            app.logger.warning(
                "Refreshing the database statistics failed; serving on the old ones.", exc_info=True
            )
    client = app.test_client()
    page = client.get("/")
    for link in EVENT_LINK.findall(page.get_data(as_text=True)):  # at most TIMELINE_EAGER_EVENTS
        client.get(link, headers={"HX-Request": "true"})


def init_app(app) -> None:
    app.config.setdefault("PAGE_CACHE", True)
    app.config.setdefault("WTF_CSRF_FIELD_NAME", "csrf_token")
    app.extensions["page_cache"] = PageCache[CachedPage]()
    app.extensions["warm_up"] = lambda: warm_up(app)  # gunicorn_conf.py calls it in each new worker
    with app.app_context():
        read_version = app.extensions["content_version"] = ContentVersionReader(db.engine)
    if app.config["PAGE_CACHE"]:
        app.wsgi_app = SharedResponses(app.wsgi_app, read_version)
