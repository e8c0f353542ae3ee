"""The audit log, for the admin role: who did what and when, newest first, filtered and paged."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..editing import audit
from ..extensions import db
from ..web.rendering import page_or_fragment
from .auth import admin_required
from .blueprint import bp
from .forms import day_argument, whole_number

PER_PAGE = 50
ACTIONS = {
    "sign-in": _l("Signed in"),
    "sign-in.failed": _l("Failed sign-in"),
    "sign-in.blocked": _l("Sign-in refused: too many failures"),
    "sign-out": _l("Signed out"),
    "event.create": _l("Created an event"),
    "event.save": _l("Edited an event"),
    "event.translate": _l("Translated an event"),
    "era.translate": _l("Translated an era"),
    "event.publish": _l("Published an event"),
    "event.unpublish": _l("Unpublished an event"),
    "event.trash": _l("Moved an event to the trash"),
    "event.restore": _l("Restored an event from the trash"),
    "event.purge": _l("Deleted an event permanently"),
    "event.restore-revision": _l("Restored an earlier revision of an event"),
    "era.create": _l("Created an era"),
    "era.save": _l("Edited an era"),
    "era.move": _l("Moved an era"),
    "era.delete": _l("Deleted an era"),
    "era.restore-revision": _l("Restored an earlier revision of an era"),
    "settings.save": _l("Changed a setting"),
    "title.save": _l("Edited the title or further reading"),
    "import": _l("Imported a file"),
    "backup": _l("Made a backup"),
    "restore": _l("Restored a backup"),
    "backup.download": _l("Downloaded a backup"),
    "account.create": _l("Added an account"),
    "account.password": _l("Changed a password"),
    "account.delete": _l("Removed an account"),
    "access.refused": _l("Refused: a page only for administrators"),
    "csrf.refused": _l("Refused: a form that failed its security check"),
}


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


@bp.get("/audit")
@admin_required
def audit_log():
    problems: dict[str, str] = {}
    since, until = day_argument("since", problems), day_argument("until", problems)
    if since and until and until < since:
        problems["until"] = _("The end date is before the start date.")
        until = None
    action, username = request.args.get("action", ""), request.args.get("user", "")
    page = whole_number(request.args.get("page")) or 1
    query = audit.search(action=action, username=username, since=since, until=until)
    entries = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    filters = {
        key: value
        for key, value in {"action": action, "user": username, "since": since, "until": until}.items()
        if value
    }
    return page_or_fragment(
        "admin/audit.html",
        "admin/_audit_results.html",
        entries=entries.items,
        total=entries.total,
        page_number=entries.page,
        pages=max(1, entries.pages),
        filters=filters,
        problems=problems,
        actions=sorted(set(audit.known_actions()) | set(ACTIONS), key=action_label),
        usernames=audit.known_usernames(),
        action_label=action_label,
        typed={"since": request.args.get("since", ""), "until": request.args.get("until", "")},
    )
