"""The kiosk fleet: which kiosks may report, and how each is doing; the Kiosks page says which need a look.

**Enrolment.** A kiosk reports only with a token an administrator gave it (docs/deployment.md): either in
its start address (``/?kiosk=gallery-3#token=…``, made on the Kiosks page or by ``flask kiosks add``), or
one the kiosk made itself and asked to have approved (it then waits on the Kiosks page). The server keeps
only each token's SHA-256. The first kiosk on the server's own machine (127.0.0.1, no proxy between) is
approved at once while no kiosk is enrolled, so that `make run` and a browser on the same machine are a
working kiosk. A browser without a kiosk name or token (a curator's) never reports.

**Reporting in.** Every minute an enrolled kiosk reports the version it shows, when that was published,
its screen, whether it can reach us and its last JavaScript error. One that has not reported for
KIOSK_SILENCE_SECONDS while the museum is open (the opening hours set on the Kiosks page, or
KIOSK_OPENING_HOURS, on the KIOSK_TIMEZONE clock) is silent; one that reported a JavaScript error in the
last day is erroring.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from babel.dates import get_day_names
from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from ..content import settings_store
from ..editing import audit
from ..extensions import db
from ..models import KioskRequest, KioskStation, ReportRefusal
from . import contract
from .analytics import NAME, clock_offset, local_time, museum_zone, now

ERRORS_RECENT = timedelta(days=1)
# A kiosk applies a publish when its visitor goes back to the timeline or walks away: only one still on the
# old version this long after the publish needs a look.
UPDATE_GRACE = timedelta(minutes=10)
# A screen wider or taller than this is a fault, not a screen.
LARGEST_SCREEN = 16384
# Kiosks waiting for approval: at most this many, this many from one address, each forgotten after a day.
WAITING_AT_MOST, WAITING_PER_ADDRESS, WAITING_FOR = 20, 3, timedelta(days=1)
# Refused reports kept per kiosk, for the Kiosks page.
REFUSALS_KEPT = 20
TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")
PER_PAGE = 50


class OpeningHoursInvalid(ValueError):
    pass


DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_A_DAY = 24 * 60
# One entry of KIOSK_OPENING_HOURS: optional days, then a range or "closed" ("Tue-Fri 10:00-18:00"). A dash
# may be the en dash the Kiosks page shows, so that hours copied from there still read.
DASH = re.compile(r"\s*[-\u2013]\s*")
ENTRY = re.compile(
    r"(?:(?P<days>[a-z][a-z,\s\u2013-]*?)\s+)?"
    r"(?:(?P<closed>closed)"
    r"|(?P<opens>\d{1,2}):(?P<opens_m>\d{2})\s*[-\u2013]\s*(?P<closes>\d{1,2}):(?P<closes_m>\d{2}))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Opening:
    """One day's hours, in minutes after that day's midnight: a range past midnight closes after 1440."""

    opens: int
    closes: int

    @property
    def past_midnight(self) -> bool:
        return self.closes > MINUTES_A_DAY

    def clock(self) -> tuple[str, str]:
        """Opening and closing as the setting writes them ("10:00", "24:00"; "02:00" the next day)."""
        closes = self.closes - MINUTES_A_DAY if self.past_midnight else self.closes
        return f"{self.opens // 60:02d}:{self.opens % 60:02d}", f"{closes // 60:02d}:{closes % 60:02d}"


@dataclass(frozen=True)
class OpeningHours:
    """The week, Monday first: each day's Opening, or None when the museum is closed that day."""

    days: tuple[Opening | None, ...]

    def on(self, weekday: int) -> Opening | None:
        return self.days[weekday]

    def runs(self) -> list[tuple[int, int, Opening | None]]:
        """Consecutive days with the same hours (first and last weekday), as a timetable shows them."""
        runs: list[tuple[int, int, Opening | None]] = []
        for weekday, hours in enumerate(self.days):
            if runs and runs[-1][2] == hours:
                runs[-1] = (runs[-1][0], weekday, hours)
            else:
                runs.append((weekday, weekday, hours))
        return runs


def _invalid(problem: str) -> OpeningHoursInvalid:
    return OpeningHoursInvalid(f"KIOSK_OPENING_HOURS {problem}")


