"""Backup and restore of everything the kiosk keeps: the SQLite database and the media folder.

A backup folder holds ``kiosk.sqlite3`` (a consistent snapshot made with SQLite's online backup API, so
the server can keep serving and writing meanwhile), ``media/`` and ``manifest.json`` (when, the content
version, the schema revision and a SHA-256 checksum for every file). The secret key is left out on
purpose: a backup should not carry the key that signs sessions.

Restore verifies every checksum first, then replaces the data without a half-restored moment: the
database through SQLite (one transaction; other connections see the old or the new content, never a
mix), or by renaming a verified copy into an empty folder; the media folder by renaming. Restoring over
existing data needs ``force`` and keeps a backup of that data first.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from flask import current_app

from ..database import modern_sqlite as sqlite
from ..editing import audit
from ..extensions import db

FORMAT, VERSION = "kiosk-backup", 1
MANIFEST, DATABASE, MEDIA = "manifest.json", "kiosk.sqlite3", "media"
POSTGRES_ADVICE = (
    "KIOSK_DATABASE_URL points at {dialect}, and `flask backup` snapshots SQLite only. For {dialect}, use "
    'its own tool (for PostgreSQL: pg_dump --format=custom "$KIOSK_DATABASE_URL" > kiosk.dump, restored '
    "with pg_restore) and copy the media folder ({media}) alongside. `flask export --format json` plus the "
    "media folder keeps the content (eras, events, title, further reading), but not accounts, revisions "
    "or the audit log."
)


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message says why. Nothing was changed."""


@dataclass
class RestoreResult:
    manifest: dict
    kept_previous: Path | None  # where the data that was replaced was saved


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def database_path() -> Path:
    """The SQLite file, or a clear refusal for any other database."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupError(POSTGRES_ADVICE.format(dialect=url.get_backend_name(), media=media_dir()))
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory; there is nothing on disk to back up.")
    return Path(url.database).resolve()


def media_dir() -> Path:
    return Path(current_app.config["MEDIA_DIR"])


def backups_folder() -> Path:
    """Where backups go: KIOSK_BACKUP_DIR (another disk, a network share), else the data folder's backups/."""
    configured = current_app.config.get("BACKUP_DIR") or ""
    return Path(configured or Path(current_app.config["DATA_DIR"]) / "backups").resolve()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _connect(path: Path) -> sqlite.Connection:
    connection = sqlite.connect(str(path), timeout=15)
    connection.execute("PRAGMA busy_timeout=15000")
    return connection


def _snapshot_database(source: Path, target: Path) -> dict:
    """Copy the live database with the online backup API, in one step: a single consistent read."""
    if not source.is_file():
        raise BackupError(f"There is no database at {source} to back up.")
    live, copy = _connect(source), sqlite.connect(str(target))
    try:
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("The database copy failed SQLite's integrity check; nothing was saved.")
        return {
            "content_version": copy.execute("SELECT version FROM content_state WHERE id = 1").fetchone()[0],
            "schema_revision": copy.execute("SELECT version_num FROM alembic_version").fetchone()[0],
            "events": copy.execute("SELECT count(*) FROM event").fetchone()[0],
            "eras": copy.execute("SELECT count(*) FROM era").fetchone()[0],
        }
    except sqlite.Error as error:
        raise BackupError(f"The database at {source} could not be backed up: {error}.") from error
    finally:
        copy.close()
        live.close()


def _checksums(folder: Path) -> dict[str, dict]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)
    return {
        p.relative_to(folder).as_posix(): {"bytes": p.stat().st_size, "sha256": _sha256(p)} for p in files
    }


def _refuse_non_empty(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} already exists and is not empty; choose a new folder for the backup.")


