"""The timeline the tests run on: a small one of their own (tests/data/timeline/), not the default content.

It is written in our own JSON format (docs/interchange-format.md) with a Russian and a Ukrainian file beside
it, as the default content is, and loaded through the real importer as `flask seed` loads the default
content. Tests name its events, eras and places through ``FIXTURE``, so a historian's correction of the
default content (kiosk/data/) breaks only the tests of the default content itself, which are marked
``default_content`` and run on a copy of a database seeded with it.

What it holds, each for the tests that need it: six eras (one of a single year, 1935), twelve published
events (five featured, one a postscript, five places with the years he lived there, two Donbas towns too
close to tap apart, one
figure with its texts translated, one photograph, generated when the timeline is loaded, with its credit
translated, and one event not translated at all), the title and further reading (scholarly works and
period sources) in every language, and labels for uncertain facts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kiosk.content import fields
from kiosk.extensions import db
from kiosk.interchange import importers, kiosk_json
from kiosk.languages import localized

from .helpers import store_photo

FOLDER = Path(__file__).parent / "data" / "timeline"
DOCUMENT = FOLDER / "timeline.json"


@dataclass(frozen=True)
class FixtureTimeline:
    """The fixture timeline's slugs, by the part each plays in the tests, and its document."""

    # Events, in timeline order.
    birth_event: str = "village-birth"  # the first event: featured, a place (Lugovaya), a date to the day
    boyhood_event: str = "hired-labour"  # the second, in the same era; an uncertainty label
    mine_event: str = "down-the-mine"  # the first of the second era (1927); a place (Kadiivka)
    record_event: str = "record-night"  # featured; a display date, a translated figure, a place; 3 sources
    image_event: str = "world-record-declared"  # the record's next event, same era; a photograph, credited
    kremlin_event: str = "kremlin-meeting"  # featured; a place (Moscow)
    plain_event: str = "norms-go-up"  # text only (no place, figure or image), translated; mid-era
    karaganda_event: str = "war-work-in-karaganda"  # a place (Karaganda); the last of its era
    return_event: str = "back-in-the-donbas"  # 1957, the first of its era; a place (Chistyakovo)
    untranslated_event: str = "gold-star"  # 1970; in neither the Russian nor the Ukrainian file
    death_event: str = "dies-in-torez"  # featured; a place (Chistyakovo, as the Donbas place above)
    postscript_event: str = "doubts-in-print"  # the last event: a postscript (1988), featured

    # Eras, in order.
    first_era: str = "early-years"  # 1906–1926: two events
    mine_era: str = "underground"  # 1927–1935: one event
    record_era: str = "august-1935"  # 1935 alone: two events
    fame_era: str = "in-the-limelight"  # 1935–1942: three events
    return_era: str = "donbas-again"  # 1957–1974: two events
    last_era: str = "after-his-death"  # 1977–1988: two events, the second a postscript

    # Places, as the kiosk keys them, in the order he came to them.
    places: tuple[str, ...] = ("lugovaya", "kadiivka-kadievka", "moscow", "karaganda", "chistyakovo-torez")
    # The two Donbas towns: too close together on the map to tap apart.
    donbas_places: tuple[str, ...] = ("kadiivka-kadievka", "chistyakovo-torez")
    # Where he lived 1936–1957 but for a stay elsewhere (its years have a wording in every language).
    capital_place: str = "moscow"
    wartime_place: str = "karaganda"  # 1941–1942, that stay, inside the capital's years

    def document(self) -> dict[str, Any]:
        """The timeline with every language folded in, as `flask seed` folds in the default content's."""
        return json.loads(_document_text())

    @property
    def event_slugs(self) -> list[str]:
        return [item["slug"] for item in self.document()["events"]]

    @property
    def era_slugs(self) -> list[str]:
        return [item["slug"] for item in self.document()["eras"]]

    @property
    def title(self) -> dict[str, str]:
        return self.document()["title"]


FIXTURE = FixtureTimeline()


@cache
def _document_text() -> str:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    for path in sorted(FOLDER.glob(f"{DOCUMENT.stem}.*.json")):
        document = kiosk_json.with_language_file(document, json.loads(path.read_text(encoding="utf-8")))
    return json.dumps(_translated_from_this_text(document), ensure_ascii=False)


def _translated_from_this_text(document: dict[str, Any]) -> dict[str, Any]:
    """Every translation marked as made from the default text as it now is (the fingerprint the kiosk
    compares), so that the fixture's texts can be edited without its translations turning out of date."""
    for kind, table in (("events", fields.EVENT), ("eras", fields.ERA), ("places", fields.PLACE)):
        for item in document.get(kind) or []:  # (an older document's places are inside its events)
            fingerprint = localized.source_hash(fields.item_source(table, item))
            for texts in item.get("translations", {}).values():
                texts["source_hash"] = fingerprint
    title = kiosk_json.title_settings(document["title"]) | {"further_reading": document["further_reading"]}
    for texts in document.get("translations", {}).values():
        texts["source_hash"] = localized.source_hash(title)
    return document


def load_fixture_timeline() -> None:
    """Load the fixture timeline into the app's empty database: its photograph into the media folder as an
    upload is stored, then the document through the importer, as `flask seed` loads the default content."""
    image = store_photo(kind="PNG", size=(1200, 800))
    db.session.commit()
    document = FIXTURE.document()
    shown = next(item for item in document["events"] if item["slug"] == FIXTURE.image_event)
    shown["image"]["key"] = image.key
    data = json.dumps(document, ensure_ascii=False).encode()
    importers.run(data, source=DOCUMENT.name, keep_status=True)