def _weekday(word: str) -> int:
    name = word.strip().lower()
    if name not in DAY_NAMES:
        raise _invalid(
            f"names a day it does not know, {word.strip()!r}: use Mon, Tue, Wed, Thu, Fri, Sat or Sun"
        )
    return DAY_NAMES.index(name)


def _days(text: str | None) -> list[int]:
    """ "Tue-Fri, Sun" → [1, 2, 3, 4, 6]; no days means every day. A run may wrap: "Sat-Mon"."""
    if text is None:
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        run = DASH.split(part.strip())
        if len(run) > 2:
            raise _invalid(f"has a run of days it cannot read, {part.strip()!r}: write it like Tue-Fri")
        start, end = _weekday(run[0]), _weekday(run[-1])
        days += [(start + step) % 7 for step in range((end - start) % 7 + 1)]
    return days


def _minutes(hours: str, minutes: str, entry: str, closing: bool) -> int:
    hour, minute = int(hours), int(minutes)
    if minute > 59 or hour > 24 or (hour == 24 and (minute or not closing)):
        raise _invalid(f"has an impossible time in {entry!r}: hours run from 00 to 24 (24:00 only to close)")
    return hour * 60 + minute


def _opening(match: re.Match[str], entry: str) -> Opening:
    opens = _minutes(match["opens"], match["opens_m"], entry, closing=False)
    closes = _minutes(match["closes"], match["closes_m"], entry, closing=True)
    if opens == closes:
        raise _invalid(f"opens and closes at the same time in {entry!r}: for a whole day write 00:00-24:00")
    return Opening(opens, closes if closes > opens else closes + MINUTES_A_DAY)


@functools.lru_cache(maxsize=8)
def parse_opening_hours(text: str) -> OpeningHours | None:
    """KIOSK_OPENING_HOURS as the week's hours; None means always open ("" or every day 00:00-24:00).

    Entries are separated by semicolons, and a later entry overrides earlier ones for its days:
    "09:00-18:00" (every day), "Mon closed; Tue-Fri 10:00-18:00; Thu 10:00-21:00; Sat-Sun 10:00-19:00".
    A day no entry names is closed. A range past midnight ("Fri 18:00-02:00") belongs to the day it opens.
    """
    week: list[Opening | None] = [None] * 7
    entries = [entry.strip() for entry in text.split(";") if entry.strip()]
    if not entries:
        return None
    for entry in entries:
        match = ENTRY.fullmatch(entry)
        if not match:
            raise _invalid(
                f"must be entries like 09:00-18:00, Tue-Fri 10:00-18:00 or Mon closed, separated by "
                f"semicolons, not {entry!r}"
            )
        hours = None if match["closed"] else _opening(match, entry)
        for weekday in _days(match["days"]):
            week[weekday] = hours
    if all(hours == Opening(0, MINUTES_A_DAY) for hours in week):
        return None
    return OpeningHours(tuple(week))


OPENING_HOURS_SETTING = "opening_hours"  # settings_store: None until an administrator sets them


def opening_hours_text() -> str:
    """The opening hours in force: as an administrator set them on the Kiosks page, else
    KIOSK_OPENING_HOURS (what the kiosk was installed with)."""
    chosen = settings_store.get(OPENING_HOURS_SETTING)
    return chosen if isinstance(chosen, str) else default_opening_hours_text()


def default_opening_hours_text() -> str:
    return current_app.config.get("OPENING_HOURS", "")


def opening_hours(text: str | None = None) -> OpeningHours | None:
    """The opening hours in force (or ``text``'s), or OpeningHoursInvalid saying what is wrong."""
    return parse_opening_hours(opening_hours_text() if text is None else text)


def opening_hours_from_week(week: list[tuple[str, str] | None]) -> str:
    """The opening hours' text for a week (Monday first) of (opens, closes) like ("10:00", "18:00"), or
    None for a closed day; a day that opens and closes at 00:00 is open all day, a closing time before
    the opening one is the next morning's."""
    entries = []
    for name, hours in zip(DAY_NAMES, week, strict=True):
        if hours is None:
            entries.append(f"{name.title()} closed")
            continue
        opens, closes = hours
        closes = "24:00" if closes == "00:00" else closes
        entries.append(f"{name.title()} {opens}-{closes}")
    return "; ".join(entries)


