"""Curators' recorded narrations: an event's text read aloud by a person, spoken instead of the voice."""

from __future__ import annotations

from .scripts import Script


def apply(script: Script) -> Script:
    return script


def every_recording() -> set[str]:
    return set()
