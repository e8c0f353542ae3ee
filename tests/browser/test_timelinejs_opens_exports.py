"""Our TimelineJS exports open in the real TimelineJS (npm @knight-lab/timelinejs) with every slide."""

from __future__ import annotations

import csv
import html
import io
import json

import pytest

from kiosk.interchange import exporters

from .timelinejs_client import TimelineJSPage, assert_every_slide_shown


@pytest.fixture
def timelinejs(browser):
    client = TimelineJSPage(browser)
    yield client
    client.close()


def test_the_timelinejs_export_of_the_default_content_opens_with_every_slide(app, timelinejs):
    data = exporters.export("timelinejs")
    document = json.loads(data)
    shown = timelinejs.open(data, "timeline.json")
    assert_every_slide_shown(
        shown,
        html.unescape(document["title"]["text"]["headline"]),
        [html.unescape(slide["text"]["headline"]) for slide in document["events"]],
    )
    assert len(shown.slides) == 30
    # Each slide is the event it was exported from (TimelineJS keeps unique_id as the slide's id).
    by_id = {slide["id"]: slide["headline"] for slide in shown.slides}
    assert by_id["record-shift-102-tonnes"] == "102 tonnes in one shift"
    # Every era is drawn, the single-year ones ("The Record", 1935) included.
    assert sorted(shown.eras) == sorted(html.unescape(era["text"]["headline"]) for era in document["eras"])
    assert "The Record" in shown.eras


def test_the_csv_export_of_the_default_content_opens_as_a_sheet_with_every_slide(app, timelinejs):
    data = exporters.export("csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    title = next(row for row in rows if row["Type"] == "title")
    events = [row for row in rows if row["Type"] == ""]
    shown = timelinejs.open(data, "timeline.csv")
    assert_every_slide_shown(
        shown, html.unescape(title["Headline"]), [html.unescape(r["Headline"]) for r in events]
    )
    assert len(shown.slides) == 30
    assert sorted(shown.eras) == sorted(html.unescape(r["Headline"]) for r in rows if r["Type"] == "era")
