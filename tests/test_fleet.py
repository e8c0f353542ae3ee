"""Opening hours (KIOSK_OPENING_HOURS): one range for every day or hours per day, read once at start-up, and
whether the museum was open while a kiosk was silent, on the museum's clock (KIOSK_TIMEZONE)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk import create_app
from kiosk.telemetry import fleet
from kiosk.telemetry.fleet import Opening, OpeningHoursInvalid, parse_opening_hours

TEN_TO_SIX = Opening(10 * 60, 18 * 60)
EXAMPLE = "Mon closed; Tue-Fri 10:00-18:00; Thu 10:00-21:00; Sat-Sun 10:00-19:00"


def week(text: str) -> list[Opening | None]:
    hours = parse_opening_hours(text)
    assert hours is not None
    return list(hours.days)


def test_one_range_is_every_day():
    assert week("09:00-18:00") == [Opening(9 * 60, 18 * 60)] * 7
    assert week(" 9:30 - 17:45 ") == [Opening(9 * 60 + 30, 17 * 60 + 45)] * 7


@pytest.mark.parametrize("text", ["", "   ", "00:00-24:00", "Mon-Sun 00:00-24:00", "00:00-24:00;"])
def test_empty_or_the_whole_day_every_day_is_always_open(text):
    assert parse_opening_hours(text) is None


def test_later_entries_override_earlier_ones_for_their_days():
    assert week(EXAMPLE) == [
        None,
        TEN_TO_SIX,
        TEN_TO_SIX,
        Opening(10 * 60, 21 * 60),  # the late Thursday overrides Tue-Fri for Thursday alone
        TEN_TO_SIX,
        Opening(10 * 60, 19 * 60),
        Opening(10 * 60, 19 * 60),
    ]
    assert week("10:00-18:00; Mon closed") == [None] + [TEN_TO_SIX] * 6
    assert week("Mon closed; 10:00-18:00") == [TEN_TO_SIX] * 7  # every day, Monday included, comes later


def test_a_day_no_entry_names_is_closed():
    assert week("Tue-Sun 10:00-18:00") == [None] + [TEN_TO_SIX] * 6
    assert week("Sat 10:00-18:00") == [None] * 5 + [TEN_TO_SIX, None]


def test_days_can_be_listed_wrap_round_the_week_and_use_the_en_dash():
    assert week("Fri-Mon 10:00-18:00") == [TEN_TO_SIX, None, None, None, TEN_TO_SIX, TEN_TO_SIX, TEN_TO_SIX]
    assert week("mon, WED,fri 10:00-18:00") == [TEN_TO_SIX, None, TEN_TO_SIX, None, TEN_TO_SIX, None, None]
    # As the Kiosks page shows them, so that hours copied from there still read.
    assert week("Tue\u2013Fri 10:00\u201318:00") == [None] + [TEN_TO_SIX] * 4 + [None, None]


def test_a_range_past_midnight_belongs_to_the_day_it_opens():
    friday = week("Fri 18:00-02:00")[4]
    assert friday == Opening(18 * 60, 26 * 60)
    assert friday.past_midnight and friday.clock() == ("18:00", "02:00")
    until_midnight = week("18:00-24:00")[0]
    assert not until_midnight.past_midnight and until_midnight.clock() == ("18:00", "24:00")
    assert week("18:00-00:00")[0] == until_midnight


SHAPE = "must be entries like 09:00-18:00, Tue-Fri 10:00-18:00 or Mon closed, separated by semicolons"
UNKNOWN_DAY = "names a day it does not know"
IMPOSSIBLE = "has an impossible time in"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("9-18", f"{SHAPE}, not '9-18'"),
        ("Mon open", f"{SHAPE}, not 'Mon open'"),
        ("Mon 10:00-12:00, 14:00-18:00", f"{SHAPE}, not 'Mon 10:00-12:00, 14:00-18:00'"),  # one range a day
        ("Mon closed; Tue-Fry 10:00-18:00", f"{UNKNOWN_DAY}, 'Fry': use Mon, Tue, Wed, Thu, Fri, Sat or Sun"),
        ("Monday closed", f"{UNKNOWN_DAY}, 'Monday'"),
        ("Mon-Wed-Fri 10:00-18:00", "has a run of days it cannot read, 'Mon-Wed-Fri': write it like Tue-Fri"),
        ("25:00-26:00", f"{IMPOSSIBLE} '25:00-26:00'"),
        ("Tue 10:60-18:00", f"{IMPOSSIBLE} 'Tue 10:60-18:00'"),
        ("24:00-06:00", f"{IMPOSSIBLE} '24:00-06:00': hours run from 00 to 24 (24:00 only to close)"),
        ("10:00-24:30", f"{IMPOSSIBLE} '10:00-24:30'"),
        (
            "Sun 10:00-10:00",
            "opens and closes at the same time in 'Sun 10:00-10:00': for a whole day write 00:00-24:00",
        ),
    ],
)
def test_a_wrong_value_is_refused_in_one_sentence_naming_the_setting(text, problem):
    with pytest.raises(OpeningHoursInvalid) as refused:
        parse_opening_hours(text)
    assert str(refused.value).startswith("KIOSK_OPENING_HOURS ")
    assert problem in str(refused.value)


def test_a_wrong_value_stops_start_up_saying_what_is_wrong(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_OPENING_HOURS", "Mon closed; Thur 10:00-21:00")
    with pytest.raises(RuntimeError) as refused:
        create_app()
    assert str(refused.value).startswith(f"KIOSK_OPENING_HOURS {UNKNOWN_DAY}, 'Thur': use Mon, Tue")


def utc(text: str) -> datetime:
    """A stored time (naive UTC) from an ISO time with its offset."""
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def test_a_kiosk_silent_across_the_closed_day_is_silent_outside_opening_hours(app):
    # Tokyo is 9 hours ahead of UTC: in UTC these moments fall on the days before, which are open.
    app.config.update(OPENING_HOURS=EXAMPLE, TIMEZONE="Asia/Tokyo")
    sunday_evening = utc("2026-11-29T19:30+09:00")  # after Sunday's closing at 19:00
    tuesday_morning = utc("2026-12-01T09:45+09:00")  # before Tuesday's opening at 10:00
    assert not fleet.open_during(sunday_evening, tuesday_morning)  # Monday, all of it, is closed
    assert fleet.open_during(sunday_evening, utc("2026-12-01T10:05+09:00"))
    assert fleet.open_during(utc("2026-11-29T18:55+09:00"), tuesday_morning)
    app.config.update(TIMEZONE="UTC")  # the same stored moments on a UTC clock: Sunday and Monday are open
    assert fleet.open_during(sunday_evening, tuesday_morning)


def test_the_late_thursday_is_open_and_other_evenings_are_not(app):
    app.config.update(OPENING_HOURS=EXAMPLE, TIMEZONE="Europe/London")
    assert fleet.open_now(utc("2026-12-03T20:30+00:00"))  # Thursday
    assert not fleet.open_now(utc("2026-12-02T20:30+00:00"))  # Wednesday
    assert not fleet.open_now(utc("2026-12-03T21:30+00:00"))


def test_hours_past_midnight_count_on_the_next_morning(app):
    app.config.update(
        OPENING_HOURS="Mon closed; Tue-Sun 10:00-18:00; Fri 10:00-02:00; Sat closed", TIMEZONE="UTC"
    )
    assert fleet.open_now(utc("2026-12-05T01:30+00:00"))  # Saturday 01:30: still Friday's late opening
    assert not fleet.open_now(utc("2026-12-05T02:30+00:00"))  # and Saturday itself is closed
    assert not fleet.open_during(utc("2026-12-05T02:30+00:00"), utc("2026-12-06T09:59+00:00"))
    assert fleet.open_during(utc("2026-12-05T02:30+00:00"), utc("2026-12-06T10:01+00:00"))  # Sunday opens
