"""Command-line tools: ``flask --app kiosk seed`` and friends."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from . import interchange
from .extensions import db
from .models import Era, Event


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
    report = interchange.load_file(interchange.DEFAULT_CONTENT)
    db.session.commit()
    click.echo(f"Loaded the default content: {len(report.created)} eras and events.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
