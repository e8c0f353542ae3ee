"""The Stakhanov kiosk timeline: a Flask application for a museum touch screen.

The package itself loads nothing: the app lives in ``kiosk.application``, so that a command which finds
nothing to do (``python -m kiosk.prepare`` on a set-up checkout, before every start) is done in
milliseconds instead of the second that importing Flask and the whole app takes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """The app factory (``kiosk.application.create_app``); ``flask --app kiosk`` and gunicorn call it."""
    from .application import create_app as build

    return build(test_config)
