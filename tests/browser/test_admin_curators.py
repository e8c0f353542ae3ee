"""The curators' pages in a real browser: the keyboard's focus is never hidden under the sticky Save bar,
the top bar keeps to one row at 1440 px in every language, and every page and state added for the curators
has no accessibility violations, in English, Russian and Ukrainian."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from kiosk.editing import writer
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.models import Event, Role, User

from ..fixture_timeline import FIXTURE
from ..helpers import changes_of, make_user
from .conftest import assert_accessible
from .curators import sign_in

pytestmark = pytest.mark.browser

LANGUAGES = {"en": "English", "ru": "Русский", "uk": "Українська"}


@pytest.fixture
def scene(live_server) -> dict[str, int]:
    """An administrator and an editor; an event with changes not published and an out-of-date Russian
    text; the ids of what the pages need."""
    with live_server.app.app_context():
        make_user("curator", Role.ADMIN)
        anna = make_user("anna", Role.EDITOR)
        event = db.session.scalar(select(Event).where(Event.slug == FIXTURE.plain_event))
        writer.save_event(event, changes_of(event, headline="Norms go up again"), event.version, draft=True)
        with fixture_writes():
            event.body = event.body + " Wages fall."
        ids = {
            "event": event.id,
            "anna": anna.id,
            "kremlin": db.session.scalar(select(Event.id).where(Event.slug == FIXTURE.kremlin_event)),
        }
        db.session.remove()
    return ids


def speak(page: Page, live_server, language: str) -> None:
    """Choose the admin's language in the curator's own menu."""
    page.goto(live_server.url + "/admin/events")
    page.locator(".topbar__account summary").click()
    page.get_by_role("button", name=LANGUAGES[language]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_the_keyboards_focus_is_never_hidden_under_the_save_bar(page, live_server, scene):
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/events/{scene['event']}/edit")
    page.get_by_label("Headline").focus()
    hidden = []
    for _ in range(60):
        page.keyboard.press("Tab")
        where = page.evaluate(
            """() => {
                const field = document.activeElement, bar = document.querySelector('.actions');
                if (!field.closest('.event-form__grid')) return null;
                const box = field.getBoundingClientRect(), top = bar.getBoundingClientRect().top;
                return {name: field.name || field.id, bottom: box.bottom, bar: top};
            }"""
        )
        if where and where["bottom"] > where["bar"] + 0.5:
            hidden.append(where["name"])
    assert hidden == []
    for name in ("Era", "Text", "Credit", "Place note"):  # the fields the usability test saw hidden
        page.get_by_label(name, exact=True).focus()
        box = page.get_by_label(name, exact=True).bounding_box()
        bar = page.locator(".actions").bounding_box()
        assert box and bar and box["y"] + box["height"] <= bar["y"] + 0.5, name


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_top_bar_keeps_to_one_row_at_1440_px(page, live_server, scene, language):
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, live_server)
    speak(page, live_server, language)
    middles = page.evaluate(
        """() => [...document.querySelectorAll(
            '.topbar__brand, .topbar__nav > a, .topbar__nav > details > summary, .topbar__account > summary'
        )].map(item => {
            const box = item.getBoundingClientRect();
            return Math.round(box.top + box.height / 2);
        })"""
    )
    assert len(middles) >= 10 and max(middles) - min(middles) <= 8, middles  # one row: the same middle


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_curators_new_pages_are_accessible(page, browser, live_server, scene, language):
    sign_in(page, live_server)
    speak(page, live_server, language)
    url, event = live_server.url, scene["event"]
    for path in (
        "/admin/events?q=norms",  # the list: a search, changes not published
        f"/admin/events/{event}/edit",  # the form holding them
        f"/admin/events/{event}/preview",  # shown as the kiosk will, with Publish
        f"/admin/events/{event}/translations/ru",  # out of date, what changed marked
        "/admin/accounts",
        f"/admin/accounts/{scene['anna']}",
        "/admin/accounts/new",
        "/admin/password",
    ):
        page.goto(url + path)
        assert_accessible(page)
    # A refusal on an account's page, a duplicate, Undo after Delete, and the conflict page.
    page.goto(f"{url}/admin/accounts/{scene['anna']}")
    page.locator("#password").fill("short")
    page.locator("#password").press("Enter")
    expect(page.locator("#password-error")).not_to_be_empty()
    assert_accessible(page)
    page.goto(f"{url}/admin/events/{scene['kremlin']}/edit")
    headline = page.locator("#headline").input_value()
    page.goto(f"{url}/admin/events/new")
    page.locator("#headline").fill(headline)
    page.locator("#start_year").fill("1935")
    page.locator("#start_month").fill("11")
    page.locator("#start_day").fill("14")
    expect(page.locator("#headline-error")).not_to_be_empty()  # said as the curator types
    assert_accessible(page)
    page.goto(f"{url}/admin/events/{scene['kremlin']}/delete")
    page.locator("form.panel button[type=submit], main form button[type=submit]").first.click()
    expect(page.locator(".flash--undo")).to_be_visible()
    assert_accessible(page)
    page.locator(".flash--undo button").click()
    page.goto(f"{url}/admin/events/{scene['kremlin']}/edit")
    with live_server.app.app_context():  # a colleague saves first
        kremlin = db.session.get(Event, scene["kremlin"])
        writer.save_event(
            kremlin, changes_of(kremlin, headline="In the Kremlin"), kremlin.version, draft=True
        )
        db.session.remove()
    page.locator("#summary").fill("A speech in the Kremlin.")
    page.locator("button[value=save]").click()
    expect(page.locator(".conflict-intro")).to_be_visible()
    assert_accessible(page)


def test_an_editor_has_no_administration_menu(page, live_server, scene):
    with live_server.app.app_context():
        db.session.execute(db.update(User).where(User.username == "anna").values(role=Role.EDITOR))
        db.session.commit()
        db.session.remove()
    sign_in(page, live_server, "anna")
    expect(page.locator(".topbar__nav")).not_to_contain_text("Administration")
    page.locator(".topbar__account summary").click()
    expect(page.get_by_role("link", name="Change your password")).to_be_visible()
