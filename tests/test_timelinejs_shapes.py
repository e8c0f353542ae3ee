"""TimelineJS files as people write them by hand (tests/data/timelinejs/, shapes met in real timelines and
in TimelineJS3's own examples): nothing a visitor could read is lost, chronology and groups survive, and
our exports of them come back byte for byte. (tests/browser/test_timelinejs_opens_exports.py opens the same
files, and our exports of them, in the real TimelineJS.)"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.content import published, settings_store
from kiosk.extensions import db
from kiosk.interchange import exporters, importers
from kiosk.models import Era, Event

from .interop import DATA, cli, other_kiosk

SHAPES = DATA / "timelinejs"
HAND_WRITTEN, SAME_MOMENT, SHEET, STORYMAP = (
    SHAPES / "hand-written.json",
    SHAPES / "same-moment.json",
    SHAPES / "hand-written-sheet.csv",
    SHAPES / "storymap-style.json",
)
EVERY_SHAPE = {"hand-written": HAND_WRITTEN, "same-moment": SAME_MOMENT, "sheet": SHEET, "storymap": STORYMAP}
SPAN = {"TIMELINE_START_YEAR": 1800, "TIMELINE_END_YEAR": 2030}  # the files run 1847–2018


def imported(app, path: Path, *options: str) -> str:
    app.config |= SPAN
    result = cli(app, "import", path, "--publish", *options)
    assert result.exit_code == 0, result.output + result.stderr
    return result.output


def event(headline: str) -> Event:
    found = db.session.scalars(select(Event).where(Event.headline == headline)).all()
    assert len(found) == 1, (headline, found)
    return found[0]


def slides(data: bytes) -> dict[str, dict]:
    return {slide["unique_id"]: slide for slide in json.loads(data)["events"]}


@pytest.fixture
def fresh(tmp_path):
    """A kiosk of its own with nothing on it: a museum that starts from a TimelineJS file."""
    with other_kiosk(tmp_path / "fresh") as app:
        app.config |= SPAN
        yield app


@pytest.mark.parametrize("path", [HAND_WRITTEN, SHEET], ids=["json", "csv"])
def test_a_list_left_open_in_a_paragraph_loses_no_text(fresh, path):
    report = imported(fresh, path)
    found = event("Coal found on the hill")
    assert found.summary == "A shepherd finds black stones."
    assert (
        found.body
        == "Changes:\n\n- first a claim\n- then a company\n\nThis closing paragraph must not disappear."
    )
    for file_format in ("timelinejs", "csv"):
        assert "This closing paragraph must not disappear." in exporters.export(file_format).decode()
    assert "could not be kept" not in report


def test_ungrouped_slides_stay_ungrouped_and_in_time_order(fresh):
    original = json.loads(HAND_WRITTEN.read_bytes())
    report = imported(fresh, HAND_WRITTEN)
    # The kiosk shows its chapters one after another: every event in order of its date.
    shown = db.session.scalars(published.visible_events()).all()
    assert [e.sort_key for e in shown] == sorted(e.sort_key for e in shown)
    assert [e.headline for e in shown][:3] == [
        "Coal found on the hill",
        'The "Montalin" company',
        "Schacht I",
    ]
    # The file's own era is the kiosk's chapter for its years; the slides before and after it get chapters
    # named by their years, which exports leave out; no group became a chapter.
    assert [(e.name, e.import_holder) for e in db.session.scalars(select(Era).order_by(Era.position))] == [
        ("1847–1852", True),
        ("The working pit", False),
        ("2003–2018", True),
    ]
    assert "Made for slides that the file puts in no era" in report
    exported = json.loads(exporters.export("timelinejs"))
    assert [era["text"]["headline"] for era in exported["eras"]] == ["The working pit"]
    groups = {slide["text"]["headline"]: slide.get("group") for slide in exported["events"]}
    assert groups == {slide["text"]["headline"]: slide.get("group") for slide in original["events"]}
    assert "Imported" not in exporters.export("csv").decode()


def test_slides_alike_in_date_and_headline_are_events_of_their_own(fresh):
    report = imported(fresh, SAME_MOMENT)
    weddings = db.session.scalars(select(Event).where(Event.headline == "The wedding")).all()
    assert sorted(w.start_time for w in weddings) == ["17:17:44", "17:17:48", "17:17:52", "17:17:52"]
    assert len(db.session.scalars(select(Event)).all()) == 9
    assert "kept as an event of its own, at /events/2016-06-04-the-wedding-2" in report
    assert "start_date: milliseconds are left out" in report
    # Media are called what they are: a recording, a film and a document are not "the image".
    assert "https://example.org/moment.mp3 (an audio recording) is kept as a reference only" in report
    assert "(a video) is kept" in report and "(a document) is kept" in report
    assert not any("moment.mp3" in line and "copy of the image" in line for line in report.splitlines())
    assert len(slides(exporters.export("timelinejs"))) == 9


def test_quotes_titles_ids_backgrounds_and_pushpins_come_back_as_written(fresh, tmp_path):
    report = imported(fresh, HAND_WRITTEN)
    exported = exporters.export("timelinejs")
    company = next(s for s in json.loads(exported)["events"] if "Montalin" in s["text"]["headline"])
    assert (
        "Shares of the \"Montalin\" company sell for 800'000 francs; it's a fortune."
        in company["text"]["text"]
    )
    # The title's two paragraphs stay two sentences apart.
    assert settings_store.get("title_summary") == (
        "A colliery village in the hills, told by its museum. Written by hand, as many timelines are."
    )
    # A unique_id is written back as the original spelled it (bookmarks made from it still match); the
    # kiosk's own address for the event is its lowercase form.
    shaft = event("Schacht I")
    assert (shaft.slug, shaft.timelinejs_id) == ("cis2023-shaft-one", "CIS2023-shaft-one")
    assert {"CIS2023-shaft-one", "CIS2023-shaft-two"} <= set(slides(exported))
    # A location without a name (a StoryMapJS pushpin) is left out with a line, never a refusal.
    assert shaft.place is None and "location has no name (latitude 46.81, longitude 9.53)" in report
    # A relative background image survives our sheet too (TimelineJS would take it for a colour).
    sheet = tmp_path / "montalin.csv"
    sheet.write_bytes(exporters.export("csv"))
    with other_kiosk(tmp_path / "second") as second:
        imported(second, sheet)
        assert event('The "Montalin" company').background_url == "img/company.jpg"


def test_a_sources_line_in_a_sheet_row_gives_the_events_sources(fresh):
    imported(fresh, SHEET)
    strike = event("The strike")
    assert strike.sources == ["Pravda, February 1936"] and strike.body == ""
    assert event("Schacht I").body == "A note the sheet's author left."  # the tl-note span is text too


def test_editing_a_headline_in_an_exported_sheet_updates_the_event(fresh, tmp_path):
    imported(fresh, HAND_WRITTEN)
    rows = list(csv.reader(io.StringIO(exporters.export("csv").decode())))
    header = rows[0]
    assert header[-1] == "Unique ID"
    row = next(r for r in rows if r[header.index("Headline")] == "The strike")
    row[header.index("Headline")] = "The great strike"
    edited = tmp_path / "edited.csv"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    edited.write_text(out.getvalue(), encoding="utf-8")
    assert "0 created, 1 updated" in imported(fresh, edited)
    assert event("The great strike").slug == "1936-the-strike"
    # A sheet without the column: the dry run says that a new row may be an edited one.
    for r in rows:
        del r[-1]
    row[header.index("Headline")] = "The long strike"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    edited.write_text(out.getvalue(), encoding="utf-8")
    report = importers.run(edited.read_bytes(), dry_run=True)
    warning = next(line for line in report.attention if line.startswith("event “The long strike”"))
    assert "though event “The great strike” (1936-the-strike) has the same date" in warning


@pytest.mark.parametrize("path", EVERY_SHAPE.values(), ids=EVERY_SHAPE.keys())
@pytest.mark.parametrize("export_format", ["timelinejs", "csv"])
def test_exports_come_back_byte_for_byte(fresh, tmp_path, path, export_format):
    imported(fresh, path)
    exported = tmp_path / f"export.{'json' if export_format == 'timelinejs' else 'csv'}"
    exported.write_bytes(exporters.export(export_format))
    assert "0 created, 0 updated" in imported(fresh, exported)  # into the kiosk it came from
    with other_kiosk(tmp_path / "other") as other:
        imported(other, exported)
        assert exporters.export(export_format) == exported.read_bytes()


@pytest.mark.parametrize("path", EVERY_SHAPE.values(), ids=EVERY_SHAPE.keys())
def test_the_kiosk_shows_every_imported_slide(fresh, path):
    imported(fresh, path)
    page = fresh.test_client().get("/").get_data(as_text=True)
    for found in db.session.scalars(select(Event)):
        assert f'href="/events/{found.slug}"' in page, found.slug


def test_a_second_file_fills_the_eras_the_first_one_was_given(fresh, tmp_path):
    imported(fresh, HAND_WRITTEN)
    second = tmp_path / "second.json"
    slides_of = [(1849, "A second shepherd"), (2010, "A guided tour"), (1860, "A railway at last")]
    events = [{"start_date": {"year": y}, "text": {"headline": h}} for y, h in slides_of]
    second.write_text(json.dumps({"events": events}), encoding="utf-8")
    imported(fresh, second)
    assert event("A second shepherd").era.name == "1847–1852"
    assert event("A guided tour").era.name == "2003–2018"
    # 1860 lies outside both: an era of its own, in its place in time.
    assert (event("A railway at last").era.name, event("A railway at last").era.import_holder) == (
        "1860",
        True,
    )
    shown = db.session.scalars(published.visible_events()).all()
    assert [e.sort_key for e in shown] == sorted(e.sort_key for e in shown)


def test_a_title_slide_without_a_headline_and_slides_with_pins_and_empty_parts(fresh):
    """StoryMapJS-style files (as TimelineJS's own Mark Twain example): a title with text only, times
    with an empty millisecond and format, locations with and without a name, a slide with media alone."""
    report = imported(fresh, STORYMAP)
    assert settings_store.get("title_headline") == "A river pilot's life, told place by place."
    assert "title: The title slide has no headline; the kiosk calls the timeline" in report
    born = event("Florida, Missouri")
    assert (born.start_time, born.place.name) == ("06:45:56", "Florida, Missouri")
    assert event("A film of a riverboat").place is None  # a pin without a name: left out, said
    assert "location has no name (latitude 38.63, longitude -90.2)" in report
    assert "milliseconds" not in report  # an empty millisecond is no millisecond
