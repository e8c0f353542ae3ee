"""Our TimelineJS exports open in the real TimelineJS (npm @knight-lab/timelinejs) with every slide."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from sqlalchemy import select

from kiosk.content import settings_store
from kiosk.extensions import db
from kiosk.interchange import exporters
from kiosk.models import Era, Event

from ..fixture_timeline import FIXTURE
from ..interop import DATA, cli, other_kiosk
from .timelinejs_client import TimelineJSPage, assert_every_slide_shown

pytestmark = pytest.mark.browser


@pytest.fixture
def timelinejs(browser):
    client = TimelineJSPage(browser)
    yield client
    client.close()


def test_the_timelinejs_export_of_the_timeline_opens_with_every_slide(app, timelinejs):
    data = exporters.export("timelinejs")
    document = json.loads(data)
    shown = timelinejs.open(data, "timeline.json")
    assert_every_slide_shown(
        shown,
        html.unescape(document["title"]["text"]["headline"]),
        [html.unescape(slide["text"]["headline"]) for slide in document["events"]],
    )
    assert len(shown.slides) == len(FIXTURE.event_slugs)
    # Each slide is the event it was exported from (TimelineJS keeps unique_id as the slide's id).
    by_id = {slide["id"]: slide["headline"] for slide in shown.slides}
    assert by_id[FIXTURE.record_event] == "102 tonnes in one night"
    # Every era is drawn, the single-year ones ("August 1935", 1935) included.
    assert sorted(shown.eras) == sorted(html.unescape(era["text"]["headline"]) for era in document["eras"])
    assert "August 1935" in shown.eras


def test_the_csv_export_of_the_timeline_opens_as_a_sheet_with_every_slide(app, timelinejs):
    data = exporters.export("csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    title = next(row for row in rows if row["Type"] == "title")
    events = [row for row in rows if row["Type"] == ""]
    # The sheet carries each event's address in a column TimelineJS does not know, so that a headline edited
    # in the sheet still updates its event: TimelineJS ignores it and opens the sheet as ever.
    assert "Unique ID" in rows[0] and all(row["Unique ID"] for row in events)
    shown = timelinejs.open(data, "timeline.csv")
    assert_every_slide_shown(
        shown, html.unescape(title["Headline"]), [html.unescape(r["Headline"]) for r in events]
    )
    assert len(shown.slides) == len(FIXTURE.event_slugs)
    assert sorted(shown.eras) == sorted(html.unescape(r["Headline"]) for r in rows if r["Type"] == "era")


FEATURES = {
    "json": DATA / "timelinejs-template-features.json",
    "csv": DATA / "sheet-template-features.csv",
}


def _imported(app, path) -> None:
    """The fixture in the kiosk, its span configured to hold it (1906-2026)."""
    app.config |= {"TIMELINE_START_YEAR": 1900, "TIMELINE_END_YEAR": 2030}
    result = cli(app, "import", path, "--publish")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("kind", FEATURES)
def test_the_fixtures_are_real_timelinejs_files(kind, timelinejs):
    """Our fixtures are what TimelineJS itself opens (so the importer is tested against what it accepts)."""
    shown = timelinejs.open(FEATURES[kind].read_bytes(), f"features.{kind}")
    assert shown.ready, shown.message
    assert shown.console_errors == []
    assert len(shown.slides) == (9 if kind == "json" else 7)
    assert "" in shown.headlines  # TimelineJS shows slides without a headline


@pytest.mark.parametrize("kind", FEATURES)
@pytest.mark.parametrize("export_format", ["timelinejs", "csv"])
def test_the_fixtures_exported_again_open_with_every_slide(kind, export_format, app, timelinejs):
    _imported(app, FEATURES[kind])
    data = exporters.export(export_format)
    events = db.session.scalars(select(Event).where(Event.deleted_at.is_(None))).all()
    shown = timelinejs.open(data, "timeline.json" if export_format == "timelinejs" else "timeline.csv")
    assert_every_slide_shown(
        shown, settings_store.get("title_headline"), [event.headline for event in events]
    )
    # The slides that had no headline show the one the kiosk gave them; embedded media came along.
    embedded = {event.headline for event in events if event.media_embed}
    assert len(embedded) == 2
    assert all(slide["media"] for slide in shown.slides if slide["headline"] in embedded)
    # Every era but those the import made for slides the file put in no era (it never had them).
    assert len(shown.eras) == len(db.session.scalars(select(Era).where(Era.import_holder.is_(False))).all())


SHAPES = {
    "hand-written": DATA / "timelinejs" / "hand-written.json",
    "same-moment": DATA / "timelinejs" / "same-moment.json",
    "sheet": DATA / "timelinejs" / "hand-written-sheet.csv",
    "storymap": DATA / "timelinejs" / "storymap-style.json",
}


def _words(slide: dict) -> str:
    """A slide's text as a visitor reads it, spaces aside (TimelineJS's text runs list items together),
    and with a sources line and our sources list alike."""
    return "".join(re.sub(r"\bSources?\b:?", "", slide["text"]).split())


def _suffix(path) -> str:
    return "csv" if path.suffix == ".csv" else "json"


@pytest.mark.parametrize("shape", SHAPES)
def test_hand_written_files_open_in_timelinejs_and_so_do_our_exports_of_them(
    shape, app, tmp_path, timelinejs
):
    """Each shape a tester met in real files: TimelineJS opens the original; imported into the kiosk and
    exported in either format, it opens again with every slide, the same groups and the same eras, and with
    text the original had (the paragraph after a list left open included)."""
    path = SHAPES[shape]
    original = timelinejs.open(path.read_bytes(), f"original.{_suffix(path)}")
    assert original.ready and original.console_errors == [], (original.message, original.console_errors)
    with other_kiosk(tmp_path / "kiosk") as kiosk:
        kiosk.config |= {"TIMELINE_START_YEAR": 1800, "TIMELINE_END_YEAR": 2030}
        assert cli(kiosk, "import", path, "--publish").exit_code == 0
        # (a slide or title TimelineJS shows without a headline has the one the kiosk gave it)
        title = settings_store.get("title_headline")
        headlines = [event.headline for event in db.session.scalars(select(Event))]
        assert set(original.headlines) - {""} <= set(headlines) and original.title in {title, ""}
        for export_format, name in (("timelinejs", "export.json"), ("csv", "export.csv")):
            shown = timelinejs.open(exporters.export(export_format), name)
            assert_every_slide_shown(shown, title, headlines)
            assert sorted(shown.groups) == sorted(original.groups), export_format
            assert sorted(shown.eras) == sorted(original.eras), export_format
            assert sorted(map(_words, shown.slides)) == sorted(map(_words, original.slides)), export_format