def backup(target: Path, *, record: bool = True) -> dict:
    """Write a backup into ``target`` (new or empty); returns its manifest.

    The folder appears complete or not at all: it is written beside the target and renamed into place.
    """
    source = database_path()
    target = Path(target).resolve()
    _refuse_non_empty(target)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    working = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.partial-"))
    try:
        facts = _snapshot_database(source, working / DATABASE)
        # Media after the database: every image the snapshot refers to was stored before it was taken.
        if media_dir().is_dir():
            shutil.copytree(media_dir(), working / MEDIA)
        else:
            (working / MEDIA).mkdir()
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": _now(),
            "sqlite_version": sqlite.sqlite_version,
            **facts,
            "files": _checksums(working),
        }
        (working / MANIFEST).write_text(
            json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        for written in (working / DATABASE, working / MANIFEST):
            written.chmod(0o600)  # the database holds password hashes
        if target.exists():
            target.rmdir()
        os.replace(working, target)
    except BaseException:
        shutil.rmtree(working, ignore_errors=True)
        raise
    if record:
        audit.record("backup", str(target), f"content version {manifest['content_version']}")
        db.session.commit()
    return manifest


def timestamped_folder(parent: Path) -> Path:
    """A new folder name in ``parent`` for a backup made now (``2025-03-14T140210Z``, ``…-2`` if taken)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    candidate, number = Path(parent) / stamp, 1
    while candidate.exists():
        number += 1
        candidate = Path(parent) / f"{stamp}-{number}"
    return candidate


def list_backups(parent: Path) -> list[dict]:
    """The backups in ``parent``, newest first: each manifest plus its folder's ``name``.

    Only the manifest is read (checking every file is for restore); folders without one are left out.
    """
    found = []
    for folder in Path(parent).iterdir() if Path(parent).is_dir() else []:
        if folder.name.startswith("."):  # one being written, or a copy being checked
            continue
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(manifest, dict) and manifest.get("format") == FORMAT:
            found.append(manifest | {"name": folder.name})
    return sorted(found, key=lambda made: (str(made.get("created_at", "")), made["name"]), reverse=True)


def _refuse_links(source: Path) -> None:
    """A symbolic link anywhere in a backup would copy whatever it points at into the data folder."""
    links = [source] if source.is_symlink() else []
    for folder, folders, files in os.walk(source, followlinks=False):
        links += [Path(folder, name) for name in (*folders, *files) if Path(folder, name).is_symlink()]
    if links:
        raise BackupError(
            f"{source} cannot be restored: it contains symbolic links ({', '.join(map(str, links[:5]))}). "
            "A backup made by `flask backup` has none; nothing was changed."
        )


def _own_entry(name, expected) -> bool:
    """A manifest entry as ``backup`` writes it: the database or a file under media/, with its checksum."""
    if not isinstance(name, str) or "\\" in name or "\x00" in name or not isinstance(expected, dict):
        return False
    parts = PurePosixPath(name).parts
    inside = name == DATABASE or (len(parts) > 1 and parts[0] == MEDIA and ".." not in parts)
    return inside and isinstance(expected.get("bytes"), int) and isinstance(expected.get("sha256"), str)


def _refuse_foreign_paths(source: Path, files) -> None:
    """Every file the manifest names must be the database or inside media/, as written by ``backup``."""
    if not isinstance(files, dict):
        raise BackupError(f"{source} cannot be restored: its {MANIFEST} lists no files; nothing was changed.")
    outside = [repr(name) for name, expected in files.items() if not _own_entry(name, expected)]
    if outside:
        raise BackupError(
            f"{source} cannot be restored: its {MANIFEST} names files outside the backup or malformed "
            f"entries ({', '.join(outside[:5])}); nothing was changed."
        )


def verify(source: Path) -> dict:
    """The backup's manifest, after checking every file against it; BackupError lists what is wrong."""
    source = Path(source)
    _refuse_links(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(
            f"{source} is not a kiosk backup: {MANIFEST} is missing or unreadable ({error})."
        ) from error
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or manifest.get("version") != VERSION
    ):
        raise BackupError(
            f"{source} is not a kiosk backup this version can read ({MANIFEST} says otherwise)."
        )
    problems = []
    files: dict = manifest.get("files") or {}
    _refuse_foreign_paths(source, files)
    if DATABASE not in files:
        problems.append(f"the manifest lists no {DATABASE}")
    for name in sorted(set(_checksums(source)) - set(files)):
        problems.append(f"{name} is not listed in the manifest")
    for name, expected in sorted(files.items()):
        path = source / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size != expected["bytes"] or _sha256(path) != expected["sha256"]:
            problems.append(f"{name} does not match its checksum (damaged or changed since the backup)")
    if problems:
        raise BackupError("The backup cannot be restored:\n  " + "\n  ".join(problems))
    known = {script.revision for script in migrate_scripts()}
    if manifest.get("schema_revision") not in known:
        raise BackupError(
            f"The backup's database schema ({manifest.get('schema_revision')}) is unknown to this version of "
            "the kiosk; restore it with the version that made it."
        )
    return manifest


def migrate_scripts():
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config(current_app.extensions["migrate"].directory)
    return ScriptDirectory.from_config(config).walk_revisions()


def preview(source: Path) -> dict:
    """A restore's dry run: the backup's manifest once every file is checked (BackupError otherwise), and
    what the kiosk holds now, which the restore would replace (after keeping a backup of it)."""
    from sqlalchemy import func, select

    from ..models import ContentState, Era, Event

    manifest = verify(source)
    media = [path for path in media_dir().rglob("*") if path.is_file()] if media_dir().is_dir() else []
    now = {
        "events": db.session.scalar(select(func.count(Event.id))) or 0,
        "eras": db.session.scalar(select(func.count(Era.id))) or 0,
        "media_files": len(media),
        "content_version": db.session.scalar(select(ContentState.version)) or 0,
    }
    return {"backup": manifest | {"media_files": len(manifest["files"]) - 1}, "now": now}


def existing_data() -> list[str]:
    """What a restore would replace, described for the curator (empty: nothing to lose)."""
    found = []
    database = database_path()
    if database.is_file() and database.stat().st_size > 0:
        found.append(f"a database ({database.name})")
    media = [p for p in media_dir().rglob("*") if p.is_file()] if media_dir().is_dir() else []
    if media:
        found.append(f"{len(media)} media file(s)")
    return found


def _prepare_database(source: Path, working: Path, expected: dict, live: Path | None, by: str) -> Path:
    """A verified copy of the backup's database, with the restore noted in it, ready to swap in."""
    copy = working / DATABASE
    shutil.copyfile(source / DATABASE, copy)
    copy.chmod(0o600)
    if _sha256(copy) != expected["sha256"]:
        raise BackupError("The database copy does not match the backup's checksum; nothing was restored.")
    connection = sqlite.connect(str(copy))
    try:
        with connection:
            if live is not None:
                # Pages and stylesheets are cached by content version: move it past the replaced one.
                replaced = _content_version(live)
                connection.execute(
                    "UPDATE content_state SET version = max(version, ?) + 1 WHERE id = 1", (replaced,)
                )
            connection.execute(
                "INSERT INTO audit_entry (at, username, action, target, detail, address)"
                " VALUES (?, ?, 'restore', ?, ?, '')",
                (
                    datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" "),
                    by,
                    str(source),
                    f"backup made {expected.get('created_at', '?')}",
                ),
            )
    finally:
        connection.close()
    return copy


