"""Places become records of their own: a place (name, note, coordinates, the years he lived there and their
wording) with its translations, which events refer to instead of each carrying a copy.

Upgrading gathers the places events carry ({"name": {locale: text}, "note": {locale: text}, "lat", "lon"}),
one record for each default-language name and coordinates (the first event's texts, in time order), its
other languages as translations made from its current text (so up to date); each event then refers to its
record, and so do the revision snapshots whose place is one of them (a snapshot's place that no event has
any more stays as it was: history reads both, and restoring one finds or makes its record). The years are
new: they start empty. The old column stays, unread (Event.carried_place): migrations only ever add, so
that the code still serving during an upgrade keeps working (docs/deployment.md); a later one drops it.

Downgrading copies each record's texts back onto its events (and snapshots) in the old shape; the years,
their wording and the places' own history are lost.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 23:10:00.000000

"""

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Kept here as they are now (the code may change later, this revision's meaning does not): the language the
# old place objects named their default texts in, and the texts a place's translation is made from.
DEFAULT_LOCALE = "en"
TRANSLATED = ("name", "note", "display_years")

event = sa.table(
    "event",
    sa.column("id", sa.Integer),
    sa.column("sort_key", sa.Integer),
    sa.column("place", sa.JSON),
    sa.column("place_id", sa.Integer),
)
place = sa.table(
    "place",
    *(sa.column(name, sa.Integer) for name in ("id", "version", "years_from", "years_to")),
    *(sa.column(name, sa.String) for name in ("slug", *TRANSLATED)),
    sa.column("lat", sa.Float),
    sa.column("lon", sa.Float),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)
translation = sa.table(
    "place_translation",
    *(sa.column(name, sa.Integer) for name in ("id", "place_id", "version")),
    *(sa.column(name, sa.String) for name in ("locale", "source_hash", *TRANSLATED)),
    sa.column("updated_at", sa.DateTime),
)
revision_table = sa.table(
    "revision",
    sa.column("id", sa.Integer),
    sa.column("entity_type", sa.String),
    sa.column("snapshot", sa.JSON),
)


def _fingerprint(values: dict) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _default(texts: dict | None) -> str:
    texts = texts or {}
    return texts.get(DEFAULT_LOCALE) or next((texts[locale] for locale in sorted(texts)), "")


def _identity(name: str, lat: float, lon: float) -> tuple:
    """What makes two places the same one: the default name (case aside) and the coordinates."""
    return " ".join(name.split()).casefold(), round(float(lat), 4), round(float(lon), 4)


def _slug(name: str, taken: set[str]) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    wanted = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:72].strip("-") or "place"
    slug, number = wanted, 1
    while slug in taken:
        number += 1
        slug = f"{wanted}-{number}"
    taken.add(slug)
    return slug


def _is_place(value) -> bool:
    return (
        isinstance(value, dict) and isinstance(value.get("name"), dict) and "lat" in value and "lon" in value
    )


def _gather_places(connection) -> dict[tuple, int]:
    """A record for each place the events carry, their translations, and each event pointed at its record;
    the records' ids by identity."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = connection.execute(
        sa.select(event.c.id, event.c.place)
        .where(event.c.place.is_not(None))
        .order_by(event.c.sort_key, event.c.id)
    ).all()
    found: dict[tuple, int] = {}
    taken: set[str] = set()
    for event_id, value in rows:
        if not _is_place(value):
            continue
        name = _default(value["name"])
        identity = _identity(name, value["lat"], value["lon"])
        if identity not in found:
            note = _default(value.get("note"))
            made = connection.execute(
                place.insert()
                .values(
                    slug=_slug(name, taken), name=name, note=note, display_years="", lat=value["lat"],
                    lon=value["lon"], years_from=None, years_to=None, created_at=now, updated_at=now,
                    version=1,
                )
                .returning(place.c.id)
            )  # fmt: skip
            place_id = made.scalar_one()
            found[identity] = place_id
            made_from = _fingerprint({"name": name, "note": note, "display_years": ""})
            locales = sorted((set(value["name"]) | set(value.get("note") or {})) - {DEFAULT_LOCALE})
            for locale in locales:
                texts = {
                    "name": value["name"].get(locale, ""),
                    "note": (value.get("note") or {}).get(locale, ""),
                    "display_years": "",
                }
                if texts["name"] == name and texts["note"] == note:  # (the default text, not a translation)
                    continue
                connection.execute(
                    translation.insert().values(
                        place_id=place_id,
                        locale=locale,
                        source_hash=made_from,
                        updated_at=now,
                        version=1,
                        **texts,
                    )
                )
        connection.execute(event.update().where(event.c.id == event_id).values(place_id=found[identity]))
    return found


KEEP = object()  # a snapshot's place that stays as it is


def _rewrite_snapshots(connection, rewrite) -> None:
    """Each event revision's place as ``rewrite`` makes it (KEEP: left as it is)."""
    query = sa.select(revision_table.c.id, revision_table.c.snapshot).where(
        revision_table.c.entity_type == "event"
    )
    for revision_id, snapshot in connection.execute(query).all():
        if not isinstance(snapshot, dict) or "place" not in snapshot:
            continue
        rewritten = rewrite(snapshot["place"])
        if rewritten is not KEEP:
            connection.execute(
                revision_table.update()
                .where(revision_table.c.id == revision_id)
                .values(snapshot=snapshot | {"place": rewritten})
            )


