"""Factories for tests: events and eras with sensible defaults."""

from __future__ import annotations

import secrets
from functools import cache
from itertools import count

from sqlalchemy import select

from kiosk.dates import PartialDate
from kiosk.extensions import db
from kiosk.models import Era, Event, Role, Status, User

_numbers = count(1)


def an_era(**fields) -> Era:
    return db.session.scalar(select(Era).order_by(Era.position)) if not fields else _new_era(**fields)


def _new_era(**fields) -> Era:
    number = next(_numbers)
    era = Era(
        **(
            {
                "slug": f"era-{number}",
                "name": f"Era {number}",
                "start_year": 1906,
                "end_year": 1977,
                "position": 100 + number,
            }
            | fields
        )
    )
    db.session.add(era)
    db.session.flush()
    return era


A_DATE = PartialDate(1930)


def make_event(*, start=A_DATE, end=None, commit=True, **fields) -> Event:
    number = next(_numbers)
    defaults = {
        "slug": f"test-event-{number}",
        "headline": f"Test event {number}",
        "summary": "A summary.",
        "era": an_era(),
        "status": Status.PUBLISHED,
        "sources": ["A source"],
    }
    event = Event(**(defaults | fields))
    event.start, event.end = start, end
    db.session.add(event)
    if commit:
        db.session.commit()
    return event


# A password the policy accepts; its hash is worked out once per run (argon2id is slow on purpose).
PASSWORD = "coal-seam lamp 1935 pick"


@cache
def _password_hash() -> str:
    from kiosk.accounts import _hasher

    return _hasher.hash(PASSWORD)


def make_user(username: str = "curator", role: Role = Role.EDITOR) -> User:
    user = User(
        username=username, role=role, password_hash=_password_hash(), session_token=secrets.token_hex(16)
    )
    db.session.add(user)
    db.session.commit()
    return user
