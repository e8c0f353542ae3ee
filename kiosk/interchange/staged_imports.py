"""Uploaded import files kept between the dry run and the confirmation, on the server only.

The browser gets a random token, never a path; the file lives in DATA_DIR/imports/<token>.json with the
name it was uploaded under and the account that uploaded it, and expires after an hour. The confirmation
reads it back by token and account, then imports it again from scratch (importers re-checks it all).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

EXPIRY_SECONDS = 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}\Z")


@dataclass
class StagedFile:
    data: bytes
    filename: str


def _folder() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "imports"


def _path(token: str) -> Path | None:
    return _folder() / f"{token}.json" if _TOKEN.fullmatch(token or "") else None


def prune(now: float | None = None) -> None:
    """Forget uploads nobody confirmed in time."""
    now = time.time() if now is None else now
    for path in _folder().glob("*.json") if _folder().is_dir() else []:
        try:
            if now - path.stat().st_mtime > EXPIRY_SECONDS:
                path.unlink()
        except OSError:  # removed meanwhile by another worker
            continue


def stage(data: bytes, filename: str, owner: int) -> str:
    """Keep ``data`` for ``owner``'s confirmation; returns the token that names it."""
    prune()
    folder = _folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    record = {"filename": filename, "owner": owner, "data": base64.b64encode(data).decode("ascii")}
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        os.replace(temporary, folder / f"{token}.json")
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return token


def load(token: str, owner: int) -> StagedFile | None:
    """The file staged under ``token`` by ``owner``; None when unknown, expired or someone else's."""
    path = _path(token)
    if path is None:
        return None
    try:
        if time.time() - path.stat().st_mtime > EXPIRY_SECONDS:
            return None
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("owner") != owner:
            return None
        return StagedFile(base64.b64decode(record["data"]), str(record.get("filename", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def discard(token: str) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)
