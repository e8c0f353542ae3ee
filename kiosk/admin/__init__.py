"""The curators' back office at /admin: sign-in, events, eras, places, their history and conflicts, the
trash, the title and further reading, import and export, backups, the audit log, accounts, settings,
visitor analytics and the kiosks' state.

Every view here needs a signed-in curator unless auth.PUBLIC_ENDPOINTS names it, so a new view is
protected without anyone having to remember it.
"""

from flask import Flask

from . import (  # noqa: F401 - views
    accounts,
    analytics,
    audit,
    auth,
    backups,
    conflicts,
    eras,
    events,
    failures,
    fleet,
    interchange,
    places,
    revisions,
    settings,
    site_text,
    translations,
    trash,
)
from .blueprint import RowId, bp


def init_app(app: Flask) -> None:
    auth.init_app(app)
    app.url_map.converters["id"] = RowId
    app.register_blueprint(bp)


__all__ = ["bp", "init_app"]
