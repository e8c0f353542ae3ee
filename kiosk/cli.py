"""Command-line tools: ``flask --app kiosk seed``, ``export``, ``import``, ``backup``, ``restore``, ``users``
(curator accounts), ``analytics rollup``, ``kiosks add`` and ``kiosks revoke``."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from .accounts.cli import user_commands
from .editing import writer
from .extensions import db
from .interchange import backup, exporters, importers, kiosk_json
from .languages import choice
from .models import Era, Event
from .telemetry import analytics, fleet


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(Event.id))) and not db.session.scalar(
        select(func.count(Era.id))
    )


@click.command("seed")
def seed_command() -> None:
    """Load the default Stakhanov timeline, but only into an empty database."""
    if not database_is_empty():
        click.echo("The database already has content; nothing loaded.")
        return
    content = kiosk_json.DEFAULT_CONTENT
    # The default content with its translations (stakhanov.<language>.json beside it).
    document = json.dumps(kiosk_json.default_content(), ensure_ascii=False).encode()
    report = importers.run(document, source=content.name, keep_status=True)
    click.echo(f"Loaded the default content: {len(report.created)} eras, places and events.")


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename: readers never see half a file."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@click.command("export")
@click.argument("file")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(exporters.FORMATS),
    default="json",
    show_default=True,
    help="json: our lossless format; timelinejs: TimelineJS JSON; csv: the TimelineJS spreadsheet.",
)
@click.option(
    "--lang",
    "locale",
    default=None,
    help="For timelinejs and csv (one language each): the language to export, e.g. ru. "
    "Untranslated texts stay in the default language. Our json carries every language.",
)
def export_command(file: str, file_format: str, locale: str | None) -> None:
    """Export the whole timeline (not the trash) to FILE, or to standard output when FILE is -."""
    if locale is not None and locale not in choice.available():
        raise click.BadParameter(
            f"{locale!r} is not one of {', '.join(choice.available())}.", param_hint="--lang"
        )
    data = exporters.export(file_format, None if locale == choice.default() else locale)
    if file == "-":
        with click.open_file("-", "wb") as stdout:
            stdout.write(data)
        return
    try:
        write_atomically(Path(file), data)
    except OSError as error:
        raise click.ClickException(f"Cannot write {file}: {error.strerror or error}.") from None
    click.echo(f"Exported {file_format} to {file} ({len(data)} bytes).", err=True)


def _print_list(heading: str, lines: list[str]) -> None:
    if lines:
        click.echo(f"{heading} ({len(lines)}):")
        for line in lines:
            click.echo(f"  {line}")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Show what would be created, updated and skipped; change nothing."
)
@click.option("--publish", is_flag=True, help="Publish the imported events (otherwise new ones are drafts).")
@click.option(
    "--keep-status",
    is_flag=True,
    help="kiosk-timeline JSON only: publish or keep as drafts exactly as the file says.",
)
@click.option(
    "--lang",
    "locale",
    default=None,
    help="Import the file's texts as this language's translation of events already on the timeline "
    "(matched by unique_id), e.g. ru; dates, eras and status stay as they are.",
)
def import_command(file: Path, dry_run: bool, publish: bool, keep_status: bool, locale: str | None) -> None:
    """Import our JSON, TimelineJS JSON or a TimelineJS spreadsheet (CSV) from FILE.

    All or nothing: any invalid row or item, and nothing is imported.
    """
    if publish and keep_status:
        raise click.UsageError("Choose --publish or --keep-status, not both.")
    if locale is not None and locale not in choice.offered():
        raise click.BadParameter(
            f"{locale!r} is not one of {', '.join(choice.offered())}.", param_hint="--lang"
        )
    data = file.read_bytes()
    if file.resolve() == kiosk_json.DEFAULT_CONTENT.resolve():
        # The default content travels with its translations (stakhanov.<language>.json beside it).
        data = json.dumps(kiosk_json.default_content(), ensure_ascii=False).encode()
    try:
        report = importers.run(
            data,
            source=file.name,
            publish=publish,
            keep_status=keep_status,
            dry_run=dry_run,
            language=None if locale in (None, choice.default()) else locale,
        )
    except importers.ImportRefused as refused:
        click.echo(f"Nothing was imported: {len(refused.problems)} problem(s) in {file}:", err=True)
        for problem in refused.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    except writer.SaveRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    verb = "Would be" if dry_run else "Were"
    click.echo(("Dry run, nothing was changed. " if dry_run else "Imported. ") + report.summary() + ".")
    _print_list(f"{verb} created", report.created)
    _print_list(f"{verb} updated", report.updated)
    _print_list(f"{verb} skipped", report.skipped)
    _print_list("For the curator to check", report.attention)
    if not (publish or keep_status) and report.created:
        click.echo("New events are drafts: publish them in the admin, or import again with --publish.")


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup_command(folder: Path) -> None:
    """Back up the database and media into FOLDER (new or empty), while the kiosk keeps running."""
    try:
        manifest = backup.backup(folder)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Backed up to {folder}: {manifest['eras']} eras, {manifest['events']} events, "
        f"{len(manifest['files']) - 1} media file(s), content version {manifest['content_version']}."
    )


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data that is already there (it is backed up first).")
def restore_command(folder: Path, force: bool) -> None:
    """Restore a backup made with `flask backup` into the data folder. Stop the server first."""
    try:
        result = backup.restore(folder, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = result.manifest
    click.echo(
        f"Restored the backup made {manifest['created_at']}: {manifest['eras']} eras, {manifest['events']} "
        f"events, {len(manifest['files']) - 1} media file(s)."
    )
    if result.kept_previous:
        click.echo(f"The data it replaced is kept in {result.kept_previous}.")
    click.echo("Start the kiosk with `make run` (it applies any newer database migrations).")


@click.group("analytics")
def analytics_group() -> None:
    """Visitor analytics kept on the kiosk's server."""


