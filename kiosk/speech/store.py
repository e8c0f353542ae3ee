"""The speech files: each clip synthesized once and kept in the data folder under a name made from what
decides its sound (the engine, the voice, the rate and the text), so an unchanged text is never made
again and a changed one gets a new name (the kiosk may keep every file forever under its name).

Files are written whole or not at all (a temporary file renamed into place), so a visitor never gets half
a file, and two workers making the same clip at once both end with the same good file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path

from flask import Flask, current_app

from . import synthesis
from .synthesis import AUDIO_SUFFIX, Voice

log = logging.getLogger(__name__)
# Bumped when the way a text becomes sound changes (engine, encoding), so every file is made again.
ENGINE = "espeak-ng/opus16k-18kbit/1"
NAME = re.compile(r"[0-9a-f]{32}")


def folder(app: Flask | None = None) -> Path:
    return Path((app or current_app).config["SPEECH_DIR"])


def voice(language: str, app: Flask | None = None) -> Voice:
    return Voice(language, int((app or current_app).config["SPEECH_WORDS_PER_MINUTE"]))


def name_of(text: str, spoken_by: Voice) -> str:
    """A clip's file name (without its suffix): a digest of everything that decides its sound."""
    key = "\0".join((ENGINE, spoken_by.language, str(spoken_by.words_per_minute), text))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def path_of(name: str, app: Flask | None = None) -> Path:
    return folder(app) / f"{name}{AUDIO_SUFFIX}"


def write_whole(path: Path, data: bytes) -> None:
    """``data`` at ``path``, appearing there complete or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-", suffix=AUDIO_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def ensure(text: str, spoken_by: Voice, app: Flask | None = None) -> tuple[Path, bool]:
    """The clip's file, synthesized now when it is not kept yet; and whether it was made now."""
    path = path_of(name_of(text, spoken_by), app)
    if path.is_file():
        return path, False
    write_whole(path, synthesis.synthesize(text, spoken_by))
    return path, True


def prune(keep: set[str], app: Flask | None = None) -> int:
    """Delete kept clips whose names are not in ``keep`` (texts no longer spoken); the number deleted."""
    deleted = 0
    for path in folder(app).glob(f"*{AUDIO_SUFFIX}"):
        if path.stem not in keep:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
