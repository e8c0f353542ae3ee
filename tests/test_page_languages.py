"""A visitor page in Russian or Ukrainian shows no English, except text marked with its own language.

Every visitor page is rendered for /ru/ and /uk/ (the timeline with its attract screen and idle notice, every
event, the Places view, each place's panel, every era's page, the not-found page and the page shown while the
kiosk cannot serve), and every text a visitor reads or hears is found with the language it is marked in: text
nodes, and the attributes shown or read aloud. A word in Latin script in text whose language is the page's is
English left on a Cyrillic page: a screen reader reads it with a Russian or Ukrainian voice, and a visitor who
chose the language cannot read it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import current_app
from sqlalchemy import select

from kiosk.content import published
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.languages import scripts
from kiosk.models import Era, Event, EventTranslation, Place
from kiosk.web import errors

from .fixture_timeline import FIXTURE
from .helpers import make_event

TRANSLATED = ("ru", "uk")
LATIN_WORD = re.compile(f"[{scripts.LATIN_LETTERS}]+(?:[’'-][{scripts.LATIN_LETTERS}]+)*")
# Attributes a visitor sees or hears: the alternative text, the names screen readers read out, and the
# messages the kiosk's scripts show (data-message-…).
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
NOT_TEXT = {"script", "style"}


class _MarkedText(HTMLParser):
    """Each text a visitor reads, with the language of the element it is in (the nearest `lang`)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str | None]] = []  # (tag, its lang, or None: its parent's)
        self.texts: list[tuple[str, str]] = []  # (language, text)

    def language(self) -> str:
        return next((lang for _, lang in reversed(self.open) if lang is not None), "")

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = attributes.get("lang")
        language = lang if lang is not None else self.language()
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or name.startswith("data-message")):
                self.texts.append((language, value))
        if tag not in VOID:
            self.open.append((tag, lang))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        if data.strip() and not any(tag in NOT_TEXT for tag, _ in self.open):
            self.texts.append((self.language(), data))


def english_on(page: str, language: str) -> list[str]:
    """The Latin-script words of a page in ``language`` that are not inside an element marked with
    another language, each with the text it stands in."""
    parser = _MarkedText()
    parser.feed(page)
    parser.close()
    return [
        f"{word!r} in {' '.join(text.split())[:80]!r}"
        for marked, text in parser.texts
        if marked.split("-")[0] == language
        for word in LATIN_WORD.findall(text)
    ]


def visitor_pages(client, language: str) -> dict[str, str]:
    """Every visitor page in ``language``: {address: HTML} (the not-found page answered 404, the rest 200)."""
    prefix = f"/{language}"
    addresses = [f"{prefix}/", f"{prefix}/places"]
    addresses += [f"{prefix}/events/{event.slug}" for event in db.session.scalars(published.visible_events())]
    addresses += [f"{prefix}/eras/{slug}" for slug in db.session.scalars(select(Era.slug))]
    addresses += [f"{prefix}/places/{slug}" for slug in published.place_slugs()]
    pages = {address: client.get(address) for address in addresses}
    assert {address: response.status_code for address, response in pages.items()} == dict.fromkeys(
        addresses, 200
    )
    missing = client.get(f"{prefix}/events/no-such-event")
    assert missing.status_code == 404
    with current_app.test_request_context(f"{prefix}/"):
        current_app.preprocess_request()
        resting = errors.unavailable_page()  # shown when the database or the disk is at fault
    return {
        **{address: response.get_data(as_text=True) for address, response in pages.items()},
        missing.request.path: missing.get_data(as_text=True),
        f"{prefix}/ (unavailable)": resting,
    }


def english_on_pages(client, language: str) -> list[str]:
    return [
        f"{address}: {finding}"
        for address, page in visitor_pages(client, language).items()
        for finding in english_on(page, language)
    ]


@pytest.mark.default_content
@pytest.mark.parametrize("language", TRANSLATED)
def test_no_english_on_the_default_contents_translated_pages(client, language):
    assert english_on_pages(client, language) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_english_on_translated_pages_but_where_marked(client, language):
    """The fixture timeline has an event in neither language file: it is shown in English, marked so."""
    pages = visitor_pages(client, language)
    assert english_on_pages(client, language) == []
    untranslated = pages[f"/{language}/events/{FIXTURE.untranslated_event}"]
    headline = next(
        e["headline"] for e in FIXTURE.document()["events"] if e["slug"] == FIXTURE.untranslated_event
    )
    assert f'lang="en">{headline}</h1>' in untranslated  # marked, and left out of the page's title
    assert headline not in untranslated.split("</title>")[0]


