"""Response headers every page gets: a strict Content-Security-Policy and friends."""

from flask import Flask, Response, abort, has_request_context, request
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


def _add_security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
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


class _SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure when configured (KIOSK_SECURE_COOKIES=1) or the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_characters)
    app.after_request(_add_security_headers)
    app.session_interface = _SessionInterface()
