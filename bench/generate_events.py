"""Add generated published events to the database KIOSK_DATA_DIR (or KIOSK_DATABASE_URL) names.

    .venv/bin/python bench/generate_events.py 4970

Events go into the existing eras, dated within each era's years, with text of realistic length;
through our own models (kiosk.editing.writer.fixture_writes), so every default applies as in real use and
the content version moves on.
"""

from __future__ import annotations

import random
import sys

from _support import ROOT  # noqa: F401 - puts the project on the path

from kiosk import create_app
from kiosk.content.dates import PartialDate
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.models import Era, Event, Status

WORDS = [
    "coal",
    "seam",
    "shift",
    "brigade",
    "hewer",
    "mine",
    "shaft",
    "tonnes",
    "record",
    "plan",
    "Donbas",
    "Kadiyevka",
    "pick",
    "hammer",
    "lamp",
    "comrade",
    "newspaper",
    "congress",
    "medal",
    "factory",
    "village",
    "winter",
    "spring",
    "harvest",
    "train",
    "Moscow",
]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def generate(count: int, seed: int = 1935) -> None:
    """Written straight through the session (a benchmark's set-up, not a curator's change): no revisions."""
    rng = random.Random(seed)
    eras = db.session.scalars(db.select(Era).order_by(Era.position)).all()
    with fixture_writes():
        _add(rng, eras, count)


def _add(rng: random.Random, eras, count: int) -> None:
    for number in range(count):
        era = eras[number % len(eras)]
        year = rng.randint(era.start_year, era.end_year)
        event = Event(
            slug=f"generated-{number}",
            headline=sentence(rng, 6)[:120],
            summary=sentence(rng, 25),
            body="\n\n".join(sentence(rng, 40) for _ in range(3)),
            sources=[sentence(rng, 8)],
            era=era,
            status=Status.PUBLISHED,
            featured=number % 97 == 0,
        )
        event.start = PartialDate(year, rng.randint(1, 12), rng.randint(1, 28))
        db.session.add(event)
        if number % 500 == 499:
            db.session.flush()


if __name__ == "__main__":
    app = create_app()
    with app.app_context():
        generate(int(sys.argv[1]) if len(sys.argv) > 1 else 4970)
