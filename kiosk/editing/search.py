"""The curators' search: every text a curator edits, in every language, found with the database's own
full-text search (SQLite FTS5, PostgreSQL tsvector).

Each event has one row of words (models.EventSearch): the texts of the field table's edited fields and of
their translations (kiosk.content.fields.FieldTable.searchable), its dates as every language writes them,
and the same of its unpublished changes. They are folded (case, accents) and split into words here, the
same way for both databases, so that both find the same events. The writer keeps the row in step with
every change (``index``, ``Rows`` for an import); ``catch_up`` makes the rows that a change outside the
writer left missing, or that an older ``RECIPE`` made. Every word of a query must be found, each as the
beginning of a word: "record shift" finds "a record … in one shift", "31 aug" finds "31 August 1935".
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    delete,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import selectinload

from ..content import fields
from ..extensions import db
from ..models import Event, EventSearch
from . import drafts

logger = logging.getLogger(__name__)

RECIPE = 1  # how the words are made: change it when they are made differently, and every row is made again
# What migration 0012 adds beside the models: SQLite's FTS5 index of event_search (external content, kept
# in step by triggers), PostgreSQL's GIN index of the words' tsvector.
FTS_TABLE = "event_search_index"
TSVECTOR_INDEX = "ix_event_search_words"
MAX_QUERY_WORDS = 12
_WORD = re.compile(r"[^\W_]+")


def in_the_models(name: str | None, kind: str, _parents: dict) -> bool:
    """For Alembic's comparison of the database with the models: the search index's own tables and index
    are the migration's, not the models' (FTS5 keeps shadow tables named after its own)."""
    if kind == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (kind == "index" and name == TSVECTOR_INDEX)


# The combining marks NFKD leaves after the letters they decorate (Latin, Cyrillic and the rest).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(value: str) -> str:
    """A text as the search compares it: without case or accents ("Ёлка" and "елка" are alike)."""
    if value.isascii():
        return value.casefold()
    return _MARKS.sub("", unicodedata.normalize("NFKD", value)).casefold()


def split(texts: Iterable[str]) -> list[str]:
    """The folded words of some texts, each once, in order."""
    return list(dict.fromkeys(_WORD.findall(fold(" ".join(texts)))))


def words_of(event: Event, texts: list[str] | None = None) -> str:
    """The words an event is found by: its texts (``texts``, when the change that made them has them
    already), and those of its unpublished changes."""
    if texts is None:
        texts = fields.EVENT.searchable(fields.item_of(event))
    if event.draft_number is not None:
        texts = texts + fields.EVENT.searchable(drafts.item(event) or {})
    return " ".join(split(texts))


def index(event: Event, texts: list[str] | None = None) -> None:
    """Make the event's words again, in the change under way (the writer calls this for every change)."""
    _replace(db.session.connection(), [(event.id, words_of(event, texts))])


def _replace(connection: Connection, rows: list[tuple[int, str]]) -> None:
    if not rows:
        return
    ids = [event_id for event_id, _words in rows]
    connection.execute(delete(EventSearch).where(EventSearch.event_id.in_(ids)))
    connection.execute(
        insert(EventSearch),
        [{"event_id": event_id, "recipe": RECIPE, "words": words} for event_id, words in rows],
    )


def forget(ids: list[int]) -> None:
    """Drop these events' words, in the change under way: catch_up makes them again when the search is
    next used (for set-up that changed events without the writer)."""
    if ids:
        db.session.execute(delete(EventSearch).where(EventSearch.event_id.in_(ids)))


class Rows:
    """An import's events' words, made from their items before its transaction starts, written once their
    ids are known (``write``, in its transaction)."""

    def __init__(self, items: list[dict]) -> None:
        self.words = {item["slug"]: " ".join(split(fields.EVENT.searchable(item))) for item in items}

    def write(self, connection: Connection) -> None:
        if not self.words:
            return
        ids = dict(connection.execute(select(Event.slug, Event.id).where(Event.slug.in_(self.words))).all())
        _replace(connection, [(ids[slug], words) for slug, words in self.words.items()])


CATCH_UP_CHUNK = 500


def catch_up() -> int:
    """Make the words of every event that has none, or words of an older recipe; how many were made.

    Changes go through the writer, which keeps the words in step; this repairs what other ways left
    behind (a database from before the search, test set-up). Committed on its own: two requests doing it
    at once leave the same rows, and the one that loses the race leaves them to the other.
    """
    stale = (
        select(Event.id)
        .outerjoin(EventSearch, EventSearch.event_id == Event.id)
        .where(or_(EventSearch.event_id.is_(None), EventSearch.recipe != RECIPE))
    )
    ids = list(db.session.scalars(stale))
    if not ids:
        return 0
    try:
        for start in range(0, len(ids), CATCH_UP_CHUNK):
            chunk = ids[start : start + CATCH_UP_CHUNK]
            events = db.session.scalars(
                select(Event)
                .where(Event.id.in_(chunk))
                .options(selectinload(Event.translations), selectinload(Event.era), selectinload(Event.image))
            )
            _replace(db.session.connection(), [(event.id, words_of(event)) for event in events])
        db.session.commit()
    except DBAPIError as error:  # another request made them first, or the database is busy: search anyway
        db.session.rollback()
        logger.info("The search's words were not made now (%s); another request may have made them", error)
        return 0
    logger.info("Made the search's words of %d events", len(ids))
    return len(ids)


def query_words(query: str) -> list[str]:
    return split([query])[:MAX_QUERY_WORDS]


def matching(query: str) -> Select:
    """The ids of the events whose words hold every word of ``query`` (each as a word's beginning); none
    when it has no words at all (only punctuation: "%_%")."""
    terms = query_words(query)
    if not terms:
        return select(EventSearch.event_id).where(false())
    catch_up()
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        expression = " AND ".join(f'"{term}"*' for term in terms)  # (terms are letters and digits only)
        found = text(f"{FTS_TABLE} MATCH :expression").bindparams(expression=expression)
        return select(literal_column("rowid")).select_from(table(FTS_TABLE)).where(found)
    if dialect == "postgresql":
        expression = " & ".join(f"'{term}':*" for term in terms)
        vector = func.to_tsvector(literal_column("'simple'"), EventSearch.words)
        query_vector = func.to_tsquery(literal_column("'simple'"), expression)
        return select(EventSearch.event_id).where(vector.op("@@")(query_vector))
    # Any other database: the words compared as text (slower, the same result).
    spaced: ColumnElement[str] = literal_column("' '") + EventSearch.words
    return select(EventSearch.event_id).where(*(spaced.contains(" " + term) for term in terms))
