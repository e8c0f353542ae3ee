"""Speech for the published content: the manifest audio mode reads, the clips made for it, and keeping
them up to date.

When clips are made: the kiosk never makes a visitor wait for the whole timeline. A clip asked for before
it was made is synthesized on the spot (a tenth to a few tenths of a second for a phrase here), and every
serving worker runs a background timer that, after the content version moves (a publish, a translation, a
change of settings) and at start-up, makes every clip of every offered language and then deletes the clips
nothing says any more. One worker at a time does that (an exclusive lock on a file in the data folder, as
scheduled backups take theirs), with a clip at a time under the engine's lock, so a visitor's clip is
never queued behind more than one. `flask speech build` does the same from the command line. `make run`
does not build first: the default content's three languages take a few minutes of one core, and the
first visitor in audio mode needs only the welcome, made on demand.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, url_for
from sqlalchemy.exc import SQLAlchemyError

from ..languages import choice
from ..web.caching import VersionedCache, request_environ
from ..worker_lock import taken_if_free
from . import store
from .scripts import Clip, Part, Script, script_for
from .synthesis import SpeechUnavailable

LOCK_FILE = "speech.lock"
CHECK_SECONDS = 10


def scripts_cache(app: Flask | None = None) -> VersionedCache:
    return (app or current_app).extensions["speech_scripts"]


def script(language: str) -> Script:
    """What audio mode says in ``language`` at the current content version (kept until it moves)."""
    return scripts_cache().get_or_make(("script", language), lambda: script_for(language), request_environ())


def name_of(clip: Clip) -> str:
    return store.name_of(clip.text, store.voice(clip.language))


def known_clips() -> dict[str, Clip]:
    """Every clip any offered language says now, by file name: what the speech address may make."""

    def make() -> dict[str, Clip]:
        return {name_of(clip): clip for code in choice.offered() for clip in script(code).every_clip()}

    return scripts_cache().get_or_make("clips", make, request_environ())


def _clip_json(clip: Clip) -> dict:
    return {"src": url_for("timeline.speech_clip", name=name_of(clip)), "lang": clip.language}


def _part_json(part: Part) -> dict:
    return {"name": part.name, "caption": part.caption, "clips": [_clip_json(clip) for clip in part.clips]}


def manifest(language: str) -> dict:
    """Audio mode's map of the kiosk in one language: the phrases, the eras with their events' slugs,
    each event's card and parts, and the places, every part with its caption and its clips' addresses."""
    said = script(language)
    return {
        "language": language,
        "phrases": {key: _part_json(part) for key, part in said.phrases.items()},
        "eras": [
            {"slug": era["slug"], "part": _part_json(era["part"]), "events": era["events"]}
            for era in said.eras
        ],
        "events": {
            slug: {"card": _part_json(event["card"]), "parts": [_part_json(part) for part in event["parts"]]}
            for slug, event in said.events.items()
        },
        "places": [
            {"key": place["key"], "parts": [_part_json(part) for part in place["parts"]]}
            for place in said.places
        ],
    }


def clip_file(name: str) -> Path | None:
    """The file for a clip's name: kept, or made now when the current content says it; None if unknown."""
    path = store.path_of(name)
    if path.is_file():
        return path
    clip = known_clips().get(name)
    if clip is None:
        return None
    made, _ = store.ensure(clip.text, store.voice(clip.language))
    return made


@dataclass
class BuildReport:
    made: int = 0
    kept: int = 0
    deleted: int = 0
    bytes_by_language: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def build(app: Flask, prune: bool = True) -> BuildReport:
    """Make every clip of every offered language that is not kept yet; then delete those nothing says
    (only after a build that saw the whole content, so a half-done build deletes nothing)."""
    report = BuildReport()
    with app.app_context():
        clips = known_clips()
    for clip in clips.values():
        try:
            path, made = store.ensure(clip.text, store.voice(clip.language, app), app)
        except SpeechUnavailable as error:
            report.failures.append(f"{clip.language}: {error}")
            app.logger.error(
                "Speech for %r in %s could not be made: %s", clip.text[:60], clip.language, error
            )
            continue
        report.made += made
        report.kept += not made
        report.bytes_by_language[clip.language] = report.bytes_by_language.get(clip.language, 0) + (
            path.stat().st_size
        )
    if prune and not report.failures:
        report.deleted = store.prune(set(clips), app)
    return report


def start_timer(app: Flask, check_seconds: float = CHECK_SECONDS, sleep: Callable = time.sleep) -> None:
    """In a serving worker: a daemon thread that builds the speech at start-up and after every move of
    the content version (seen by whichever worker takes the lock; the others find the files made)."""
    built_for: list[int | None] = [None]

    def keep_checking() -> None:
        while True:
            try:
                version = app.extensions["content_version"]()
                if version != built_for[0]:
                    with taken_if_free(Path(app.config["DATA_DIR"]) / LOCK_FILE) as taken:
                        if taken:
                            report = build(app)
                            app.logger.info(
                                "Speech built: %d made, %d kept, %d deleted.",
                                report.made,
                                report.kept,
                                report.deleted,
                            )
                            if not report.failures:
                                built_for[0] = version
            except (SQLAlchemyError, OSError):  # the timer must outlive any one failure
                app.logger.exception("Building the speech failed; it tries again later.")
            sleep(check_seconds * random.uniform(0.8, 1.2))

    threading.Thread(target=keep_checking, name="speech-timer", daemon=True).start()


def init_app(app: Flask) -> None:
    app.extensions["speech_scripts"] = VersionedCache[object](
        app.extensions["content_version"], max_entries=16
    )
    app.extensions["start_speech_timer"] = lambda: start_timer(app)  # gunicorn_conf.py calls it
