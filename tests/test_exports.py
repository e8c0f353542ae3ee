"""Exports: deterministic bytes, the TimelineJS shapes, and round trips through an import."""

import csv
import io
import json

import pytest
from sqlalchemy import select

from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.interchange import exporters, importers, timelinejs
from kiosk.models import Event, Media, Status

from .fixture_timeline import FIXTURE
from .helpers import make_event
from .interop import cli, other_kiosk, without_images

TIMELINE_ITEMS = len(FIXTURE.era_slugs) + len(FIXTURE.event_slugs)


def test_every_format_is_deterministic(app):
    for file_format in exporters.FORMATS:
        first, second = exporters.export(file_format), exporters.export(file_format)
        assert first == second
        assert first.endswith(b"\n")
        assert "1906–1977".encode() in first  # UTF-8 as is, not \u escapes


def test_json_export_is_our_lossless_format(app):
    document = json.loads(exporters.export("json"))
    assert document["format"] == "kiosk-timeline" and document["version"] == 4
    assert len(document["eras"]) == len(FIXTURE.era_slugs) and len(document["events"]) == len(
        FIXTURE.event_slugs
    )
    assert [place["slug"] for place in document["places"]] == list(
        FIXTURE.places
    )  # by the years he lived there
    assert list(document) == sorted(document)  # keys sorted: stable bytes
    # Every language travels with it: each era, place and event, and the title.
    born = next(item for item in document["events"] if item["slug"] == FIXTURE.birth_event)
    assert set(born["translations"]) == {"ru", "uk"} and born["place"] == FIXTURE.places[0]  # by its slug
    assert born["translations"]["uk"]["headline"] == "Народився в Луговій"
    assert document["eras"][0]["translations"]["ru"]["name"] == "Ранние годы"
    assert document["places"][0]["translations"]["ru"]["name"] == "Луговая"
    assert document["translations"]["ru"]["title"]["headline"] == "Жизнь шахтёра, 1906–1977"


def test_a_version_2_export_loads_back_with_every_language_and_version_1_still_loads(app):
    document = json.loads(exporters.export("json"))
    born = next(item for item in document["events"] if item["slug"] == FIXTURE.birth_event)
    born["translations"]["ru"]["headline"] = "Родился в деревне Луговая"
    del born["translations"]["uk"]
    importers.run(json.dumps(document).encode())
    event = db.session.scalar(select(Event).where(Event.slug == FIXTURE.birth_event))
    assert {row.locale: row.headline for row in event.translations} == {"ru": "Родился в деревне Луговая"}

    old = {key: value for key, value in document.items() if key not in ("translations", "places")}
    old |= {"version": 1}
    for item in old["events"]:
        item.pop("translations")
        item.pop("place")  # (version 1 carries a place inside its event, or leaves the event's be)
    importers.run(json.dumps(old).encode())  # one language only: the translations stay as they are
    db.session.expire_all()
    assert {row.locale for row in event.translations} == {"ru"}

    document["events"][0]["translations"] = {"Russian!": {"headline": "x"}}
    with pytest.raises(importers.ImportRefused, match="not a language code"):
        importers.run(json.dumps(document).encode())


def test_trashed_events_are_left_out_and_drafts_kept(app):
    make_event(slug="a-draft", status=Status.DRAFT)
    trashed = make_event(slug="in-the-trash")
    with fixture_writes():
        trashed.deleted_at = trashed.created_at
    slugs = {item["slug"]: item["status"] for item in json.loads(exporters.export("json"))["events"]}
    assert slugs["a-draft"] == "draft"
    assert "in-the-trash" not in slugs


def test_timelinejs_export_shape(app):
    image = Media(key="abc123", width=1600, height=1200, checksum="0" * 64)
    db.session.add(image)
    make_event(
        slug="with-image", headline="A & B", image=image, image_alt="Miners", image_caption="At <work>"
    )
    document = json.loads(exporters.export("timelinejs"))
    assert document["title"]["text"]["headline"] == "A miner’s life, 1906–1977"
    assert [era["text"]["headline"] for era in document["eras"]][:2] == ["Early years", "Underground"]
    slide = next(s for s in document["events"] if s["unique_id"] == FIXTURE.record_event)
    assert slide["start_date"] == {"year": 1935, "month": 8, "day": 30}
    assert slide["end_date"] == {"year": 1935, "month": 8, "day": 31}
    assert slide["group"] == "August 1935"
    assert slide["display_date"] == "Night of 30–31 August 1935"
    assert slide["text"]["text"].startswith("<p>Officially, he cuts 102 tonnes")
    assert "<h4>Sources</h4>" in slide["text"]["text"]
    with_image = next(s for s in document["events"] if s["unique_id"] == "with-image")
    assert with_image["text"]["headline"] == "A &amp; B"
    assert with_image["media"] == {
        "url": "/media/abc123-large.webp",
        "thumbnail": "/media/abc123-thumb.webp",
        "alt": "Miners",
        "caption": "At &lt;work&gt;",
        "credit": "",
    }


