"""Factories for tests: events and eras with sensible defaults."""

from __future__ import annotations

import secrets
from functools import cache
from io import BytesIO
from itertools import count

import psycopg
from PIL import Image, ImageDraw
from sqlalchemy import select

from kiosk.content import fields, media
from kiosk.content.dates import PartialDate
from kiosk.editing import writer
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.models import Era, Event, Media, Role, Status, User

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
    with fixture_writes():
        db.session.add(era)
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
    if not commit:  # the caller adds more, then writes it all in fixture_writes()
        db.session.add(event)
        return event
    with fixture_writes():
        db.session.add(event)
    return event


def changes_of(event: Event, **typed) -> writer.EventChanges:
    """What the edit form hands over for ``event`` as it is, with ``typed`` changed (by their keys in
    the item: headline, summary, status…)."""
    item = fields.item_of(event)
    kept = {spec.key for spec in fields.EVENT if spec.section and spec.kind is not fields.REFERENCE}
    values: dict = {}
    for key in kept - {"image.url"}:
        fields.EVENT.put(values, key, fields.EVENT.value(item, key))
    for key, value in typed.items():
        if key != "era":
            fields.EVENT.put(values, key, value.value if isinstance(value, Status) else value)
    return writer.EventChanges(values, era=typed.get("era", event.era))


# A password the policy accepts; its hash is worked out once per run (argon2id is slow on purpose).
PASSWORD = "coal-seam lamp 1935 pick"


@cache
def _password_hash() -> str:
    from kiosk.accounts.users import hasher

    return hasher().hash(PASSWORD)


def make_user(username: str = "curator", role: Role = Role.EDITOR) -> User:
    user = User(
        username=username, role=role, password_hash=_password_hash(), session_token=secrets.token_hex(16)
    )
    db.session.add(user)
    db.session.commit()
    return user


def photo(kind: str = "JPEG", size=(640, 480), exif: bytes | None = None) -> bytes:
    """An image file of the given format and size, as a curator would upload it."""
    image = Image.new("RGB", size, (120, 90, 60))
    ImageDraw.Draw(image).ellipse((size[0] // 3, size[1] // 4, size[0] * 2 // 3, size[1] * 3 // 4), "tan")
    buffer = BytesIO()
    image.save(buffer, kind, **({"exif": exif} if exif else {}))
    return buffer.getvalue()


def store_photo(**options) -> Media:
    """A photograph stored as a curator's upload is (its Media row staged, the caller commits)."""
    return media.store(media.prepare(BytesIO(photo(**options))))


def attach_image(event: Event, **fields) -> Media:
    """Give an event a photograph, stored as a curator's upload would be."""
    with fixture_writes():
        event.image = store_photo(kind="PNG", size=(1200, 800))
        event.image_alt = fields.get("alt", "Miners at the coal face")
        event.image_caption = fields.get("caption", "The coal face, 1935.")
        event.image_credit = fields.get("credit", "")
    return event.image


class DatabaseStatements:
    """Every statement the app's connections send to the database: through SQLAlchemy or, like the
    content version's reader, on the driver's own cursor (which no SQLAlchemy event sees). Each
    connection is watched from its next checkout (the `database_statements` fixture)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def watch(self, dbapi_connection, *_args) -> None:
        if db.engine.dialect.name == "sqlite":
            dbapi_connection.set_trace_callback(self.sent.append)
            return
        sent = self.sent

        class CountingCursor(psycopg.Cursor):
            def execute(self, query, *args, **kwargs):
                if str(query).strip() != ";":  # the pool's liveness ping at checkout (pool_pre_ping)
                    sent.append(str(query))
                return super().execute(query, *args, **kwargs)

        dbapi_connection.cursor_factory = CountingCursor

    def clear(self) -> None:
        self.sent.clear()

    def count(self, client, path: str, **headers) -> int:
        """The statements one request for `path` costs."""
        db.session.remove()  # nothing loaded before may spare the page a query
        self.clear()
        assert client.get(path, headers=headers).status_code == 200
        return len(self.sent)
