"""Backups in the admin (admins only, every step audited): the schedule and how the last backup went,
backing up now, downloading a backup as one file, and restoring one after a dry run.

Restoring while the kiosk serves is safe because of how kiosk.interchange.backup restores: the current
data is first kept as a backup of its own, then the backup's database is written into the live database
file in one SQLite transaction (the backup API), so every worker's open connections see the old content
or the new, never a mix, and need not be reopened; the content version moves past the replaced one, so
every worker's caches and every kiosk's offline copy renew themselves. For the seconds it takes, a flag
in the data folder (``RESTORING``) makes every other change in the admin wait with a clear refusal
(busy: send it again), so that nobody saves into data that is about to be replaced. Afterwards any
migration newer than the backup is applied.
"""

from __future__ import annotations

import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_migrate import upgrade

from ..editing import audit
from ..extensions import db
from ..interchange import backup, scheduled_backups
from ..web import failures
from .auth import admin_required
from .blueprint import bp
from .forms import ConfirmForm

RESTORING = "restoring"  # the flag file in the data folder while a restore runs
RESTORE_MINUTES = 10  # a flag older than this was left by a restore that died: ignored


def _status() -> dict:
    data_dir = current_app.config["DATA_DIR"]
    status = scheduled_backups.read_status(data_dir)
    policy = scheduled_backups.policy_of(current_app)
    return {
        "status": status,
        "policy": policy,
        "sqlite": scheduled_backups.backs_up(current_app),
        "overdue": scheduled_backups.overdue(status, datetime.now(UTC)),
        "destination": backup.backups_folder(),
        "last_success_at": (status.get("last_success") or {}).get("at", ""),
    }


def backup_warning() -> str | None:
    """For the admin's every page: a sentence when no scheduled backup has succeeded for two days."""
    if not (current_user.is_authenticated and current_user.is_admin):
        return None
    if scheduled_backups.policy_of(current_app) is None:
        return None
    status = scheduled_backups.read_status(current_app.config["DATA_DIR"])
    if not scheduled_backups.overdue(status, datetime.now(UTC)):
        return None
    failure = (status.get("last_failure") or {}).get("reason", "")
    return _("No backup has succeeded for more than two days.") + (
        " " + _("The last attempt failed: %(reason)s", reason=failure) if failure else ""
    )


@bp.app_context_processor
def _backup_globals():
    return {"backup_warning": backup_warning}


def _listed(name: str) -> Path:
    """A backup folder by its listed name; anything else (a path, a name not listed) is a 404."""
    folder = backup.backups_folder()
    if name not in {made["name"] for made in backup.list_backups(folder)}:
        abort(404)
    return folder / name


@bp.get("/backups")
@admin_required
def backups_page():
    folder = backup.backups_folder()
    made = backup.list_backups(folder)
    for entry in made:
        entry["scheduled"] = entry["name"].startswith(scheduled_backups.PREFIX)
    return render_template("admin/backups.html", backups=made, form=ConfirmForm(), **_status())


@bp.post("/backups")
@admin_required
def make_backup():
    ConfirmForm().validate()
    target = backup.timestamped_folder(backup.backups_folder())
    try:
        manifest = backup.backup(target)
        scheduled_backups.verify_by_restoring(target)
    except (backup.BackupError, OSError) as error:
        flash(_("The backup could not be made; nothing was changed. %(reason)s", reason=str(error)), "error")
        return redirect(url_for("admin.backups_page"))
    flash(
        _(
            "Backed up %(events)s events and %(eras)s eras, with the images, to %(folder)s, and checked it "
            "by restoring it into a scratch folder.",
            events=manifest["events"],
            eras=manifest["eras"],
            folder=target.name,
        ),
        "success",
    )
    return redirect(url_for("admin.backups_page"))


@bp.get("/backups/<name>.tar.gz")
@admin_required
def download_backup(name: str):
    """The backup as one compressed file, to keep on another computer; restored with `tar -xzf` and
    `flask --app kiosk restore FOLDER --force`."""
    folder = _listed(name)
    # Written to an anonymous temporary file first (gone once sent), so that a backup larger than memory
    # can be downloaded and a failure is a refusal, not half a file.
    archive = tempfile.TemporaryFile(dir=folder.parent)  # noqa: SIM115 - closed by sent() below
    try:
        with tarfile.open(fileobj=archive, mode="w:gz") as packed:
            packed.add(folder, arcname=name)
        size = archive.tell()
        archive.seek(0)
    except BaseException:
        archive.close()
        raise
    audit.record("backup.download", name)
    db.session.commit()

    def sent():
        try:
            while block := archive.read(1 << 20):
                yield block
        finally:
            archive.close()

    response = Response(sent(), mimetype="application/gzip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.tar.gz"'
    response.content_length = size
    response.cache_control.no_store = True
    return response


@bp.route("/backups/<name>/restore", methods=["GET", "POST"])
@admin_required
def restore_backup(name: str):
    folder = _listed(name)
    form = ConfirmForm()
    try:
        preview = backup.preview(folder)
    except backup.BackupError as error:
        return render_template("admin/backup_restore.html", name=name, problem=str(error), form=form), 409
    if not form.validate_on_submit():
        return render_template("admin/backup_restore.html", name=name, preview=preview, form=form)
    flag = Path(current_app.config["DATA_DIR"]) / RESTORING
    try:
        flag.write_text(f"{current_user.username} {datetime.now(UTC).isoformat()}\n")
        result = backup.restore(folder, force=True, by=current_user.username)
        upgrade()  # a backup made before the newest migrations
    except (backup.BackupError, OSError) as error:
        db.session.rollback()
        return render_template(
            "admin/backup_restore.html", name=name, preview=preview, form=form, problem=str(error)
        ), 503
    finally:
        flag.unlink(missing_ok=True)
    kept = result.kept_previous.name if result.kept_previous else ""
    flash(
        _(
            "Restored the backup %(name)s. The data it replaced is kept as the backup %(kept)s. "
            "If you are asked to sign in again, your account was different in the backup.",
            name=name,
            kept=kept,
        ),
        "success",
    )
    return redirect(url_for("admin.backups_page"))


def restore_under_way(data_dir: str | Path) -> bool:
    flag = Path(data_dir) / RESTORING
    try:
        return time.time() - flag.stat().st_mtime < RESTORE_MINUTES * 60
    except OSError:
        return False


@bp.before_request
def _wait_for_the_restore():
    """While a restore replaces the data, any other change waits (busy: send it again)."""
    if request.method in ("GET", "HEAD") or request.endpoint == "admin.restore_backup":
        return None
    if restore_under_way(current_app.config["DATA_DIR"]):
        failures.record_incident(failures.BUSY, "a change sent while a backup was being restored")
        abort(
            503, _("A backup is being restored right now, so nothing was saved. Send it again in a minute.")
        )
    return None
