"""The curators' back office at /admin: sign-in, events, eras, their history and conflicts, the trash,
import and export, backups, the audit log and settings.

Every view here needs a signed-in curator unless auth.PUBLIC_ENDPOINTS names it, so a new view is
protected without anyone having to remember it.
"""

from flask import Flask

from . import audit, auth, conflicts, eras, events, interchange, localized, revisions, settings, trash  # noqa: F401
from .blueprint import bp


def init_app(app: Flask) -> None:
    auth.init_app(app)
    app.register_blueprint(bp)


__all__ = ["bp", "init_app"]
