"""An event's translation carries its image credit and its figure's texts (title, source, confidence label,
each row's label and unit), so every text a visitor sees can be translated.

The fingerprint of the default text a translation was made from (its source_hash) now covers those texts
too: a translation that was up to date stays so (its fingerprint is taken again, of the new set), and one
that was out of date stays out of date.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 22:40:00.000000

"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# What a translation was made from, before and after this revision (kept here as they are now: the code
# may change later, this revision's meaning does not).
TEXTS_BEFORE = ("headline", "display_date", "summary", "body", "confidence", "image_alt", "image_caption")

event = sa.table(
    "event",
    *(sa.column(name, sa.Text) for name in (*TEXTS_BEFORE, "image_credit")),
    sa.column("id", sa.Integer),
    sa.column("figure", sa.JSON),
)
translation = sa.table(
    "event_translation",
    sa.column("id", sa.Integer),
    sa.column("event_id", sa.Integer),
    sa.column("source_hash", sa.String),
)


def _fingerprint(values: dict) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _figure_texts(figure: dict | None) -> dict | None:
    if not figure:
        return None
    rows = [{"label": row["label"], "unit": row.get("unit", "")} for row in figure["rows"]]
    return {name: figure.get(name, "") for name in ("title", "source", "confidence")} | {"rows": rows}


def _fingerprints() -> dict[int, tuple[str, str]]:
    """Each event's fingerprints: (of the texts before this revision, of those after)."""
    found = {}
    for row in op.get_bind().execute(sa.select(event)).mappings():
        before = {name: row[name] for name in TEXTS_BEFORE}
        after = before | {"image_credit": row["image_credit"], "figure": _figure_texts(row["figure"])}
        found[row["id"]] = (_fingerprint(before), _fingerprint(after))
    return found


def _refingerprint(old: int, new: int) -> None:
    """Translations made from the current text keep saying so under the other set of texts."""
    connection, fingerprints = op.get_bind(), _fingerprints()
    for row in connection.execute(sa.select(translation)).mappings():
        prints = fingerprints.get(row["event_id"])
        if prints and row["source_hash"] == prints[old]:
            connection.execute(
                translation.update().where(translation.c.id == row["id"]).values(source_hash=prints[new])
            )


def upgrade():
    with op.batch_alter_table("event_translation", schema=None) as batch_op:
        credit = sa.Column("image_credit", sa.String(length=200), nullable=False, server_default="")
        batch_op.add_column(credit)
        batch_op.add_column(sa.Column("figure", sa.JSON(), nullable=True))
    _refingerprint(old=0, new=1)


def downgrade():
    _refingerprint(old=1, new=0)
    with op.batch_alter_table("event_translation", schema=None) as batch_op:
        batch_op.drop_column("figure")
        batch_op.drop_column("image_credit")
