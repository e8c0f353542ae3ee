"""The layers every request passes through on its way to Flask, built in one place.

``build`` lists them in the order a request meets them (the answer goes back out through them in the
reverse order). Inside Flask, the app's own hooks then run: the NUL refusal and the language choice
before the view (kiosk.web.security, kiosk.create_app), the security headers after it, the error
handlers (kiosk.web.errors) when it fails, and a response's ``call_on_close`` callbacks once the server
has sent it (the analytics roll-up, kiosk.telemetry.intake).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .assets import StaticFiles
from .caching import SharedResponses
from .errors import RequestIds

Layer = Callable[[Callable], Callable]  # wraps a WSGI application in another


def layers(app: Flask) -> list[Layer]:
    """The request stack, outermost first."""
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    stack: list[Layer | None] = [
        # An X-Request-Id on every answer; a designed page and a logged traceback for whatever escapes below.
        partial(RequestIds, app=app),
        # Behind KIOSK_TRUSTED_PROXIES reverse proxies (never otherwise): the visitor's address, scheme
        # and host from the headers those proxies add, for the sign-in limit, the audit log and cookies.
        partial(ProxyFix, x_for=proxies, x_proto=proxies, x_host=proxies) if proxies else None,
        # Static files by their hashed names, pre-compressed, straight from disk.
        partial(StaticFiles, app=app),
        # A cookie-less visitor's finished page replayed while the content version stays the same.
        partial(SharedResponses, read_version=app.extensions["content_version"])
        if app.config["PAGE_CACHE"]
        else None,
    ]
    return [layer for layer in stack if layer is not None]


def build(app: Flask) -> None:
    """Wrap the Flask application in the request stack (once every part of the app is set up)."""
    wsgi_app = app.wsgi_app
    for layer in reversed(layers(app)):
        wsgi_app = layer(wsgi_app)
    app.wsgi_app = wsgi_app  # type: ignore[method-assign]  # Flask's documented way to add middleware
