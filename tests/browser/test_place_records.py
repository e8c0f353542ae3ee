"""The Places view in Russian, in real Chromium with touch: each place's name, note and the years he lived
there are the place record's own, in the visitor's language."""

import pytest
from playwright.sync_api import expect

from kiosk.content.dates import PartialDate
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.models import Place, PlaceTranslation

from ..fixture_timeline import FIXTURE
from ..helpers import make_event
from .conftest import assert_accessible
from .kiosk import Fingers, centre

pytestmark = pytest.mark.browser


def test_places_in_russian_show_translated_names_and_each_places_own_years(page, live_server):
    with live_server.app.app_context():
        place = Place(
            slug="saratov", name="Saratov", note="A Volga town.", lat=51.53, lon=46.03, years_from=1940,
            years_to=1941, display_years="1940–1941, in winter",
        )  # fmt: skip
        place.translations.append(
            PlaceTranslation(
                locale="ru", name="Саратов", note="Город на Волге.", display_years="1940–1941, зимой"
            )
        )
        with fixture_writes():
            db.session.add(place)
        make_event(
            place=place, start=PartialDate(1960), headline="A visit to Saratov"
        )  # years are not its date
        db.session.remove()
    finger = Fingers(page)
    page.goto(live_server.url + "/ru/places")
    listed = page.locator('[data-place="saratov"]')
    expect(listed.locator(".place-link__name")).to_have_text("Саратов")
    expect(listed.locator(".place-link__years")).to_have_text("1940–1941, зимой")
    moscow = page.locator(f'[data-place="{FIXTURE.capital_place}"]')
    expect(moscow.locator(".place-link__name")).to_have_text("Москва")
    expect(moscow.locator(".place-link__years")).to_have_text("1936–1957, кроме 1941–1942")
    expect(page.locator('[data-place-marker="saratov"] .marker__years')).to_have_text("1940–1941, зимой")
    assert_accessible(page)

    finger.tap(*centre(page, '[data-place-marker="saratov"] .marker__hit'))
    expect(page.locator("#place-title")).to_have_text("Саратов")
    expect(page.locator(".places__years")).to_have_text("1940–1941, зимой")
    expect(page.locator(".places__note")).to_have_text("Город на Волге.")
    assert_accessible(page)
    assert page.outside_requests == [] and page.errors == []
