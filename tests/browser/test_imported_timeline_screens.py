"""A museum's own TimelineJS timeline on the kiosk: its title is the page's title, without the Stakhanov
kicker around it, and a span far wider than his life keeps the year scrubber's labels apart."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from kiosk.extensions import db
from kiosk.interchange import importers

from ..interop import DATA

pytestmark = pytest.mark.browser

WIDE_SPAN = {"TIMELINE_START_YEAR": 1840, "TIMELINE_END_YEAR": 2020}
LABEL_BOXES = """(labels) => labels.map((label) => {
  const box = label.getBoundingClientRect();
  return {text: label.textContent, left: box.left, right: box.right};
})"""


@pytest.mark.parametrize("live_config", [WIDE_SPAN], indirect=True)
@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1366, 768)])
def test_an_imported_timeline_keeps_its_own_title_and_its_years_readable(live_server, page, size):
    with live_server.app.app_context():
        data = (DATA / "timelinejs" / "hand-written.json").read_bytes()
        importers.run(data, source="hand-written.json", publish=True)
        db.session.remove()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(live_server.url + "/")
    assert page.title() == "Die Zeche Montalin"
    expect(page.locator(".masthead__title")).to_have_text("Die Zeche Montalin")
    expect(page.locator(".masthead__kicker")).to_have_count(0)  # "A life in the Donbas coalfield" is his
    labels = page.locator(".scrubber__label").evaluate_all(LABEL_BOXES)
    assert [label["text"] for label in labels] == [
        "1840",
        "1875",
        "1900",
        "1925",
        "1950",
        "1975",
        "2000",
        "2020",
    ]
    for before, after in itertools.pairwise(labels):
        assert before["right"] + 8 <= after["left"], (before, after)  # never "18401850"
    page.goto(live_server.url + "/places")
    assert page.title().endswith(" · Die Zeche Montalin")
