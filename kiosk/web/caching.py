"""Visitor pages cached in each worker, keyed by the content version, with ETags for revalidation.

Every change to what visitors see moves the content version on in the same transaction, so anything made
from version N stays right until the version changes. ``VersionedCache`` is the one cache built on that:
it reads the version once per request, keeps entries under it and drops them all when a newer one comes.
The replay layer in front of Flask (``SharedResponses``), the page cache (``cached_page``) and the offered
languages (kiosk.languages.choice) each keep one. A page's ETag is derived from its key, the version and
the build id (templates and static files), so a kiosk revalidating a page it has gets a bodiless 304
after a single cheap query. Pages go out compressed (brotli or gzip), compressed once per entry.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
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
VERSION_KEY = "kiosk.content_version"


def request_version(environ: dict | None, read: Callable[[], int]) -> int:
    """The content version a request sees: read on its first use and kept in its environ, so that every
    cache and view the request reaches agrees on it; read afresh outside a request."""
    if environ is None:
        return read()
    if VERSION_KEY not in environ:
        environ[VERSION_KEY] = read()
    return environ[VERSION_KEY]


class VersionedCache(Generic[Entry]):
    """Things made from the published content, each kept while the content version it was made from is
    the current one: the replay layer's responses, the page cache's pages, the offered languages.

    Entries are stored under the version they were made from and found only for that version; storing
    one for a newer version drops every older entry at once, so a publish invalidates everything in
    every worker without anyone clearing anything. Something made from an older version than the
    entries already kept (a slow render that started before a publish) is not stored. A small
    thread-safe LRU keeps the memory bounded.
    """

    def __init__(self, read_version: Callable[[], int], max_entries: int = MAX_ENTRIES):
        self.read_version = read_version
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._version: int | None = None

    def version(self, environ: dict | None = None) -> int:
        """The content version of the request whose WSGI environ this is (see request_version)."""
        return request_version(environ, self.read_version)

    def get(self, key: Hashable, version: int) -> Entry | None:
        with self._lock:
            if version != self._version:
                return None
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, version: int, entry: Entry) -> None:
        with self._lock:
            if self._version is None or version > self._version:
                self._version = version
                self._entries.clear()
            elif version < self._version:
                return  # made from an older snapshot than the entries kept
            self._entries[key] = entry
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def get_or_make(self, key: Hashable, make: Callable[[], Entry], environ: dict | None = None) -> Entry:
        """The entry for ``key`` at the request's content version, made (and kept) if there is none."""
        version = self.version(environ)
        entry = self.get(key, version)
        if entry is None:
            entry = make()
            self.put(key, version, entry)
        return entry

    def __len__(self) -> int:
        return len(self._entries)


VERSION_QUERY = f"SELECT version FROM {ContentState.__tablename__} WHERE id = 1"
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


def request_environ() -> dict | None:
    """The current request's WSGI environ; None outside a request (the command line)."""
    return request.environ if has_request_context() else None


def current_content_version() -> int:
    """The committed content version, read once per request (the replay layer reads it first).

    Everything the view renders afterwards is read later, so it is at least as new as this version.
    """
    return request_version(request_environ(), current_app.extensions["content_version"])


def readable_content_version() -> int | None:
    """The content version, or None when the database cannot be read: for what a page may leave out (the
    era stylesheet's address) so that an error page never needs the database."""
    try:
        return current_content_version()
    except SQLAlchemyError:
        return None


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
        cache: VersionedCache[CachedPage] = current_app.extensions["page_cache"]
        version = cache.version(request.environ)
        key = (request.path, request.query_string, wants_fragment(), str(get_locale()))
        tagged = ((*key, version), current_app.config["BUILD_ID"])
        etag = hashlib.sha256(repr(tagged).encode()).hexdigest()[:24]
        if request.if_none_match.contains(etag):
            return _revalidate_headers(current_app.response_class(status=304), etag)
        page = cache.get(key, version) if current_app.config["PAGE_CACHE"] else None
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
    """A whole response as the WSGI layer saw it."""

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

    def __init__(self, wsgi_app, read_version: Callable[[], int]):
        self.wsgi_app = wsgi_app
        self.cache = VersionedCache[_Replay](read_version)

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or any(name in environ for name in self.BYPASS_HEADERS):
            return self.wsgi_app(environ, start_response)
        try:
            version = self.cache.version(environ)
        except (SQLAlchemyError, OSError):
            # The database cannot be read: Flask answers (its error pages say so, /healthz says why).
            return self.wsgi_app(environ, start_response)
        key = (environ.get("PATH_INFO"), environ.get("QUERY_STRING"), *map(environ.get, self.KEY_HEADERS))
        replay = self.cache.get(key, version)
        if replay is not None:
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
            self.cache.put(key, version, _Replay(status, list(headers), body))
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
    with app.app_context():
        read_version = app.extensions["content_version"] = ContentVersionReader(db.engine)
    app.extensions["page_cache"] = VersionedCache[CachedPage](read_version)
    app.extensions["warm_up"] = lambda: warm_up(app)  # gunicorn_conf.py calls it in each new worker
