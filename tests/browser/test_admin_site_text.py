"""A curator in a real browser corrects the timeline's title and adds a book to the Russian further reading;
the page, its Russian form and a refused save have no accessibility violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible
from .curators import sign_in

pytestmark = pytest.mark.browser

BOOK = "Новая книга о Стаханове (М., 2020)"


def test_a_curator_corrects_the_title_and_adds_a_russian_book(page, live_server, curator_account):
    sign_in(page, live_server)
    page.get_by_role("navigation", name="Admin sections").get_by_role(
        "link", name="Title and further reading"
    ).click()
    expect(page.get_by_role("heading", name="Title and further reading", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Title", exact=True).fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#headline-error")).to_have_text("Give the timeline a title.")
    assert_accessible(page)  # the error summary and the message at the field
    page.get_by_label("Title", exact=True).fill("A miner’s life (1906–1977)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved the title and further reading")).to_be_visible()

    page.get_by_role("link", name="Russian").click()
    assert_accessible(page)  # the default text beside each field
    scholarly = page.get_by_label("Scholarly works")
    scholarly.press("Control+End")
    scholarly.press_sequentially(f"\n{BOOK}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved the title and further reading")).to_be_visible()

    page.goto(live_server.url + "/ru/")
    expect(page.locator(".coda__list li", has_text=BOOK)).to_have_count(1)
    page.goto(live_server.url + "/")
    expect(page.locator(".masthead__title")).to_have_text("A miner’s life (1906–1977)")
