"""The scripted usability run (tests/browser/usability.py): the eight everyday tasks of the curators'
usability test, played in Chromium; each must still be done, and in no more clicks and page loads than
it takes now (bench/usability_run.py prints the counts)."""

from __future__ import annotations

import pytest

from .usability import BUDGET, Scene, run, set_the_scene, table

pytestmark = pytest.mark.browser


def test_the_eight_everyday_tasks_are_done_in_as_few_clicks_as_today(browser, live_server, tmp_path):
    set_the_scene(live_server.app)
    counts = run(Scene(live_server.url, live_server.app, browser, str(tmp_path)))
    print(table(counts))
    longer = {
        c.task.name: (c.clicks, c.loads)
        for c in counts
        if c.clicks > BUDGET[c.task.number][0] or c.loads > BUDGET[c.task.number][1]
    }
    assert longer == {}, table(counts)
