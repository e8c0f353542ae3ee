"""Import and export: upload a file, read the dry run, confirm; download the timeline; back up the data.

An upload is checked by a dry run (interchange.importers, which writes nothing) and kept on the server
under a random token (interchange.staged_imports) until the curator confirms; the confirmation imports it
again from scratch, so everything is checked once more against the database as it is then.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.utils import secure_filename

from ..editing import writer
from ..interchange import exporters, importers, staged_imports
from ..languages import choice
from .blueprint import bp, refusal_status
from .forms import ImportConfirmForm, ImportForm, add_error

DEFAULT_IMPORT_LIMIT = 5 * 1024 * 1024
DOWNLOADS = {
    "json": ("application/json", "json"),
    "timelinejs": ("application/json", "timelinejs.json"),
    "csv": ("text/csv", "csv"),  # Flask adds "; charset=utf-8" to every text/ type itself
}


def _limit() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_IMPORT_LIMIT))


def _readable_limit() -> str:
    return staged_imports.readable_size(_limit())


def _page(status: int = 200, **context):
    context.setdefault("form", ImportForm())
    return (
        render_template(
            "admin/import.html",
            limit=_readable_limit(),
            # TimelineJS downloads, one per language (the default one without a ?lang=).
            export_languages=[
                (None if code == choice.default() else code, code, choice.own_name(code))
                for code in choice.offered()
            ],
            **context,
        ),
        status,
    )


@bp.get("/import")
def import_page():
    return _page()


def _uploaded(form: ImportForm) -> tuple[bytes, str] | str:
    """The uploaded bytes and a safe name for the log, or a message saying what is wrong."""
    upload = form.file.data
    if not upload or not getattr(upload, "filename", ""):
        return _("Choose a file to import.")
    data = upload.stream.read(_limit() + 1)
    if len(data) > _limit():
        return _("That file is too large: imports can be at most %(limit)s.", limit=_readable_limit())
    if not data.strip():
        return _("That file is empty.")
    return data, (secure_filename(upload.filename) or "upload")[:100]


@bp.post("/import")
def check_import():
    form = ImportForm()
    form.validate()  # the CSRF token was checked for every POST already
    uploaded = _uploaded(form)
    if isinstance(uploaded, str):
        add_error(form.file, uploaded)
        return _page(422, form=form)
    data, filename = uploaded
    try:  # kept first, so that a curator past the quota waits for no dry run
        token = staged_imports.stage(data, filename, current_user.id)
    except staged_imports.QuotaExceeded as full:
        current_app.logger.info("Import of %s refused by a quota: %s", filename, full.message)
        return _page(422, form=form, quota=full)
    language = form.chosen_language
    try:
        report = importers.run(data, source=filename, dry_run=True, language=language)
    except importers.ImportRefused as refused:
        staged_imports.discard(token)
        sheet = refused.format == importers.TIMELINEJS_CSV
        return _page(422, form=form, filename=filename, problems=refused.problems, sheet=sheet)
    confirm = ImportConfirmForm(formdata=None, token=token, language=language or "")
    return _page(filename=filename, report=report, confirm=confirm)


@bp.post("/import/confirm")
def confirm_import():
    confirm = ImportConfirmForm()
    confirm.validate()
    token = confirm.token.data or ""
    staged = staged_imports.load(token, current_user.id)
    if staged is None:
        flash(
            _("That upload has expired or was imported already. Nothing was imported: upload it again."),
            "error",
        )
        return redirect(url_for("admin.import_page"))
    asked = confirm.language.data or ""
    language = asked if asked in choice.offered() and asked != choice.default() else None
    try:
        report = importers.run(
            staged.data, source=staged.filename, publish=bool(confirm.publish.data), language=language
        )
    except importers.ImportRefused as refused:  # the content changed since the dry run
        staged_imports.discard(token)
        return _page(409, filename=staged.filename, problems=refused.problems)
    except writer.SaveRefused as refusal:  # busy, or changed while writing: the upload waits to be confirmed
        flash(str(refusal), "error")
        status = refusal_status(refusal)
        report = importers.run(staged.data, source=staged.filename, dry_run=True)
        return _page(status, filename=staged.filename, report=report, confirm=confirm)
    staged_imports.discard(token)
    return _page(filename=staged.filename, report=report, imported=True, published=bool(confirm.publish.data))


@bp.post("/import/withdraw")
def withdraw_imports():
    """Cancel a dry run (its token), or, without a token, forget every upload of this curator's that
    is waiting for confirmation (to make room under the quota)."""
    form = ImportConfirmForm()
    form.validate()
    token = form.token.data or None
    count = staged_imports.withdraw(current_user.id, token)
    if token:
        flash(_("Cancelled: nothing was imported from that file."), "info")
    else:
        flash(
            ngettext("Discarded %(num)d waiting upload.", "Discarded %(num)d waiting uploads.", count), "info"
        )
    return redirect(url_for("admin.import_page"))


@bp.get("/export/<file_format>")
def export(file_format: str):
    """A download of the whole timeline (not the trash); it changes nothing."""
    if file_format not in DOWNLOADS:
        abort(404)
    mimetype, suffix = DOWNLOADS[file_format]
    # TimelineJS has one language per file: ?lang=ru for the Russian one (our JSON carries them all).
    asked = request.args.get("lang", "")
    locale = asked if asked in choice.offered() and asked != choice.default() else None
    response = Response(exporters.export(file_format, locale), mimetype=mimetype)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    name = f"timeline-{stamp}-{locale}" if locale else f"timeline-{stamp}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{suffix}"'
    response.cache_control.no_store = True
    return response