def test_csv_export_follows_the_template(app):
    rows = list(csv.reader(io.StringIO(exporters.export("csv").decode())))
    assert rows[0] == timelinejs.CSV_COLUMNS
    by_type = lambda kind: [r for r in rows[1:] if r[15] == kind]  # noqa: E731
    assert [r[9] for r in by_type("title")] == ["A miner’s life, 1906–1977"]
    eras = by_type("era")
    assert eras[0][0] == "1906" and eras[0][4] == "1926" and eras[0][9] == "Early years"
    assert eras[0][17] == "#8A5A14"  # the era's colour in Background
    events = by_type("")
    assert len(events) == len(FIXTURE.event_slugs)
    record = next(r for r in events if r[9] == "102 tonnes in one night")
    assert record[:8] == ["1935", "8", "30", "", "1935", "8", "31", ""]
    assert record[16] == "August 1935"


def test_json_round_trip_into_the_same_kiosk_changes_nothing(app, tmp_path):
    exported = tmp_path / "timeline.json"
    assert cli(app, "export", exported, "--format", "json").exit_code == 0
    result = cli(app, "import", exported)
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated" in result.output
    assert exporters.export("json") == exported.read_bytes()


def test_json_round_trip_into_a_new_kiosk_gives_the_same_bytes(app, tmp_path):
    without_images()
    make_event(slug="still-a-draft", status=Status.DRAFT)
    exported = tmp_path / "timeline.json"
    cli(app, "export", exported)
    with other_kiosk(tmp_path / "other") as other:
        result = cli(other, "import", exported, "--keep-status")
        assert result.exit_code == 0, result.output
        assert exporters.export("json") == exported.read_bytes()


def test_timelinejs_and_csv_round_trips_are_stable(app, tmp_path):
    without_images()
    first = {fmt: exporters.export(fmt) for fmt in ("timelinejs", "csv")}
    for file_format, data in first.items():
        exported = tmp_path / f"export-{file_format}"
        exported.write_bytes(data)
        with other_kiosk(tmp_path / f"kiosk-{file_format}") as other:
            result = cli(other, "import", exported, "--publish")
            assert result.exit_code == 0, result.output
            carried = len(FIXTURE.places) if file_format == "timelinejs" else 0  # (a sheet has no location)
            # Every era, place and event but the one in the trash.
            assert f"{TIMELINE_ITEMS - 1 + carried} created" in result.output
            assert exporters.export(file_format) == data, file_format
        # And back into the kiosk it came from: everything matches, nothing is added.
        result = cli(app, "import", exported)
        assert "0 created, 0 updated" in result.output, result.output


def test_export_to_standard_output(app):
    result = cli(app, "export", "-", "--format", "timelinejs")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["events"]
    assert db.session.get(Event, 1) is not None


def test_timelinejs_exports_take_a_language(app, tmp_path):
    russian = json.loads(exporters.export("timelinejs", "ru"))
    headlines = {event["unique_id"]: event["text"]["headline"] for event in russian["events"]}
    assert headlines[FIXTURE.record_event] == "102 тонны за одну ночь"
    assert headlines[FIXTURE.untranslated_event] == "Hero of Socialist Labour"  # not translated yet
    assert russian["title"]["text"]["headline"] == "Жизнь шахтёра, 1906–1977"
    assert "102 tonnes in one night" in exporters.export("csv").decode()
    assert "102 тонни за одну ніч" in exporters.export("csv", "uk").decode()

    out = tmp_path / "uk.json"
    assert cli(app, "export", out, "--format", "timelinejs", "--lang", "uk").exit_code == 0
    assert "102 тонни за одну ніч" in out.read_text(encoding="utf-8")
    refused = cli(app, "export", out, "--format", "timelinejs", "--lang", "xx")
    assert refused.exit_code != 0 and "--lang" in refused.output