def test_a_curators_untranslated_event_at_a_place_is_marked_in_the_places_panel(client):
    moscow = db.session.scalar(select(Place).where(Place.slug == FIXTURE.capital_place))
    make_event(headline="A visit to the Metro", summary="He rides the new line.", place=moscow)
    panel = client.get(f"/ru/places/{FIXTURE.capital_place}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert '<span class="place-event__headline" lang="en">A visit to the Metro</span>' in panel
    assert english_on_pages(client, "ru") == []


def test_english_left_on_a_translated_page_is_found(client):
    record = db.session.scalar(select(Event).where(Event.slug == FIXTURE.record_event))
    russian = db.session.scalar(
        select(EventTranslation).where(EventTranslation.event == record, EventTranslation.locale == "ru")
    )
    with fixture_writes():
        russian.body = russian.body + " Журнал Time писал об этом."
        russian.figure = {**russian.figure, "rows": [{**row, "unit": "t"} for row in russian.figure["rows"]]}
    found = english_on_pages(client, "ru")
    address = f"/ru/events/{FIXTURE.record_event}"
    assert f"{address}: 'Time' in" in "\n".join(found)
    assert any(finding.startswith(f"{address}: 't' in") for finding in found)  # a unit is a word too
    assert english_on_pages(client, "uk") == []


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ('<html lang="ru"><p>Уголь: 7 t</p></html>', ["'t' in 'Уголь: 7 t'"]),
        (
            '<html lang="ru"><p>Журнал <i lang="en">Time</i>, <b>Pravda</b></p></html>',
            ["'Pravda' in 'Pravda'"],
        ),
        (
            '<html lang="ru"><img alt="A photograph"></html>',
            ["'A' in 'A photograph'", "'photograph' in 'A photograph'"],
        ),
        (
            '<html lang="ru"><div data-message-failed="Try again"></div></html>',
            ["'Try' in 'Try again'", "'again' in 'Try again'"],
        ),
        ('<html lang="ru"><script>const x = 1</script><p>Шахта</p></html>', []),
        ('<html lang="uk"><p lang="en">A <br>line <span>of</span> English</p><p>Шахта 4×</p></html>', []),
        ('<html lang="uk"><p lang="en">Time</p><p>Number</p></html>', ["'Number' in 'Number'"]),
    ],
)
def test_the_check_finds_latin_words_outside_elements_marked_with_another_language(html, found):
    assert english_on(html, html[12:14]) == found


def test_citations_are_marked_with_their_own_language_on_every_page(client):
    """Sources, further reading and a figure's source keep each work's language, marked (scripts.marked)."""
    russian = client.get(f"/ru/events/{FIXTURE.record_event}").get_data(as_text=True)
    assert re.search(r'<ol class="sources__list">\s*<li><span lang="en">', russian)
    assert re.search(
        r'class="coda__list"[^>]*>\s*<li>(<span lang="en">|[^<]*<span lang="en">)',
        client.get("/ru/").get_data(as_text=True),
    )
    assert scripts.marked("Lewis H. Siegelbaum, Stakhanovism (1988) — основное исследование", "ru") == (
        '<span lang="en">Lewis H. Siegelbaum, Stakhanovism (1988)</span> — основное исследование'
    )
    assert scripts.marked("“Стаханов Олексій”, Енциклопедія (in Ukrainian)", "en") == (
        '<span lang="uk">“Стаханов Олексій”, Енциклопедія</span> (in Ukrainian)'
    )
    assert scripts.marked("“Стаханов Алексей”, 1983 (in Russian) <b>", "en") == (
        '<span lang="ru">“Стаханов Алексей”, 1983</span> (in Russian) &lt;b&gt;'
    )
    assert scripts.marked("Большая советская энциклопедия; Annales (1936)", "uk") == (
        'Большая советская энциклопедия; <span lang="en">Annales (1936)</span>'
    )