_READ_THEM = "read them"


def open_during(start: datetime, end: datetime, hours: OpeningHours | str | None = _READ_THEM) -> bool:
    """Whether the museum was open at any moment between two stored (UTC) times, on its own clock
    (``hours``: the opening hours already read, to spare a kiosk list the setting's query per kiosk)."""
    if isinstance(hours, str):
        hours = opening_hours()
    if hours is None:
        return True
    if end - start >= timedelta(days=8):  # a whole week: open if any day is
        return any(hours.days)
    zone = museum_zone()
    local_start = start.replace(tzinfo=UTC).astimezone(zone)
    local_end = end.replace(tzinfo=UTC).astimezone(zone)
    day = local_start.date() - timedelta(days=1)  # the day before may be open past midnight
    while day <= local_end.date():
        opening = hours.on(day.weekday())
        if opening:
            midnight = datetime.combine(day, time(), zone)
            opens = midnight + timedelta(minutes=opening.opens)
            closes = midnight + timedelta(minutes=opening.closes)
            if opens <= local_end and local_start < closes:
                return True
        day += timedelta(days=1)
    return False


def open_now(moment: datetime | None = None) -> bool:
    moment = moment or now()
    return open_during(moment, moment)


def _capitalised(text: str) -> str:
    """As a timetable's row starts: "Вторник–среда" (Russian and Ukrainian write days in lower case)."""
    return text[:1].upper() + text[1:]


def day_names() -> list[str]:
    """Monday to Sunday in the curator's language, each as a row starts."""
    names = get_day_names("wide", context="stand-alone", locale=get_locale())
    return [_capitalised(names[number]) for number in range(7)]


def timetable() -> list[tuple[str, str]]:
    """The opening hours as the Kiosks page shows them: days in the curator's language, then the hours."""
    hours = opening_hours()
    if hours is None:
        return []
    names = get_day_names("wide", context="stand-alone", locale=get_locale())
    rows = []
    for first, last, opening in hours.runs():
        days = _capitalised(names[first] if first == last else f"{names[first]}–{names[last]}")
        if opening is None:
            rows.append((days, _("Closed")))
            continue
        opens, closes = opening.clock()
        if opening.past_midnight:
            rows.append((days, _("%(opens)s–%(closes)s the next day", opens=opens, closes=closes)))
        else:
            rows.append((days, f"{opens}–{closes}"))
    return rows


# ---------- Enrolment ----------