@analytics_group.command("rollup")
def rollup_command() -> None:
    """Drop raw events and sessions past KIOSK_ANALYTICS_RETENTION_DAYS (daily totals stay), after summing
    again any day marked for it (days recorded before totals were kept as events arrive).

    The kiosks' batches also do this about once an hour; run it from a daily timer on a server whose
    kiosks are often switched off."""
    done = analytics.tidy()
    days = ", ".join(day.isoformat() for day in done.days) or "none"
    click.echo(
        f"Summed again {len(done.days)} day(s): {days}. Dropped {done.expired_events} expired raw event(s)."
    )


@click.group("kiosks")
def kiosks_group() -> None:
    """The kiosks that may report (also on the admin's Kiosks page)."""


@kiosks_group.command("add")
@click.argument("name")
@click.option("--label", default="", help='What curators call it, e.g. "Gallery 3, by the lamp".')
@click.option(
    "--url",
    default="http://127.0.0.1:5000/",
    show_default=True,
    help="The server's address as the kiosk reaches it.",
)
def add_kiosk_command(name: str, label: str, url: str) -> None:
    """Enrol the kiosk NAME and print its start address (with its token, shown only now). A kiosk
    already enrolled under NAME gets a new address, and its old one stops working."""
    try:
        token = fleet.add_kiosk(name, label[:80])
    except fleet.EnrolmentRefused as refused:
        raise click.ClickException(str(refused)) from None
    db.session.commit()
    with current_app.test_request_context(base_url=url):
        click.echo(fleet.start_address(name.lower(), token))


@kiosks_group.command("revoke")
@click.argument("name")
def revoke_kiosk_command(name: str) -> None:
    """Stop the kiosk NAME reporting (it stays on the Kiosks page, and may ask again)."""
    if not fleet.revoke(name.lower()):
        raise click.ClickException(f"No enrolled kiosk is called {name}.")
    db.session.commit()
    click.echo(f"{name} can no longer report.")


def init_app(app: Flask) -> None:
    commands = (seed_command, export_command, import_command, backup_command, restore_command, user_commands)
    for command in (*commands, analytics_group, kiosks_group):
        app.cli.add_command(command)