@contextmanager
def _foreign_keys_off() -> Iterator[None]:
    """SQLite changes a table by building a new one and dropping the old (Alembic's batch mode): while it
    enforces foreign keys, dropping "event" would delete every event's translations with it (ON DELETE
    CASCADE). So enforcement is switched off around the change (outside a transaction, where SQLite allows
    it: the work before is committed first), switched on again after, and every reference checked."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    with op.get_context().autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=ON")
    broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"references that lead nowhere after changing the event table: {broken[:5]}")


def upgrade():
    with _foreign_keys_off():
        _upgrade()


def downgrade():
    with _foreign_keys_off():
        _downgrade()


def _upgrade():
    op.create_table(
        "place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("years_from", sa.Integer(), nullable=True),
        sa.Column("years_to", sa.Integer(), nullable=True),
        sa.Column("display_years", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place")),
        sa.UniqueConstraint("slug", name=op.f("uq_place_slug")),
    )
    op.create_table(
        "place_translation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("display_years", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["place.id"], name=op.f("fk_place_translation_place_id_place"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_translation")),
        sa.UniqueConstraint("place_id", "locale", name=op.f("uq_place_translation_place_id")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_event_place_id"), ["place_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_event_place_id_place"), "place", ["place_id"], ["id"], ondelete="RESTRICT"
        )
    connection = op.get_bind()
    found = _gather_places(connection)
    slugs = dict(connection.execute(sa.select(place.c.id, place.c.slug)).all())

    def to_slug(value):
        if not _is_place(value):
            return KEEP
        place_id = found.get(_identity(_default(value["name"]), value["lat"], value["lon"]))
        return slugs[place_id] if place_id else KEEP

    _rewrite_snapshots(connection, to_slug)


def _old_shape(row, translations: list) -> dict:
    """A record in the shape events carried before: texts per language (the default one first kept)."""
    names = {DEFAULT_LOCALE: row.name} | {t.locale: t.name for t in translations if t.name.strip()}
    notes = ({DEFAULT_LOCALE: row.note} if row.note.strip() else {}) | {
        t.locale: t.note for t in translations if t.note.strip()
    }
    return {
        "name": dict(sorted(names.items())),
        "note": dict(sorted(notes.items())),
        "lat": row.lat,
        "lon": row.lon,
    }


def _downgrade():
    connection = op.get_bind()
    translated: dict[int, list] = {}
    for row in connection.execute(sa.select(translation).order_by(translation.c.locale)).all():
        translated.setdefault(row.place_id, []).append(row)
    shapes = {
        row.id: (row.slug, _old_shape(row, translated.get(row.id, [])))
        for row in connection.execute(sa.select(place)).all()
    }
    connection.execute(event.update().values(place=sa.null()))  # (each event gets its record's texts below)
    for place_id, (_place_slug, shape) in shapes.items():
        connection.execute(event.update().where(event.c.place_id == place_id).values(place=shape))
    by_slug = dict(shapes.values())
    # (a place the records no longer have becomes none: the old shape cannot name it)
    _rewrite_snapshots(connection, lambda value: by_slug.get(value) if isinstance(value, str) else KEEP)
    connection.execute(revision_table.delete().where(revision_table.c.entity_type == "place"))
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_event_place_id_place"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_event_place_id"))
        batch_op.drop_column("place_id")
    op.drop_table("place_translation")
    op.drop_table("place")
