"""The curators' search: every text a curator edits, in every language, found with the database's own
full-text search (SQLite FTS5, PostgreSQL tsvector).

Each event has one row of words (models.EventSearch): the texts of the field table's edited fields and of
their translations (kiosk.content.fields.FieldTable.searchable), its dates as every language writes them,
its place's name and note in every language, and the same of its unpublished changes. They are folded
(case, accents) and split into words here, the same way for both databases, so that both find the same
events. The writer keeps the row in step with every change (``index``; ``index_place`` when a place
changes; ``Rows`` for an import); ``catch_up`` makes the rows that a change outside the writer left
missing, or that an older ``RECIPE`` made. Every word of a query must be found, each as the beginning of a
word: "record shift" finds "a record … in one shift", "31 aug" finds "31 August 1935".
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
from ..models import Event, EventSearch, Place
from . import drafts

logger = logging.getLogger(__name__)

RECIPE = 2  # how the words are made: change it when they are made differently, and every row is made again
# What migration 0013 adds beside the models: SQLite's FTS5 index of event_search (external content, kept
# in step by triggers), PostgreSQL's GIN index of the words' tsvector.
FTS_TABLE = "event_search_index"
TSVECTOR_INDEX = "ix_event_search_words"
MAX_QUERY_WORDS = 12
_WORD = re.compile(r"[^\W_]+")
# What an event's words are made of, loaded with it.
_WORD_SOURCES = (
    selectinload(Event.translations),
    selectinload(Event.era),
    selectinload(Event.image),
    selectinload(Event.place).selectinload(Place.translations),
)


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


def place_texts(place: Place | None) -> list[str]:
    """The texts of a place an event is found by: its name, note and wording of its years, in every
    language (the field table's, like an event's own)."""
    return fields.PLACE.searchable(fields.item_of(place)) if place is not None else []


def words_of(event: Event, texts: list[str] | None = None) -> str:
    """The words an event is found by: its texts (``texts``, when the change that made them has them
    already) and its place's, and those of its unpublished changes."""
    if texts is None:
        texts = fields.EVENT.searchable(fields.item_of(event))
    texts = texts + place_texts(event.place)
    draft = drafts.item(event) if event.draft_number is not None else None
    if draft is not None:
        place = event.place
        if draft.get("place") != (place.slug if place else None):
            place = fields.find_place(draft.get("place"))
        texts = texts + fields.EVENT.searchable(draft) + place_texts(place)
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


def index_place(place: Place) -> None:
    """Make the words of the events at this place again, in the change under way (its name, note or
    translations changed): those whose unpublished changes may name it too."""
    at_place = select(Event).where(or_(Event.place_id == place.id, Event.draft_number.is_not(None)))
    events = list(db.session.scalars(at_place.options(*_WORD_SOURCES)))
    _replace(db.session.connection(), [(event.id, words_of(event)) for event in events])


def forget(ids: list[int]) -> None:
    """Drop these events' words, in the change under way: catch_up makes them again when the search is
    next used (for set-up that changed events without the writer)."""
    if ids:
        db.session.execute(delete(EventSearch).where(EventSearch.event_id.in_(ids)))


class Rows:
    """An import's events' words, made from their items before its transaction starts, written once their
    ids and places are known (``write``, in its transaction, after its places)."""

    def __init__(self, items: list[dict]) -> None:
        self.texts = {item["slug"]: fields.EVENT.searchable(item) for item in items}

    def write(self, connection: Connection, places_changed: list[int]) -> None:
        """Write the words of the import's events, and forget those of the other events at the places it
        changed (``places_changed``: their ids; catch_up makes their words again)."""
        if places_changed:
            others = select(Event.id).where(Event.place_id.in_(places_changed), Event.slug.not_in(self.texts))
            connection.execute(delete(EventSearch).where(EventSearch.event_id.in_(others)))
        if not self.texts:
            return
        rows = connection.execute(
            select(Event.slug, Event.id, Event.place_id).where(Event.slug.in_(self.texts))
        )
        found = {slug: (event_id, place_id) for slug, event_id, place_id in rows}
        wanted = {place_id for _event_id, place_id in found.values() if place_id is not None}
        known = db.session.scalars(
            select(Place)
            .where(Place.id.in_(wanted))
            .options(selectinload(Place.translations))
            .execution_options(populate_existing=True)  # as this transaction wrote them
        )
        texts: dict[int | None, list[str]] = {place.id: place_texts(place) for place in known}
        _replace(
            connection,
            [
                (event_id, " ".join(split(self.texts[slug] + texts.get(place_id, []))))
                for slug, (event_id, place_id) in found.items()
            ],
        )


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
            events = db.session.scalars(select(Event).where(Event.id.in_(chunk)).options(*_WORD_SOURCES))
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
