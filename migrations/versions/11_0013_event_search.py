"""The curators' search: each event's words (event_search), indexed for full-text search by the database,
SQLite's FTS5 (an external-content table kept in step by triggers) or PostgreSQL's tsvector (a GIN index).

The words themselves are made by the app (kiosk/editing/search.py), which makes any that are missing, so
this revision leaves the table empty.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-12 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# As kiosk/editing/search.py names them when this revision was written.
FTS_TABLE = "event_search_index"
TSVECTOR_INDEX = "ix_event_search_words"

SQLITE_INDEX = [
    # The words are folded and split by the app: the tokenizer only has to split them at the spaces.
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(words, content='event_search', content_rowid='event_id', "
    "tokenize='unicode61 remove_diacritics 0')",
    f"""CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON event_search BEGIN
        INSERT INTO {FTS_TABLE}(rowid, words) VALUES (new.event_id, new.words);
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON event_search BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, words) VALUES ('delete', old.event_id, old.words);
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE ON event_search BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, words) VALUES ('delete', old.event_id, old.words);
        INSERT INTO {FTS_TABLE}(rowid, words) VALUES (new.event_id, new.words);
    END""",
]


def upgrade():
    op.create_table(
        "event_search",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("recipe", sa.Integer(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        options = {row[0] for row in op.get_bind().exec_driver_sql("PRAGMA compile_options")}
        if "ENABLE_FTS5" not in options:
            raise RuntimeError(
                "This SQLite was built without full-text search (FTS5), which the curators' search needs. "
                "Install the kiosk's pinned dependencies (make run), which bring an SQLite that has it."
            )
        for statement in SQLITE_INDEX:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX {TSVECTOR_INDEX} ON event_search USING gin (to_tsvector('simple', words))")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    op.drop_table("event_search")  # (PostgreSQL drops the index with it)
