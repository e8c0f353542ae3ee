"""The data model: eras, events (with room for per-language text), media, curators and their history."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .content.dates import PartialDate
from .extensions import Model


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Status(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Role(enum.StrEnum):
    EDITOR = "editor"
    ADMIN = "admin"


class Era(Model):
    __tablename__ = "era"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    colour: Mapped[str] = mapped_column(String(7), default="#5a5149")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    events: Mapped[list[Event]] = relationship(back_populates="era")
    translations: Mapped[list[EraTranslation]] = relationship(
        back_populates="era", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def __repr__(self) -> str:
        return f"<Era {self.slug}>"


class Place(Model):
    """A place of his life (Lugovaya, Moscow): where events happened, and the years he lived there.

    Its name, note and wording of the years are in the default language; PlaceTranslation holds the others.
    The years are a fact of their own (never derived from its events): empty for a place he only visited.
    """

    __tablename__ = "place"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # What the place is today ("then the Kazakh SSR, today Kazakhstan"): the map draws no borders.
    note: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    years_from: Mapped[int | None] = mapped_column(Integer)
    years_to: Mapped[int | None] = mapped_column(Integer)
    # How visitors read the years when the span alone does not say it ("1936–1957, except 1941–1942").
    display_years: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    events: Mapped[list[Event]] = relationship(back_populates="place")
    translations: Mapped[list[PlaceTranslation]] = relationship(
        back_populates="place", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def __repr__(self) -> str:
        return f"<Place {self.slug}>"


class Media(Model):
    """An uploaded image, re-encoded into the sizes the kiosk shows and stored under an internal name."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Event(Model):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    headline: Mapped[str] = mapped_column(String(120))
    start_year: Mapped[int] = mapped_column(Integer)
    start_month: Mapped[int | None] = mapped_column(Integer)
    start_day: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    end_month: Mapped[int | None] = mapped_column(Integer)
    end_day: Mapped[int | None] = mapped_column(Integer)
    # YYYYMMDD with zeros for unknown parts: one indexed integer orders events by date.
    sort_key: Mapped[int] = mapped_column(Integer, default=0)
    display_date: Mapped[str] = mapped_column(String(120), default="")
    era_id: Mapped[int] = mapped_column(ForeignKey("era.id", ondelete="RESTRICT"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    confidence: Mapped[str] = mapped_column(String(80), default="")
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    postscript: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[Status] = mapped_column(
        Enum(Status, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=Status.DRAFT,
        active_history=True,  # the content version needs to know what the status was
    )
    image_id: Mapped[int | None] = mapped_column(ForeignKey("media.id", ondelete="SET NULL"))
    image_alt: Mapped[str] = mapped_column(String(300), default="")
    image_caption: Mapped[str] = mapped_column(String(300), default="")
    image_credit: Mapped[str] = mapped_column(String(200), default="")
    # A media URL from an import that the offline kiosk cannot fetch; kept for the curator to replace.
    remote_media_url: Mapped[str] = mapped_column(String(500), default="")
    # Kept from TimelineJS files so an export gives them back; the kiosk itself does not show them.
    start_time: Mapped[str] = mapped_column(String(8), default="")  # "HH:MM" or "HH:MM:SS"; needs a day
    end_time: Mapped[str] = mapped_column(String(8), default="")
    background_colour: Mapped[str] = mapped_column(String(7), default="")  # "#rrggbb"
    background_url: Mapped[str] = mapped_column(String(500), default="")  # a reference, never fetched
    media_embed: Mapped[str] = mapped_column(Text, default="")  # embed HTML (a post, a video), cleaned
    # Where it happened: a place of its own (several events share one, with its translations and years).
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"), index=True)
    # The place as each event carried it before places were records (migration 0012 made the records from
    # it). Nothing reads or writes it: it stays so that the code still serving during an upgrade finds the
    # column it knows (migrations only ever add; docs/deployment.md); a later migration drops it.
    carried_place: Mapped[dict | None] = mapped_column("place", JSON(none_as_null=True), deferred=True)
    # A small bar chart of the numbers in the story: {"title", "rows": [{"label", "value", "unit"}],
    # "source", "confidence"} (kiosk.content.figures checks it).
    figure: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, active_history=True)
    # Changes a curator saved but has not published yet: the number of the revision that holds them (the
    # columns above stay what the kiosk shows). Bookkeeping like the version, not a field of the item.
    draft_number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    era: Mapped[Era] = relationship(back_populates="events")
    image: Mapped[Media | None] = relationship()
    place: Mapped[Place | None] = relationship(back_populates="events")
    translations: Mapped[list[EventTranslation]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_event_visible_order", "status", "deleted_at", "sort_key"),
        # An era's visible events in order, read straight off the index (era pages, neighbours, counts).
        Index("ix_event_era_visible_order", "era_id", "status", "deleted_at", "sort_key", "id"),
    )

    @property
    def start(self) -> PartialDate:
        return PartialDate(self.start_year, self.start_month, self.start_day)

    @start.setter
    def start(self, value: PartialDate) -> None:
        self.start_year, self.start_month, self.start_day = value.year, value.month, value.day
        self.sort_key = value.sort_key

    @property
    def end(self) -> PartialDate | None:
        if self.end_year is None:
            return None
        return PartialDate(self.end_year, self.end_month, self.end_day)

    @end.setter
    def end(self, value: PartialDate | None) -> None:
        if value is None:
            self.end_year = self.end_month = self.end_day = None
        else:
            self.end_year, self.end_month, self.end_day = value.year, value.month, value.day

    @property
    def date_label(self) -> str:
        """What visitors read as the date: the curator's wording, or one made from the dates."""
        return self.display_date or PartialDate.span_label(self.start, self.end)

    @property
    def is_visible(self) -> bool:
        return self.status == Status.PUBLISHED and self.deleted_at is None

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class EventSearch(Model):
    """What the curators' search reads of an event: the words of every text a curator edits, in every
    language, its dates written out in each (kiosk/editing/search.py makes it; the writer keeps it in step).
    The database indexes it for full-text search: SQLite with FTS5, PostgreSQL with a tsvector index
    (migration 0013; kiosk.editing.search names its own objects)."""

    __tablename__ = "event_search"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    # How the words were made (kiosk.editing.search.RECIPE): rows made another way are made again.
    recipe: Mapped[int] = mapped_column(Integer, default=0)
    words: Mapped[str] = mapped_column(Text, default="")


class TranslationRecord:
    """What every translation keeps beside its texts: its language, and a hash of the default-language text
    it was made from (when the default text changes afterwards, the hashes differ and the curators see the
    translation as out of date)."""

    locale: Mapped[str] = mapped_column(String(16))
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class EventTranslation(TranslationRecord, Model):
    """Event text in another language; the event's own columns hold the default language."""

    __tablename__ = "event_translation"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    headline: Mapped[str] = mapped_column(String(120), default="")
    display_date: Mapped[str] = mapped_column(String(120), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[str] = mapped_column(String(80), default="")
    image_alt: Mapped[str] = mapped_column(String(300), default="")
    image_caption: Mapped[str] = mapped_column(String(300), default="")
    image_credit: Mapped[str] = mapped_column(String(200), default="")
    # The figure's texts in this language: {"title", "confidence", "rows": [{"label", "unit"}]}, its rows
    # in the figure's order (kiosk.content.figures.translation); the numbers and the source are the figure's.
    figure: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    event: Mapped[Event] = relationship(back_populates="translations")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (UniqueConstraint("event_id", "locale"),)

    def __repr__(self) -> str:
        return f"<EventTranslation {self.locale} of event {self.event_id}>"


class EraTranslation(TranslationRecord, Model):
    """An era's name and description in another language; the era's own columns hold the default."""

    __tablename__ = "era_translation"

    id: Mapped[int] = mapped_column(primary_key=True)
    era_id: Mapped[int] = mapped_column(ForeignKey("era.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    era: Mapped[Era] = relationship(back_populates="translations")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (UniqueConstraint("era_id", "locale"),)

    def __repr__(self) -> str:
        return f"<EraTranslation {self.locale} of era {self.era_id}>"


class PlaceTranslation(TranslationRecord, Model):
    """A place's name, note and wording of its years in another language."""

    __tablename__ = "place_translation"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    display_years: Mapped[str] = mapped_column(String(120), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    place: Mapped[Place] = relationship(back_populates="translations")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (UniqueConstraint("place_id", "locale"),)

    def __repr__(self) -> str:
        return f"<PlaceTranslation {self.locale} of place {self.place_id}>"


class ContentState(Model):
    """One row: the version of what the kiosk shows, bumped whenever published content changes."""

    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Setting(Model):
    """Settings curators change at run time (the idle timeout, for example)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Setting {self.key}>"


class User(UserMixin, Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=Role.EDITOR,
    )
    # Changes whenever the password changes, so old sessions stop working.
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    def get_id(self) -> str:
        """The session names the account and its current token: a new password ends every old session."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class LoginAttempt(Model):
    """Failed sign-ins, kept in the database so every server worker sees the same count."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_login_attempt_scope_at", "scope", "at"),)


class Revision(Model):
    """A snapshot of an event or era after each save."""

    __tablename__ = "revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("entity_type", "entity_id", "number"),
        Index("ix_revision_entity", "entity_type", "entity_id"),
    )


class AuditEntry(Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    # How many times this happened: refusals of people not signed in (failed sign-ins, forms without a
    # valid token) are one row per action, address and minute (kiosk.editing.audit.record).
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class VisitorEvent(Model):
    """One anonymous thing a visitor did at a kiosk (see kiosk/telemetry/analytics.py). No cookie, no address:
    a session is a random id the kiosk forgets when it resets. Kept for KIOSK_ANALYTICS_RETENTION_DAYS."""

    __tablename__ = "visitor_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Made by the kiosk: a batch sent twice (the answer lost on the way back) is stored once.
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    kiosk: Mapped[str] = mapped_column(String(64))
    session: Mapped[str] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(String(120), default="")
    value_ms: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(DateTime)
    # The day its session started and its own hour, on the museum's clock (KIOSK_TIMEZONE), so every
    # database groups them the same way and a visit past midnight stays one visit.
    day: Mapped[date] = mapped_column(Date)
    hour: Mapped[int] = mapped_column(Integer)

    # A day's events in order: what summing a day again reads.
    __table_args__ = (Index("ix_visitor_event_day_at", "day", "at"),)


class AnalyticsSession(Model):
    """One visit as its events arrive: the day and hour it started (which its figures count on), its
    interactions and the last event it opened, and its length once the kiosk says it is over. Kept as
    long as the raw events."""

    __tablename__ = "analytics_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk: Mapped[str] = mapped_column(String(64))
    uid: Mapped[str] = mapped_column(String(36))
    day: Mapped[date] = mapped_column(Date, index=True)
    hour: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    interactions: Mapped[int] = mapped_column(Integer, default=0)
    last_open: Mapped[str] = mapped_column(String(120), default="")
    last_open_at: Mapped[datetime | None] = mapped_column(DateTime)
    length_ms: Mapped[int | None] = mapped_column(Integer)  # None until the kiosk ends the session

    __table_args__ = (UniqueConstraint("kiosk", "uid"),)


class AnalyticsDay(Model):
    """A day whose totals must be summed again from its raw events (``flask analytics rollup``): days
    recorded before totals were kept as events arrive."""

    __tablename__ = "analytics_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    stale: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    rolled_at: Mapped[datetime | None] = mapped_column(DateTime)


class DailyTotal(Model):
    """A day's figures per kiosk (and for every kiosk together, kiosk "*"), added to as events arrive:
    what the Analytics page reads; kept after the raw events expire."""

    __tablename__ = "analytics_daily_total"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    kiosk: Mapped[str] = mapped_column(String(64))
    metric: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(String(120), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
    total_ms: Mapped[int] = mapped_column(BigInteger, default=0)

    # A kiosk's (or "*") period, in day order: what the report and the CSV read.
    __table_args__ = (UniqueConstraint("kiosk", "day", "metric", "subject"),)


class KioskStation(Model):
    """A kiosk screen: enrolled by an administrator (its token), and as it last reported in (see
    kiosk/telemetry/fleet.py)."""

    __tablename__ = "kiosk_station"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # What curators call it ("Gallery 3, by the lamp"); the name in its start address stays its key.
    label: Mapped[str] = mapped_column(String(80), default="")
    # The SHA-256 of its token (never the token itself); None: it may not report (revoked, or not
    # enrolled yet).
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_seen: Mapped[datetime | None] = mapped_column(DateTime)
    last_seen: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[str] = mapped_column(String(80), default="")
    # When what it shows was published (as its page says).
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    screen: Mapped[str] = mapped_column(String(20), default="")
    online: Mapped[bool] = mapped_column(Boolean, default=True)
    queued: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime)


class KioskRequest(Model):
    """A kiosk that asked to report (a name in its start address, no token an administrator gave it):
    waiting until an administrator approves it on the Kiosks page. Few at a time, and forgotten after a
    day."""

    __tablename__ = "kiosk_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(64), default="")
    asked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_asked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ReportCount(Model):
    """Reports counted per scope (a kiosk, a client address) and minute, shared by every worker and server:
    what the intake's limits read."""

    __tablename__ = "report_count"

    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    minute: Mapped[int] = mapped_column(Integer, primary_key=True)  # minutes since 1970
    count: Mapped[int] = mapped_column(Integer, default=0)


class ReportRefusal(Model):
    """A report from an enrolled kiosk that was refused (whole, or some of its events): kept, with the
    reason, for the Kiosks page and whoever fixes the kiosk. The last few per kiosk."""

    __tablename__ = "report_refusal"

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(300))
    records: Mapped[int] = mapped_column(Integer, default=0)  # analytics records it held
    body: Mapped[str] = mapped_column(Text, default="")  # as sent, its first 8,000 characters
