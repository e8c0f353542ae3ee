"""The curators' list finds events by any text of theirs in any language (the database's own full-text
search: FTS5 on SQLite, a tsvector on PostgreSQL), lists them in true date order, and shows one page at
a time however many there are."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from kiosk.content.dates import PartialDate
from kiosk.editing import reads
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.interchange import exporters, importers
from kiosk.models import Event

from ..fixture_timeline import FIXTURE
from ..helpers import an_era, make_event
from .conftest import form_values


def count_line(html: str) -> str:
    """The line above the list that counts its events, as read."""
    line = re.search(r'<p class="results__count" role="status">(.*?)</p>', html, re.DOTALL).group(1)
    return " ".join(line.split())


def found(curator, query: str) -> list[str]:
    """The slugs the list shows for a search, in its order."""
    html = curator.get("/admin/events", query_string={"q": query}).get_data(as_text=True)
    ids = [int(number) for number in re.findall(r'<tr id="event-row-(\d+)">', html)]
    slugs = dict(db.session.execute(select(Event.id, Event.slug)).all())
    return [slugs[event_id] for event_id in ids]


def test_every_text_of_an_event_in_every_language_finds_it(curator):
    record, declared = FIXTURE.record_event, FIXTURE.image_event
    assert found(curator, "timbermen") == [record]  # the text
    assert found(curator, "Annales d’histoire") == [record]  # a source
    assert found(curator, "night of 30") == [record]  # the display date
    assert found(curator, "As officially reported") == [record]  # the confidence label
    assert record in found(curator, "Кадиевка")  # the place, in Russian
    assert found(curator, "тонны за одну ночь") == [record]  # the Russian headline
    assert found(curator, "вугілля") == [record]  # the Ukrainian summary
    # Dates as each language writes them, though nobody typed them: 31 August 1935, "31 августа 1935 г."
    assert declared in found(curator, "31 August") and declared in found(curator, "31 августа")
    assert record in found(curator, "30 aug")  # the beginning of a word is enough, in any case


def test_all_the_words_must_be_found_anywhere_in_the_event(curator):
    # "shift" is in the text, "tonnes" in the headline: together they find the record night only.
    assert found(curator, "tonnes shift") == [FIXTURE.record_event]
    assert found(curator, "tonnes Karaganda") == []
    assert found(curator, "%_%") == []  # no words at all: nothing, rather than everything


def test_a_change_is_found_by_its_new_words_once_saved(curator):
    event = db.session.scalar(select(Event).where(Event.slug == FIXTURE.plain_event))
    url = f"/admin/events/{event.id}/edit"
    typed = form_values(curator.get(url).get_data(as_text=True), url) | {"body": "A quarrelsome ministry."}
    assert curator.post(url, typed | {"action": "save"}).status_code == 302  # not published yet
    assert found(curator, "quarrelsome") == [FIXTURE.plain_event]  # the unpublished words find it too
    again = form_values(curator.get(url).get_data(as_text=True), url) | {"body": "A patient ministry."}
    assert curator.post(url, again | {"action": "publish"}).status_code == 302
    assert found(curator, "patient ministry") == [FIXTURE.plain_event]
    assert found(curator, "quarrelsome") == []  # what it no longer says does not find it


def test_events_written_outside_the_writer_are_found_all_the_same(curator):
    make_event(slug="set-up-aside", headline="A pit pony called Zvezdochka")
    assert found(curator, "Zvezdochka") == ["set-up-aside"]


def test_the_list_is_in_true_date_order(curator):
    era = an_era(slug="dated", name="Dated")
    for slug, start, end in [
        ("feb-1936", PartialDate(1936, 2), None),
        ("years-36-41", PartialDate(1936), PartialDate(1941)),
        ("jan-1936", PartialDate(1936, 1), None),
        ("years-36-38", PartialDate(1936), PartialDate(1938)),
        ("in-1936", PartialDate(1936), None),
        ("jan-to-mar-1936", PartialDate(1936, 1), PartialDate(1936, 3)),
        ("1-jan-1936", PartialDate(1936, 1, 1), None),
    ]:
        make_event(slug=slug, headline=f"Event {slug}", start=start, end=end, era=era)
    html = curator.get(f"/admin/events?era={era.id}").get_data(as_text=True)
    ids = [int(number) for number in re.findall(r'<tr id="event-row-(\d+)">', html)]
    slugs = dict(db.session.execute(select(Event.id, Event.slug)).all())
    assert [slugs[event_id] for event_id in ids] == [
        "in-1936",  # the year alone first, its shorter spans before its longer ones
        "years-36-38",
        "years-36-41",
        "jan-1936",
        "jan-to-mar-1936",
        "1-jan-1936",
        "feb-1936",
    ]


def test_a_long_list_is_shown_a_page_at_a_time(curator):
    era = an_era(slug="many", name="Many")
    with fixture_writes():
        for number in range(2 * reads.PAGE_SIZE + 3):
            event = Event(slug=f"many-{number}", headline=f"Many {number}", era=era, sources=["A source"])
            event.start = PartialDate(1950)
            db.session.add(event)
    total = db.session.scalar(select(db.func.count(Event.id)))
    first = curator.get("/admin/events").get_data(as_text=True)
    assert len(re.findall(r'<tr id="event-row-', first)) == reads.PAGE_SIZE
    assert count_line(first) == f"{total:,} events, by date · page 1 of 3"
    later = re.search(r'<a class="button" href="([^"]+)" rel="next">Next page</a>', first).group(1)
    assert "page=2" in later
    filtered = curator.get(f"/admin/events?era={era.id}&page=3").get_data(as_text=True)
    assert len(re.findall(r'<tr id="event-row-', filtered)) == 3
    assert count_line(filtered) == f"{2 * reads.PAGE_SIZE + 3} of {total:,} events match · page 3 of 3"
    assert 'rel="prev"' in filtered and f"era={era.id}" in filtered
    assert curator.get("/admin/events?page=99").status_code == 200  # past the end: the last page


def test_a_place_renamed_or_translated_on_its_page_finds_its_events_by_the_new_words(curator):
    place = db.session.scalar(select(Event).where(Event.slug == FIXTURE.karaganda_event)).place
    url = f"/admin/places/{place.id}/edit"
    typed = form_values(curator.get(url).get_data(as_text=True), url)
    assert found(curator, "Kazakhstan") == [FIXTURE.karaganda_event]  # its place's note
    typed |= {"name": "Qaraghandy", "note": "A coal basin in the steppe."}
    assert curator.post(url, typed).status_code == 302
    assert found(curator, "Qaraghandy steppe") == [FIXTURE.karaganda_event]
    assert found(curator, "Kazakhstan") == []  # what the place no longer says does not find it
    url = f"/admin/places/{place.id}/translations/uk"
    typed = form_values(curator.get(url).get_data(as_text=True), url) | {"name": "Караганда-Сортувальна"}
    assert curator.post(url, typed).status_code == 302
    assert found(curator, "сортувальна") == [FIXTURE.karaganda_event]


def test_an_import_that_changes_a_place_finds_its_events_by_the_new_words(curator):
    document = json.loads(exporters.export("json"))
    place = next(place for place in document["places"] if place["slug"] == FIXTURE.wartime_place)
    place["note"] = "A coal basin in the steppe."
    event = next(event for event in document["events"] if event["slug"] == FIXTURE.mine_event)
    event["summary"] = "He goes down the pit at Gorlovka."
    report = importers.run(json.dumps(document).encode(), source="renamed.json", dry_run=False)
    assert report.updated
    assert found(curator, "steppe") == [FIXTURE.karaganda_event]  # not itself in the file's changes
    assert found(curator, "Kazakhstan") == []
    assert found(curator, "Gorlovka") == [FIXTURE.mine_event]  # an event the import changed