def _content_version(path: Path) -> int:
    connection = _connect(path)
    try:
        row = connection.execute("SELECT version FROM content_state WHERE id = 1").fetchone()
        return row[0] if row else 0
    except sqlite.Error:
        return 0
    finally:
        connection.close()


def _copy_media(source: Path) -> Path:
    """The backup's media beside the live media folder (same disk, so it can be renamed into place)."""
    media = media_dir()
    media.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(dir=media.parent, prefix=".media-restore-"))
    if (source / MEDIA).is_dir():
        shutil.copytree(source / MEDIA, staged / MEDIA)
    else:
        (staged / MEDIA).mkdir()
    return staged


def _swap_media(staged: Path) -> Path | None:
    """Put the restored media folder in place; returns where the old one went (to undo)."""
    media, previous = media_dir(), None
    if media.exists():
        previous = staged / "replaced"
        os.replace(media, previous)
    os.replace(staged / MEDIA, media)
    return previous


def _undo_media(staged: Path, previous: Path | None) -> None:
    media = media_dir()
    os.replace(media, staged / MEDIA)
    if previous is not None:
        os.replace(previous, media)


def restore(source: Path, *, force: bool = False, by: str = "command line") -> RestoreResult:
    """Replace the kiosk's data with a backup; see the module docstring for the guarantees. ``by`` names
    who restored it in the audit log of the restored database."""
    live = database_path()
    manifest = verify(source)
    source = Path(source).resolve()
    replacing = existing_data()
    if replacing and not force:
        raise BackupError(
            f"The data folder {live.parent} already holds {' and '.join(replacing)}. A restore replaces "
            "what is there: run it again with --force to do that (the current data is backed up first)."
        )
    kept = None
    if replacing:
        kept = backups_folder() / f"before-restore-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"
        try:
            backup(kept, record=False)
        except (BackupError, OSError) as error:
            raise BackupError(
                f"Could not keep a copy of the current data first, so nothing was restored ({error}). "
                "Move the data folder aside and restore into an empty one."
            ) from error
    db.session.remove()
    db.engine.dispose()  # our own pooled connections must not hold the old database open
    live.parent.mkdir(parents=True, exist_ok=True)
    working = Path(tempfile.mkdtemp(dir=live.parent, prefix=".restore-"))
    staged = None
    try:
        database_exists = live.is_file() and live.stat().st_size > 0
        copy = _prepare_database(
            source, working, manifest["files"][DATABASE], live if database_exists else None, by
        )
        staged = _copy_media(source)
        previous_media = _swap_media(staged)
        try:
            _swap_database(copy, live, database_exists)
        except BaseException:
            _undo_media(staged, previous_media)
            raise
    finally:
        shutil.rmtree(working, ignore_errors=True)
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)
    return RestoreResult(manifest, kept)


def _swap_database(copy: Path, live: Path, database_exists: bool) -> None:
    if database_exists:
        restored, target = _connect(copy), _connect(live)
        try:
            restored.backup(target)  # one write transaction on the live database
        finally:
            target.close()
            restored.close()
        return
    for leftover in (live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        leftover.unlink(missing_ok=True)  # left by no database: they would be replayed into the new one
    os.replace(copy, live)
