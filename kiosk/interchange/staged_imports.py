"""Uploaded import files kept between the dry run and the confirmation, on the server only.

The browser gets a random token, never a path. The file lives in DATA_DIR/imports as <token>.upload (the
bytes as uploaded) beside <token>.json (the name it was uploaded under, the account that uploaded it and
its size), and expires after an hour. The confirmation reads it back by token and account, then imports it
again from scratch (importers re-checks it all).

Waiting uploads have quotas, per curator and in total, in files and in bytes, so that one editor cannot
fill the disk: an upload past a quota is refused and nothing of it is stored. Every gunicorn worker
stages into the same folder, so the count and the write happen under one lock on the folder.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import re
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

EXPIRY_SECONDS = 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}\Z")
_LOCK = ".lock"
MEGABYTE = 1024 * 1024


@dataclass
class StagedFile:
    data: bytes
    filename: str


@dataclass
class _Waiting:
    """One upload waiting for confirmation, as its small record describes it."""

    token: str
    owner: int
    size: int
    staged_at: float


class QuotaExceeded(Exception):
    """An upload refused because it would pass a quota; the message says which and what to do."""

    def __init__(self, message: str, own: bool):
        super().__init__(message)
        self.message = message
        self.own = own  # True when the curator can make room by discarding their own uploads


def readable_size(size: int) -> str:
    """Bytes as a curator reads them: "5 MB", "1.7 KB", "100 bytes" (1 MB is 1,048,576 bytes)."""
    if size >= MEGABYTE:
        return _("%(size)s MB", size=f"{round(size / MEGABYTE, 1):g}")
    if size >= 1024:
        return _("%(size)s KB", size=f"{round(size / 1024, 1):g}")
    return _("%(size)s bytes", size=size)


def _quota(name: str) -> int:
    """KIOSK_IMPORT_QUOTA_*: what one curator, and everyone together, may keep waiting (kiosk.config)."""
    return int(current_app.config[name])


def _folder() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "imports"


def _paths(token: str) -> tuple[Path, Path] | None:
    """The record and the bytes of ``token``; None for anything that is not a token we hand out."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    return _folder() / f"{token}.json", _folder() / f"{token}.upload"


@contextmanager
def _folder_locked() -> Iterator[Path]:
    """The imports folder, with every other worker's staging and pruning kept out until we are done."""
    folder = _folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with os.fdopen(os.open(folder / _LOCK, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _expired(path: Path, now: float) -> bool:
    return now - path.stat().st_mtime > EXPIRY_SECONDS


def _prune(folder: Path, now: float) -> None:
    """Remove uploads nobody confirmed in time, and anything a crashed worker left half-written."""
    for path in folder.iterdir():
        try:
            if path.name != _LOCK and _expired(path, now):
                path.unlink()
                if path.suffix == ".json":  # the record goes, and with it the bytes it describes
                    path.with_suffix(".upload").unlink(missing_ok=True)
        except OSError:  # removed meanwhile by a confirmation
            continue


def _waiting(folder: Path) -> list[_Waiting]:
    uploads = []
    for record_path in folder.glob("*.json"):
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            uploads.append(
                _Waiting(
                    record_path.stem, int(record["owner"]), int(record["size"]), record_path.stat().st_mtime
                )
            )
        except (OSError, ValueError, KeyError, TypeError):  # unreadable: it expires like any other
            continue
    return uploads


def _minutes_until_one_expires(uploads: list[_Waiting], now: float) -> int:
    oldest = min(upload.staged_at for upload in uploads)
    return max(1, math.ceil((oldest + EXPIRY_SECONDS - now) / 60))


def _check_quotas(uploads: list[_Waiting], size: int, owner: int, now: float) -> None:
    """Raise QuotaExceeded when keeping ``size`` more bytes for ``owner`` would pass a quota."""
    own = [upload for upload in uploads if upload.owner == owner]
    for group, is_own, files_quota, bytes_quota in (
        (own, True, _quota("IMPORT_QUOTA_USER_FILES"), _quota("IMPORT_QUOTA_USER_BYTES")),
        (uploads, False, _quota("IMPORT_QUOTA_TOTAL_FILES"), _quota("IMPORT_QUOTA_TOTAL_BYTES")),
    ):
        held = sum(upload.size for upload in group)
        if len(group) < files_quota and held + size <= bytes_quota:
            continue
        if size > bytes_quota:
            reason = _(
                "This file (%(size)s) is larger than the %(bytes)s that may wait for confirmation.",
                size=readable_size(size),
                bytes=readable_size(bytes_quota),
            )
        elif is_own:
            reason = ngettext(
                "You already have %(num)d upload waiting for confirmation (%(held)s); one curator may keep "
                "at most %(files)d files and %(bytes)s waiting.",
                "You already have %(num)d uploads waiting for confirmation (%(held)s); one curator may keep "
                "at most %(files)d files and %(bytes)s waiting.",
                len(group),
                held=readable_size(held),
                files=files_quota,
                bytes=readable_size(bytes_quota),
            )
        else:
            reason = _(
                "The server is holding all the uploads it may keep waiting for confirmation "
                "(at most %(files)d files and %(bytes)s, from all curators).",
                files=files_quota,
                bytes=readable_size(bytes_quota),
            )
        parts = [reason, _("Nothing was stored.")]
        if group and size <= bytes_quota:
            minutes = _minutes_until_one_expires(group, now)
            parts.append(_("The oldest of them expires in %(minutes)d minutes.", minutes=minutes))
        raise QuotaExceeded(" ".join(parts), own=is_own and bool(group) and size <= bytes_quota)


def _write_new(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` all at once: a reader never sees half a file."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def stage(data: bytes, filename: str, owner: int) -> str:
    """Keep ``data`` for ``owner``'s confirmation; returns the token that names it. Raises QuotaExceeded
    (having stored nothing) when it would pass a quota."""
    now = time.time()
    with _folder_locked() as folder:
        _prune(folder, now)
        _check_quotas(_waiting(folder), len(data), owner, now)
        token = secrets.token_urlsafe(24)
        record = {"filename": filename, "owner": owner, "size": len(data)}
        _write_new(folder / f"{token}.upload", data)
        _write_new(folder / f"{token}.json", json.dumps(record).encode("utf-8"))  # last: now it counts
    return token


def load(token: str, owner: int) -> StagedFile | None:
    """The file staged under ``token`` by ``owner``; None when unknown, expired or someone else's."""
    paths = _paths(token)
    if paths is None:
        return None
    record_path, data_path = paths
    try:
        if _expired(record_path, time.time()):
            return None
        record = json.loads(record_path.read_text(encoding="utf-8"))
        if record.get("owner") != owner:
            return None
        return StagedFile(data_path.read_bytes(), str(record.get("filename", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def discard(token: str) -> None:
    paths = _paths(token)
    for path in paths or ():
        path.unlink(missing_ok=True)


def withdraw(owner: int, token: str | None = None) -> int:
    """Forget ``owner``'s upload ``token`` (a cancelled dry run), or all of ``owner``'s waiting uploads
    when no token is given; someone else's are left alone. Returns how many were forgotten."""
    if not _folder().is_dir():
        return 0
    with _folder_locked() as folder:
        own = [
            upload for upload in _waiting(folder) if upload.owner == owner and token in (None, upload.token)
        ]
        for upload in own:
            discard(upload.token)
    return len(own)
