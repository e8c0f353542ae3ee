"""Response headers every page gets: a strict Content-Security-Policy and friends (and HSTS when the kiosk
is served over HTTPS), and what tells a request sent unencrypted across the network."""

import ipaddress

from flask import Flask, Response, abort, current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Policies that only documents and workers (the service worker) read; a stylesheet or JSON answer would
# carry them for nothing, and every byte counts on the kiosk's first load.
_POLICY_READERS = {"text/html", "text/javascript", "application/javascript"}


# A year: what browsers' preload lists ask for, and long enough that a kiosk PC rarely asks over HTTP.
HSTS_SECONDS = 365 * 24 * 3600


def _add_security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        # Served over HTTPS (KIOSK_SECURE_COOKIES=1): browsers must never come back over plain HTTP.
        response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype in _POLICY_READERS:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


def _refuse_nul_characters() -> None:
    """No text the kiosk keeps can hold NUL (PostgreSQL refuses it even in a query), and no browser sends it
    on its own: an address, query or form that carries one is refused plainly before any view reads it."""
    texts = [request.path, *request.args.values(), *request.form.values()]
    if any("\x00" in text for text in texts):
        abort(400, _("The address or form contains a character the kiosk does not accept (NUL)."))


def sent_in_the_clear() -> bool:
    """A request that crossed the network unencrypted: plain HTTP from another machine (a proxy in front
    that speaks HTTPS to the browser says so in X-Forwarded-Proto, believed per KIOSK_TRUSTED_PROXIES)."""
    if request.is_secure:
        return False
    try:
        return not ipaddress.ip_address(request.remote_addr or "127.0.0.1").is_loopback
    except ValueError:
        return True


class _SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure when configured (KIOSK_SECURE_COOKIES=1) or the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_characters)
    app.after_request(_add_security_headers)
    app.session_interface = _SessionInterface()
