"""Visitors read the kiosk in English, Russian or Ukrainian: switching by touch, reading, the next visitor
finding the museum's default language, offline copies and live updates in every language."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kiosk.models import Event

from ..fixture_timeline import FIXTURE
from .conftest import assert_accessible
from .kiosk import content_of, open_event, reloaded_offline, wait_until

pytestmark = pytest.mark.browser
RECORD = FIXTURE.record_event
TOREZ = FIXTURE.donbas_places[1]  # Chistyakovo (Torez), where he died

QUICK_IDLE = {"IDLE_SECONDS": 1, "IDLE_WARNING_SECONDS": 2}
QUICK_POLL = {"VERSION_POLL_SECONDS": 1}


@pytest.mark.parametrize(
    ("code", "name", "title", "headline", "date"),
    [
        (
            "ru",
            "Русский",
            "Жизнь шахтёра, 1906–1977",
            "102 тонны за одну ночь",
            "Ночь с 30 на 31 августа 1935 г.",
        ),
        (
            "uk",
            "Українська",
            "Життя шахтаря, 1906–1977",
            "102 тонни за одну ніч",
            "Ніч з 30 на 31 серпня 1935 р.",
        ),
    ],
)
def test_a_visitor_switches_language_by_touch_and_reads_an_event(
    page, live_server, code, name, title, headline, date
):
    page.goto(live_server.url + "/")
    baseline = page.evaluate("history.length")
    choice = page.locator(f".dock [data-language={code}]")
    expect(choice).to_have_text(name)  # each language in its own name
    choice.tap()
    page.wait_for_url(f"{live_server.url}/{code}/")
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator(".masthead__title")).to_have_text(title)
    expect(page.locator(f".dock [data-language={code}]")).to_have_attribute("aria-current", "true")
    assert_accessible(page)

    open_event(page, RECORD)
    expect(page.locator("#event-title")).to_have_text(headline)
    expect(page.locator(".event__date")).to_have_text(date)
    assert page.url == f"{live_server.url}/{code}/events/{RECORD}"
    assert_accessible(page)
    page.locator("#event-layer a[rel=next]").tap()
    expect(page.locator("#event-view")).to_have_attribute("data-event", FIXTURE.image_event)
    assert page.url == f"{live_server.url}/{code}/events/{FIXTURE.image_event}"
    assert page.evaluate("history.length") <= baseline + 1  # the switch added nothing to go back through
    assert page.outside_requests == [] and page.errors == []


def test_an_untranslated_event_shows_the_default_text_marked_with_its_language(page, live_server):
    page.goto(live_server.url + "/ru/")
    card = page.locator(f"#event-{FIXTURE.untranslated_event} .card__headline")
    expect(card).to_have_text("Hero of Socialist Labour")
    expect(card).to_have_attribute("lang", "en")
    expect(page.locator(f"#event-{FIXTURE.birth_event} .card__headline")).not_to_have_attribute("lang", "en")
    open_event(page, FIXTURE.untranslated_event)
    expect(page.locator("#event-title")).to_have_attribute("lang", "en")
    assert_accessible(page)


@pytest.mark.parametrize("live_config", [QUICK_IDLE], indirect=True)
def test_the_next_visitor_finds_the_default_language_and_is_invited_in_every_language(page, live_server):
    page.goto(live_server.url + "/uk/")
    open_event(page, FIXTURE.birth_event)
    attract = page.get_by_role("dialog", name="Touch the screen to explore his life")
    expect(attract).to_be_visible(timeout=8_000)
    assert page.url == live_server.url + "/"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(attract.locator("p[lang=ru]")).to_have_text("Коснитесь экрана, чтобы узнать о его жизни")
    expect(attract.locator("p[lang=uk]")).to_have_text("Торкніться екрана, щоб дізнатися про його життя")
    assert_accessible(page)

    attract.locator("[data-language=ru]").tap()  # a visitor who reads Russian starts in Russian
    page.wait_for_url(live_server.url + "/ru/")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(".masthead__title")).to_have_text("Жизнь шахтёра, 1906–1977")


def test_with_the_server_down_a_reload_in_a_second_language_still_shows_it(kiosk_page, live_server):
    page = kiosk_page
    reloaded_offline(page, live_server, "/ru/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    open_event(page, RECORD)
    expect(page.locator("#event-title")).to_have_text("102 тонны за одну ночь")
    page.reload()
    expect(page.locator("h1#event-title")).to_have_text("102 тонны за одну ночь")
    page.locator(".event [data-language=uk]").tap()  # and the other language, offline too
    page.wait_for_url(f"{live_server.url}/uk/events/{RECORD}")
    expect(page.locator("h1#event-title")).to_have_text("102 тонни за одну ніч")


def test_with_the_server_down_a_place_opens_in_the_visitors_language_as_online(kiosk_page, live_server):
    page = kiosk_page
    reloaded_offline(page, live_server, "/uk/places")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    page.locator(f'[data-place="{TOREZ}"]').tap()  # htmx asks for the place's panel
    expect(page.locator("#place-title")).to_have_text("Чистякове (Торез)")
    expect(page.locator(".place-event", has_text="Помирає в Торезі")).to_be_visible()
    # The panel brought the dock's switch for this place, as the server sends it: the place is kept.
    page.locator(".dock--places [data-language=ru]").tap()
    page.wait_for_url(f"{live_server.url}/ru/places/{TOREZ}")
    expect(page.locator("#place-title")).to_have_text("Чистяково (Торез)")


@pytest.mark.parametrize("live_config", [QUICK_POLL], indirect=True)
def test_a_published_translation_reaches_an_open_kiosk(page, live_server):
    page.goto(live_server.url + "/ru/")
    with content_of(live_server) as session:
        event = session.scalar(select(Event).where(Event.slug == FIXTURE.plain_event))
        row = next(row for row in event.translations if row.locale == "ru")
        row.headline = "Нормы выработки снова повышают"
    wait_until(page, "document.documentElement.dataset.update === 'pending'", timeout_ms=15_000)
    open_event(page, FIXTURE.birth_event)
    page.locator("#event-layer [data-close]").tap()  # the visitor's next navigation brings it in
    expect(page.locator(f"#event-{FIXTURE.plain_event}")).to_contain_text("Нормы выработки снова повышают")
    assert page.url == live_server.url + "/ru/"