class EnrolmentRefused(ValueError):
    """An enrolment that cannot be done now, with the reason (and the HTTP status a kiosk gets)."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(24)


def station_named(name: str) -> KioskStation | None:
    return db.session.scalar(select(KioskStation).where(KioskStation.name == name))


def station_for(token: str | None) -> KioskStation | None:
    """The enrolled kiosk whose token this is, or None."""
    if not token or not TOKEN.fullmatch(token):
        return None
    return db.session.scalar(select(KioskStation).where(KioskStation.token_hash == digest(token)))


def start_address(name: str, token: str) -> str:
    """The address a kiosk starts at: its name, and (in the fragment, which never reaches a server or a
    log) its token, which the kiosk keeps."""
    return f"{url_for('timeline.index', lang=None, _external=True)}?kiosk={name}#token={token}"


def checked_kiosk_name(name: str) -> str:
    if not NAME.fullmatch(name or ""):
        raise EnrolmentRefused(
            _("A kiosk's name is 1 to 64 letters, digits, dots, dashes or underscores, like gallery-3.")
        )
    return name.lower()


def enrolled_count() -> int:
    query = select(func.count(KioskStation.id)).where(KioskStation.token_hash.is_not(None))
    return db.session.scalar(query) or 0


def _room_for_one_more(name: str) -> None:
    existing = db.session.scalar(select(KioskStation).where(KioskStation.name == name))
    if existing is not None and existing.token_hash:
        return  # a new token for a kiosk already counted
    limit = int(current_app.config.get("MAX_KIOSKS", 100))
    if enrolled_count() >= limit:
        raise EnrolmentRefused(
            _(
                "This server takes at most %(limit)d kiosks (KIOSK_MAX_KIOSKS). Stop one that is out of "
                "service reporting first.",
                limit=limit,
            ),
            429,
        )


def _enrol(name: str, token_hash: str, action: str, username: str | None = None) -> KioskStation:
    """Give the kiosk ``name`` this token (a new kiosk, or a new token replacing its old one)."""
    _room_for_one_more(name)
    station = db.session.scalar(select(KioskStation).where(KioskStation.name == name))
    if station is None:
        station = KioskStation(name=name, label="")
        db.session.add(station)
    station.token_hash, station.enrolled_at = token_hash, now()
    db.session.execute(delete(KioskRequest).where(KioskRequest.token_hash == token_hash))
    audit.record(action, f"kiosk {name}", username=username)
    return station


def add_kiosk(name: str, label: str = "") -> str:
    """Enrol a kiosk by name (an administrator, or ``flask kiosks add``): its start address's token,
    which is shown once. A kiosk already enrolled under that name gets a new token, and its old one stops
    working. The caller commits."""
    name = checked_kiosk_name(name)
    token = new_token()
    station = _enrol(name, digest(token), "kiosk.add")
    if label:
        station.label = label
    return token


def approve(request_id: int) -> KioskStation:
    """Enrol a kiosk that asked to report, with the token it made (replacing any its name had)."""
    waiting = db.session.get(KioskRequest, request_id)
    if waiting is None:
        raise EnrolmentRefused(_("That request is no longer waiting (approved, refused or a day old)."), 404)
    return _enrol(waiting.name, waiting.token_hash, "kiosk.approve")


def refuse(request_id: int) -> str | None:
    waiting = db.session.get(KioskRequest, request_id)
    if waiting is None:
        return None
    db.session.delete(waiting)
    audit.record("kiosk.refuse", f"kiosk {waiting.name}", waiting.address)
    return waiting.name


def revoke(name: str) -> bool:
    """Stop a kiosk reporting (its token no longer works); it stays on the list, and may ask again."""
    station = db.session.scalar(select(KioskStation).where(KioskStation.name == name))
    if station is None or not station.token_hash:
        return False
    station.token_hash = None
    audit.record("kiosk.revoke", f"kiosk {name}")
    return True


def rename(name: str, label: str) -> bool:
    station = db.session.scalar(select(KioskStation).where(KioskStation.name == name))
    if station is None or station.label == label:
        return False
    audit.record("kiosk.rename", f"kiosk {name}", f"{station.label} → {label}")
    station.label = label
    return True


def forget(name: str) -> bool:
    """Remove a kiosk taken out of service from the list (its token stops working; its figures stay)."""
    station = db.session.scalar(select(KioskStation).where(KioskStation.name == name))
    if station is None:
        return False
    db.session.delete(station)
    audit.record("kiosk.remove", f"kiosk {name}")
    return True


def _local_client(address: str | None, forwarded: bool) -> bool:
    """A browser on the server's own machine, with no proxy between (whose clients would all look local)."""
    try:
        return not forwarded and ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def ask_to_enrol(data: dict, token: str | None, address: str, forwarded: bool) -> bool:
    """A kiosk asks to report with a token it made: True once it may (it is enrolled), False while it
    waits for an administrator. The first kiosk on the server's own machine is enrolled at once."""
    name = contract.check("enrolment", data)["kiosk"].lower()
    if not token or not TOKEN.fullmatch(token):
        raise EnrolmentRefused("send the token the kiosk made, as Authorization: Bearer <token>", 400)
    if station_for(token) is not None:
        return True
    hashed = digest(token)
    first = current_app.config.get("ENROL_LOCAL_KIOSK", True) and enrolled_count() == 0
    if first and _local_client(address, forwarded):
        _enrol(name, hashed, "kiosk.enrol-local", username="")
        return True
    moment = now()
    db.session.execute(delete(KioskRequest).where(KioskRequest.last_asked_at < moment - WAITING_FOR))
    waiting = db.session.scalar(select(KioskRequest).where(KioskRequest.token_hash == hashed))
    if waiting is not None:
        if moment - waiting.last_asked_at > timedelta(minutes=5):  # seen again, without a write a minute
            waiting.last_asked_at = moment
        return False
    if (db.session.scalar(select(func.count(KioskRequest.id))) or 0) >= WAITING_AT_MOST:
        raise EnrolmentRefused(f"{WAITING_AT_MOST} kiosks are already waiting for approval", 429)
    from_here = select(func.count(KioskRequest.id)).where(KioskRequest.address == address)
    if (db.session.scalar(from_here) or 0) >= WAITING_PER_ADDRESS:
        raise EnrolmentRefused(f"{WAITING_PER_ADDRESS} kiosks from this address are already waiting", 429)
    db.session.add(
        KioskRequest(name=name, token_hash=hashed, address=address, asked_at=moment, last_asked_at=moment)
    )
    return False


