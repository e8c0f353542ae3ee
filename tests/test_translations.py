"""Every interface string, the visitors' and the curators', has a Russian and a Ukrainian translation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from .fixture_timeline import FIXTURE

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "kiosk" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings the code and templates use now (not a template that may be stale)."""
    template = tmp_path_factory.mktemp("messages") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "--mapping", "babel.cfg",
         "--keywords", "_l", "--output", str(template), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with template.open("rb") as handle:
        return [message for message in read_po(handle) if message.id]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_every_interface_string_is_translated(extracted, language):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.num_plurals == 3  # one, few, many: 1 событие, 2 события, 5 событий
    problems = []
    for wanted in extracted:
        found = catalog.get(wanted.id, context=wanted.context)  # msgctxt: pgettext
        if found is None or found.fuzzy:
            problems.append(f"missing or fuzzy: {wanted.id!r}")
        elif wanted.pluralizable:
            forms = found.string
            if len(forms) != 3 or not all(form.strip() for form in forms):
                problems.append(f"plural forms incomplete: {wanted.id!r}")
            elif any(placeholders(form) - placeholders(wanted.id[1]) for form in forms) or placeholders(
                forms[-1]
            ) != placeholders(wanted.id[1]):
                problems.append(f"placeholders differ: {wanted.id!r}")
        elif not found.string.strip():
            problems.append(f"empty: {wanted.id!r}")
        elif placeholders(found.string) != placeholders(wanted.id):
            problems.append(f"placeholders differ: {wanted.id!r} → {found.string!r}")
    assert problems == []


@pytest.mark.parametrize(
    ("path", "language", "words"),
    [
        ("/ru/", "ru", ["Хронология", "Литература", "Вы ещё здесь?", "Крупный текст"]),
        ("/uk/", "uk", ["Хронологія", "Література", "Ви ще тут?", "Великий текст"]),
    ],
)
def test_the_compiled_catalogs_reach_the_visitor(client, path, language, words):
    page = client.get(path).get_data(as_text=True)
    assert f'<html lang="{language}"' in page
    for word in words:
        assert word in page


@pytest.mark.default_content
def test_the_default_content_is_translated_and_up_to_date_in_every_language(app):
    from sqlalchemy import select

    from kiosk.extensions import db
    from kiosk.languages.localized import states_of, translation_states
    from kiosk.models import Era, Event

    events = list(db.session.scalars(select(Event)))
    assert translation_states(events, ["ru", "uk"]) == {event.id: {} for event in events}
    assert all(states_of(era) == {"ru": None, "uk": None} for era in db.session.scalars(select(Era)))


def test_each_language_has_its_own_address_etag_and_html_lang(client):
    pages = {path: client.get(path) for path in ("/", "/ru/", "/uk/")}
    assert {page.status_code for page in pages.values()} == {200}
    assert len({page.headers["ETag"] for page in pages.values()}) == 3  # one cached copy per language
    for path, language in (("/", "en"), ("/ru/", "ru"), ("/uk/", "uk")):
        assert f'<html lang="{language}"' in pages[path].get_data(as_text=True)
        etag = pages[path].headers["ETag"]
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    # The browser's Accept-Language plays no part: the address decides.
    assert '<html lang="en"' in client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    event = client.get(f"/uk/events/{FIXTURE.birth_event}", headers={"HX-Request": "true"})
    html = event.get_data(as_text=True)
    assert "Народився в Луговій" in html and "3 січня 1906 р." in html  # the date, written in Ukrainian
    assert f'href="/uk/events/{FIXTURE.boyhood_event}"' in html  # links stay in the language
    assert client.get("/en/").status_code == 308 and client.get("/en/").headers["Location"].endswith("/")
    assert client.get("/de/").status_code == 404


def test_an_untranslated_text_falls_back_to_the_default_marked_with_its_language(client, app):
    from sqlalchemy import select

    from kiosk.editing.writer import fixture_writes
    from kiosk.extensions import db
    from kiosk.models import Event

    event = db.session.scalar(select(Event).where(Event.slug == FIXTURE.plain_event))
    russian = next(row for row in event.translations if row.locale == "ru")
    with fixture_writes():
        russian.summary = ""
    page = client.get(f"/ru/events/{FIXTURE.plain_event}").get_data(as_text=True)
    assert f'<p class="event__summary" lang="en">{event.summary}</p>' in page  # never an empty card
    assert f'id="event-title" tabindex="-1">{russian.headline}<' in page  # the translated parts stay

    untranslated = db.session.scalar(select(Event).where(Event.slug == FIXTURE.untranslated_event))
    assert untranslated.translations == []
    page = client.get(f"/ru/events/{untranslated.slug}").get_data(as_text=True)
    assert '<html lang="ru"' in page
    assert f'id="event-title" tabindex="-1" lang="en">{untranslated.headline}<' in page


def test_error_pages_speak_the_language_of_their_address(client):
    for path in ("/ru/events/no-such-event", "/ru/nowhere"):
        page = client.get(path)
        assert page.status_code == 404
        html = page.get_data(as_text=True)
        assert '<html lang="ru"' in html and "Мы не нашли эту страницу." in html
    fragment = client.get("/uk/events/no-such-event", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Ми не знайшли цієї сторінки." in fragment and 'href="/uk/"' in fragment
