"""The audit log, for the admin role: who did what and when, newest first, filtered and paged."""

from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import audit
from ..rendering import page_or_fragment
from .auth import admin_required
from .blueprint import bp
from .forms import whole_number

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
    "import": _l("Imported a file"),
    "backup": _l("Made a backup"),
    "restore": _l("Restored a backup"),
    "account.create": _l("Added an account"),
    "account.password": _l("Changed a password"),
    "account.delete": _l("Removed an account"),
}


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def _day(name: str, problems: dict[str, str]) -> date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems[name] = _("Enter a date like 2025-03-14.")
        return None


@bp.get("/audit")
@admin_required
def audit_log():
    problems: dict[str, str] = {}
    since, until = _day("since", problems), _day("until", problems)
    if since and until and until < since:
        problems["until"] = _("The end date is before the start date.")
        until = None
    action, username = request.args.get("action", ""), request.args.get("user", "")
    page = whole_number(request.args.get("page")) or 1
    entries, total = audit.search(
        action=action, username=username, since=since, until=until, page=page, per_page=PER_PAGE
    )
    pages = max(1, -(-total // PER_PAGE))
    filters = {
        key: value
        for key, value in {"action": action, "user": username, "since": since, "until": until}.items()
        if value
    }
    return page_or_fragment(
        "admin/audit.html",
        "admin/_audit_results.html",
        entries=entries,
        total=total,
        page_number=page,
        pages=pages,
        filters=filters,
        problems=problems,
        actions=sorted(set(audit.known_actions()) | set(ACTIONS), key=action_label),
        usernames=audit.known_usernames(),
        action_label=action_label,
        typed={"since": request.args.get("since", ""), "until": request.args.get("until", "")},
    )