def waiting_requests() -> list[KioskRequest]:
    query = select(KioskRequest).where(KioskRequest.last_asked_at >= now() - WAITING_FOR)
    return list(db.session.scalars(query.order_by(KioskRequest.asked_at)))


# ---------- A kiosk reporting in ----------


def _clamped(moment: datetime, latest: datetime) -> datetime:
    return min(moment, latest)


def read_report(data, received_at: datetime) -> dict:
    """A kiosk's report as the values it updates, or contract.ReportRefused saying what is wrong. Times
    after the report arrived (a kiosk's clock set back, a fault) are moved back to that moment."""
    data = contract.check("heartbeat", data)
    width, height = (int(side) for side in data["screen"].split("x"))
    if not (1 <= width <= LARGEST_SCREEN and 1 <= height <= LARGEST_SCREEN):
        raise contract.ReportRefused(f"screen must be 1 to {LARGEST_SCREEN} pixels a side")
    offset = clock_offset(data["sent_at"], None, received_at)
    values = {
        "last_seen": received_at,
        "version": data["version"],
        "screen": data["screen"],
        "online": data["online"],
        "queued": data["queued"],
    }
    error = data["error"]
    if error:
        message = "".join(char for char in error["message"] if char.isprintable())[:500]
        at = round(error["at"]) + offset
        values["last_error"] = message or "?"
        values["last_error_at"] = _clamped(_moment_of(max(at, 0)), received_at)
    return values


def _moment_of(ms: int) -> datetime:
    return datetime.fromtimestamp(min(ms, 253402300799000) / 1000, UTC).replace(tzinfo=None)


def content_of(version: str) -> str:
    """The content version in a kiosk version ("41-3a8ab69a90d3": content 41, build 3a8ab69a90d3)."""
    return version.partition("-")[0]


def record_report(
    station: KioskStation, values: dict, current_version: str, changed_at: datetime | None
) -> None:
    """Update the kiosk's row with its report (the caller commits). When it shows the current content,
    note when that was published, so that once it falls behind the Kiosks page can say which it shows."""
    shown = content_of(values["version"])
    if shown == content_of(current_version):
        values = values | {"published_at": changed_at}
    elif shown != content_of(station.version or ""):
        values = values | {"published_at": None}  # one never seen current: its time is not known here
    for key, value in values.items():
        setattr(station, key, value)
    if station.first_seen is None:
        station.first_seen = values["last_seen"]


def keep_refusal(kiosk: str, reason: str, body: str, records: int) -> None:
    """Keep a refused report (or the events refused from a batch) with its reason: the last
    REFUSALS_KEPT per kiosk."""
    db.session.add(
        ReportRefusal(kiosk=kiosk, at=now(), reason=reason[:300], records=records, body=body[:8000])
    )
    db.session.flush()
    kept = select(ReportRefusal.id).where(ReportRefusal.kiosk == kiosk).order_by(ReportRefusal.id.desc())
    db.session.execute(
        delete(ReportRefusal).where(
            ReportRefusal.kiosk == kiosk, ReportRefusal.id.not_in(kept.limit(REFUSALS_KEPT).scalar_subquery())
        )
    )


# ---------- The Kiosks page ----------


