"""The curators' back office at /admin: sign-in, events, eras and settings.

Every view here needs a signed-in curator unless auth.PUBLIC_ENDPOINTS names it, so a new view is
protected without anyone having to remember it.
"""

from flask import Flask

from . import auth, eras, events, settings  # noqa: F401 - each module adds its views to bp
from .blueprint import bp


def init_app(app: Flask) -> None:
    auth.init_app(app)
    app.register_blueprint(bp)


__all__ = ["bp", "init_app"]