@dataclass
class KioskState:
    station: KioskStation
    current_version: bool
    silent: bool
    erroring: bool
    behind: bool  # still on an old version well after the publish
    refusals: int = 0  # reports refused in the last day
    last_refusal: str = ""

    @property
    def enrolled(self) -> bool:
        return bool(self.station.token_hash)

    @property
    def needs_a_look(self) -> bool:
        return self.enrolled and (self.silent or self.erroring or self.behind or bool(self.refusals))

    @property
    def updating(self) -> bool:
        return (
            self.enrolled
            and self.station.last_seen is not None
            and not self.current_version
            and not self.behind
        )

    @property
    def display_name(self) -> str:
        return self.station.label or self.station.name


@dataclass
class Fleet:
    states: list[KioskState]  # this page's
    total: int
    needing_a_look: list[str]  # every kiosk's that needs one, by display name
    updating: int
    enrolled: int
    page: int
    pages: int


def _state(station: KioskStation, current_version: str, moment: datetime, published_at, hours) -> KioskState:
    silence = timedelta(seconds=int(current_app.config.get("SILENCE_SECONDS", 300)))
    long_since_publish = published_at is None or moment - published_at > UPDATE_GRACE
    heard = station.last_seen or station.enrolled_at or moment
    quiet_from = heard + silence
    reported = station.last_seen is not None
    return KioskState(
        station=station,
        current_version=station.version == current_version,
        behind=reported and station.version != current_version and long_since_publish,
        silent=quiet_from < moment and open_during(quiet_from, moment, hours),
        erroring=bool(station.last_error_at and moment - station.last_error_at < ERRORS_RECENT),
    )


def fleet(current_version: str, published_at: datetime | None, page: int = 1) -> Fleet:
    """Every kiosk, those needing a look first, then by name, PER_PAGE a page."""
    moment, hours = now(), opening_hours()
    states = [
        _state(station, current_version, moment, published_at, hours)
        for station in db.session.scalars(select(KioskStation).order_by(KioskStation.name))
    ]
    refused = db.session.execute(
        select(ReportRefusal.kiosk, func.count(ReportRefusal.id), func.max(ReportRefusal.id))
        .where(ReportRefusal.at >= moment - ERRORS_RECENT)
        .group_by(ReportRefusal.kiosk)
    ).all()
    last_reasons = dict(
        db.session.execute(
            select(ReportRefusal.kiosk, ReportRefusal.reason).where(
                ReportRefusal.id.in_([last for _kiosk, _count, last in refused])
            )
        ).all()
    )
    counts = {kiosk: count for kiosk, count, _last in refused}
    for state in states:
        state.refusals = counts.get(state.station.name, 0)
        state.last_refusal = last_reasons.get(state.station.name, "")
    states.sort(key=lambda state: (not state.needs_a_look, not state.enrolled))
    pages = max(1, -(-len(states) // PER_PAGE))
    page = min(max(page, 1), pages)
    return Fleet(
        states=states[(page - 1) * PER_PAGE : page * PER_PAGE],
        total=len(states),
        needing_a_look=[state.display_name for state in states if state.needs_a_look],
        updating=sum(state.updating for state in states),
        enrolled=sum(state.enrolled for state in states),
        page=page,
        pages=pages,
    )


def state_of(station: KioskStation, current_version: str, published_at: datetime | None) -> KioskState:
    """One kiosk's state, with the reports refused from it in the last day."""
    moment = now()
    state = _state(station, current_version, moment, published_at, opening_hours())
    recent = [refusal for refusal in refusals_of(station.name) if refusal.at >= moment - ERRORS_RECENT]
    state.refusals = len(recent)
    state.last_refusal = recent[0].reason if recent else ""
    return state


def refusals_of(name: str) -> list[ReportRefusal]:
    """The reports refused from a kiosk that are kept, newest first."""
    query = select(ReportRefusal).where(ReportRefusal.kiosk == name).order_by(ReportRefusal.id.desc())
    return list(db.session.scalars(query))


def names() -> list[tuple[str, str]]:
    """Every kiosk on the list: (name, what curators call it)."""
    query = select(KioskStation.name, KioskStation.label).order_by(KioskStation.name)
    return [(name, label or name) for name, label in db.session.execute(query)]


def local_label(moment: datetime | None) -> str:
    """A stored time on the museum's clock, as the Kiosks and Analytics pages write it."""
    return local_time(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
