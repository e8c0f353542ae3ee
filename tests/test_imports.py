"""Imports: TimelineJS JSON and sheets, our own JSON; all or nothing, dry runs, re-imports, drafts."""

import json

import pytest
from sqlalchemy import func, select

from kiosk.content import settings_store
from kiosk.editing import revisions, writer
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.interchange import exporters, importers, kiosk_json
from kiosk.models import AuditEntry, Era, Event, Revision, Status

from .fixture_timeline import FIXTURE
from .interop import BAD_SHEET, GOOD_SHEET, MUSEUM, OLD_SHEET, cli, other_kiosk, state


def event(slug: str) -> Event | None:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def era(slug: str) -> Era | None:
    return db.session.scalar(select(Era).where(Era.slug == slug))


def test_timelinejs_json_with_numbers_as_strings_eras_and_groups(app):
    result = cli(app, "import", MUSEUM)
    assert result.exit_code == 0, result.output
    first = event("first-shift")
    assert (first.start_year, first.start_month, first.start_day) == (1927, 5, None)
    assert first.status == Status.DRAFT
    assert first.era.slug == "years-underground"
    assert (first.era.name, first.era.start_year, first.era.end_year) == ("Years underground", 1927, 1935)
    record = event("record-shift")
    assert (record.end_year, record.end_month, record.end_day) == (1935, 8, 31)
    assert record.display_date == "Night of 30–31 August 1935"
    assert record.body == "- 14 times the norm\n- 5 hours 45 minutes"
    # No unique_id: a slug from its date and headline. A group-less new event joins the file's era that holds
    # its year; a group-less event already here stays in its era (the file says nothing about it).
    assert event("1936-02-time-magazine-cover").era.slug == "fame"
    assert event(FIXTURE.karaganda_event).era.slug == FIXTURE.fame_era
    # A group no era names is the event's own (TimelineJS draws groups as rows, which overlap in time, so
    # they are not the kiosk's chapters): the event goes into the era that holds its year, and an export
    # gives the group back. No era is made for it.
    hero = event(FIXTURE.untranslated_event)
    assert (hero.era.slug, hero.timelinejs_group) == (FIXTURE.return_era, "Later life")
    assert era("later-life") is None
    # A unique_id that is not a web address keeps its own spelling for exports beside the slug made from it.
    karaganda = event(FIXTURE.karaganda_event)
    assert (karaganda.slug, karaganda.timelinejs_id) == ("war-work-in-karaganda", "War work in Karaganda")


def test_imported_html_is_sanitised(app, client):
    cli(app, "import", MUSEUM, "--publish")
    first = event("first-shift")
    stored = " ".join([first.headline, first.summary, first.body, first.image_caption])
    for hostile in ("<script", "alert", "onerror", "onclick", "hx-", "steal", "example.org/mine"):
        assert hostile not in stored, hostile
    assert first.headline == "First shift underground"
    assert first.summary == "He starts as a brakeman at the Tsentralnaya-Irmino mine."
    assert (
        first.body == "Later he drives horses.\n\nRead more online or [see the record](/events/record-shift)."
    )
    page = client.get("/events/first-shift").get_data(as_text=True)
    assert 'href="/events/record-shift"' in page
    for hostile in ("alert(", "onerror", "onclick", 'hx-trigger="load"', "/admin/purge", "example.org/mine"):
        assert hostile not in page, hostile


def test_remote_media_is_kept_as_a_reference_and_flagged(app):
    result = cli(app, "import", MUSEUM)
    first, record = event("first-shift"), event("record-shift")
    assert first.image is None
    assert first.remote_media_url == "https://example.org/images/mine.jpg"
    assert (first.image_caption, first.image_credit, first.image_alt) == (
        "The Tsentralnaya-Irmino mine",
        "Museum archive",
        "",
    )
    assert record.remote_media_url == "https://www.youtube.com/watch?v=abc123"
    assert record.image_alt == "Newsreel of the record shift"
    output = " ".join(result.output.split())
    first, record = "event “First shift underground” (first-shift)", "event “The record shift” (record-shift)"
    assert f"{first}: https://example.org/images/mine.jpg is kept as a reference only" in output
    assert f"{first}: The image has no alt text" in output
    video = "https://www.youtube.com/watch?v=abc123 (a video) is kept as a reference only"
    assert f"{record}: {video}" in output
    assert "(record-shift): The image has no alt text" not in output


def test_a_sheet_with_bad_rows_imports_nothing_and_names_every_row(app):
    before = state()
    result = cli(app, "import", BAD_SHEET)
    assert result.exit_code == 1
    assert "Nothing was imported: 7 problem(s)" in result.stderr
    expected = {
        "row 3": "Year must be a whole number, not “19x5”",
        "row 4": "Month must be between 1 and 12",
        "row 5": "February 1935 has 28 days",
        "row 6": "The end date is before the start date",
        "row 7": "The headline is missing",
        "row 8": "must start with http:// or https:// (not javascript:)",
        "row 9": "1850 is before the timeline starts in 1906 (the setting KIOSK_TIMELINE_START_YEAR)",
    }
    lines = [line.strip() for line in result.stderr.splitlines()[1:]]
    assert len(lines) == len(expected)
    for line, (row, reason) in zip(lines, expected.items(), strict=True):
        assert line.startswith((f"{row}: ", f"{row} (“")) and reason in line, line
    assert state() == before
    assert event("1927-a-good-row") is None


def test_a_good_sheet_with_quoted_commas_a_bom_and_line_breaks(app):
    result = cli(app, "import", GOOD_SHEET)
    assert result.exit_code == 0, result.output
    assert "4 created, 1 updated" in result.output  # an era, three events; the title
    brakeman = event("1927-brakeman-horse-driver-coal-cutter")
    assert brakeman.headline == "Brakeman, horse driver, coal cutter"
    assert brakeman.summary == "He works as a brakeman, a horse driver and, from 1933, a coal cutter."
    assert brakeman.body == '"Work", he said, "was everything."'
    group = era("miner-then-coal-cutter")
    assert brakeman.era == group
    assert (group.name, group.start_year, group.end_year, group.colour) == (
        "Miner, then coal cutter",
        1927,
        1935,
        "#3e5c76",
    )
    shift = event("1935-08-31-102-tonnes-in-one-shift")
    assert shift.headline == "102 tonnes, in one shift"
    assert shift.body == "The figure was questioned in the 1980s."
    assert (shift.image_credit, shift.image_caption) == (
        "Photo: TASS, 1935",
        "The shift, restaged for the camera",
    )
    assert shift.remote_media_url == "https://example.org/record.jpg"
    assert "The image has no alt text" in result.output  # the template has no alt-text column
    assert settings_store.get("title_headline") == "Coal, fame and memory"


def test_an_old_sheet_with_start_date_and_tag_columns(app):
    result = cli(app, "import", OLD_SHEET)
    assert result.exit_code == 0, result.output
    born = event("1906-01-03-born-in-the-village-of-lugovaya")
    assert (born.start_year, born.start_month, born.start_day) == (1906, 1, 3)
    assert born.era.slug == FIXTURE.first_era  # its Tag names an era already on the timeline
    record = event("1935-08-31-the-record-shift")
    assert (record.end_year, record.end_month, record.end_day) == (1935, 8, 31)
    assert record.era.slug == FIXTURE.record_era
    cover = event("1936-02-time-cover")
    assert (cover.start_month, cover.era.slug) == (2, FIXTURE.fame_era)  # no Tag: the era that holds 1936


def test_dry_run_reports_and_changes_nothing(app):
    before, exported = state(), exporters.export("json")
    result = cli(app, "import", MUSEUM, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Dry run, nothing was changed.")
    assert "Would be created (5):" in result.output
    assert "  event “First shift underground” (first-shift)" in result.output
    assert "Would be updated (3):" in result.output and f"({FIXTURE.untranslated_event})" in result.output
    assert state() == before
    assert exporters.export("json") == exported
    assert event("first-shift") is None


def test_importing_the_same_file_again_updates_instead_of_duplicating(app, tmp_path):
    cli(app, "import", GOOD_SHEET)
    counts = state()
    again = cli(app, "import", GOOD_SHEET)
    assert "0 created, 0 updated" in again.output
    assert {k: counts[k] for k in ("eras", "events")} == {k: state()[k] for k in ("eras", "events")}
    changed = tmp_path / "sheet.csv"
    changed.write_bytes(GOOD_SHEET.read_bytes().replace(b"A new hero of labour.", b"A new hero."))
    result = cli(app, "import", changed)
    assert "0 created, 1 updated" in result.output
    assert "  event “Fame” (1936-fame)" in result.output
    assert event("1936-fame").summary == "A new hero."
    assert state()["events"] == counts["events"]


def test_drafts_unless_publish_and_existing_events_keep_their_status(app, client):
    cli(app, "import", MUSEUM)
    assert event("first-shift").status == Status.DRAFT
    assert client.get("/events/first-shift").status_code == 404
    assert event(FIXTURE.untranslated_event).status == Status.PUBLISHED  # was published; stays published
    cli(app, "import", MUSEUM, "--publish")
    assert event("first-shift").status == Status.PUBLISHED
    assert client.get("/events/first-shift").status_code == 200


def test_imports_record_revisions_and_an_audit_entry(app):
    cli(app, "import", MUSEUM)
    created = revisions.history(event("first-shift"))
    assert [(r.number, r.note, r.username) for r in created] == [
        (1, "Imported from timelinejs-museum.json", "command line")
    ]
    # Loading the timeline is an import too (as seeding is): revision 1 is the event as loaded, so its
    # state before this import can be restored.
    updated = revisions.history(event(FIXTURE.untranslated_event))
    assert [r.number for r in updated] == [2, 1]
    assert updated[1].snapshot["era"] == FIXTURE.return_era
    assert (updated[0].snapshot["era"], updated[0].snapshot["group"]) == (FIXTURE.return_era, "Later life")
    assert revisions.history(era("fame"))[0].note == "Imported from timelinejs-museum.json"
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "import").order_by(AuditEntry.id.desc()).limit(1)
    )
    assert entry.target == "timelinejs-museum.json"
    assert "5 created, 3 updated" in entry.detail


def test_events_in_the_trash_are_skipped(app):
    hero = event(FIXTURE.untranslated_event)
    writer.move_event_to_trash(hero, hero.version)
    result = cli(app, "import", MUSEUM)
    assert f"event “{hero.headline}” ({hero.slug}): In the trash" in result.output
    assert event(hero.slug).era.slug == FIXTURE.return_era


def test_our_own_format_reports_items_by_position(app, tmp_path):
    document = json.loads(exporters.export("json"))
    document["events"][1]["headline"] = ""
    document["events"][4]["start"] = {"year": 1935, "month": 2, "day": 30}
    document["events"][6]["image"] = {"url": "javascript:alert(1)", "alt": "", "caption": "", "credit": ""}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    before = state()
    result = cli(app, "import", bad)
    assert result.exit_code == 1
    assert "events item 2: headline is missing" in result.stderr
    assert "events item 5: February 1935 has 28 days." in result.stderr
    assert "events item 7: The media address must start with http:// or https://" in result.stderr
    assert state() == before


def test_our_own_format_new_events_are_drafts(app, tmp_path):
    document = json.loads(exporters.export("json"))
    document["events"][0] |= {"slug": "a-copy", "status": "published"}
    path = tmp_path / "new.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert "1 created" in cli(app, "import", path).output
    assert event("a-copy").status == Status.DRAFT


@pytest.mark.parametrize(
    "reading",
    [
        [{"kind": "novel", "text": "A made-up kind"}],
        [{"kind": "scholarly"}],
        [{"kind": "period", "text": "   "}],
        [{"kind": "period", "text": "A title", "url": "https://example.org/"}],
        [42],
        "Siegelbaum",
    ],
)
def test_further_reading_of_the_wrong_shape_is_refused_and_changes_nothing(app, tmp_path, reading):
    before = settings_store.get("further_reading")
    document = json.loads(exporters.export("json")) | {"further_reading": reading}
    path = tmp_path / "reading.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = cli(app, "import", path)
    assert result.exit_code == 1 and "further_reading" in result.stderr, result.stderr
    assert settings_store.get("further_reading") == before


def test_further_reading_as_plain_strings_is_still_accepted(app, tmp_path):
    document = json.loads(exporters.export("json")) | {"further_reading": ["An older file's title"]}
    path = tmp_path / "older.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert cli(app, "import", path).exit_code == 0
    assert settings_store.get("further_reading") == ["An older file's title"]


def test_files_that_are_not_importable_get_a_clear_message(app, tmp_path):
    cases = {
        "broken.json": (b'{"events": [', "Not valid JSON"),
        "other.json": (b'{"hello": 1}', "neither a kiosk-timeline document nor a TimelineJS one"),
        "notes.csv": (b"Name,Age\nAnna,3\n", "TimelineJS sheet saved as CSV"),
        "binary.csv": (b"Year,Headline\n1935,\x81\x90\x9d\xff\xfe\x00\x98\n", "not UTF-8 text"),
        "old.json": (b'{"timeline": {"date": []}}', "TimelineJS 2"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = cli(app, "import", path)
        assert result.exit_code == 1 and message in result.stderr, (name, result.stderr)


@pytest.mark.parametrize(
    ("encoding", "headline", "named"),
    [
        ("latin-1", "Großer Umzug nach Zürich", "Windows-1252 (Western European, Latin-1)"),
        ("cp1251", "Рекорд Стаханова", "Windows-1251 (Cyrillic)"),
    ],
)
def test_a_sheet_saved_in_an_older_encoding_is_read_and_the_report_says_so(app, encoding, headline, named):
    report = importers.run(f"Year,Headline\n1935,{headline}\n".encode(encoding), dry_run=True)
    assert report.attention[0].startswith(f"The file is not UTF-8: it was read as {named}.")
    assert any(headline in line for line in report.created)


def test_importing_into_a_data_folder_never_migrated_says_so_in_one_sentence(tmp_path):
    with other_kiosk(tmp_path / "fresh", migrated=False) as fresh:
        result = cli(fresh, "import", GOOD_SHEET)
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    [sentence] = result.stderr.strip().splitlines()
    assert sentence.startswith("Error: The database of the data folder ")
    assert sentence.endswith(
        "was never set up: run `make run` (or `flask --app kiosk db upgrade`) first, then import again."
    )


def test_the_domain_api_runs_without_the_cli(app):
    with_problems = importers.read(GOOD_SHEET.read_bytes())
    assert with_problems.format == "TimelineJS spreadsheet (CSV)"
    report = importers.run(GOOD_SHEET.read_bytes(), source="upload.csv", dry_run=True)
    assert report.dry_run and len(report.created) == 4
    assert event("1936-fame") is None


def test_a_dry_run_writes_nothing_at_all(app):
    tables = (Event, Era, Revision, AuditEntry)
    before = [db.session.scalar(select(func.count()).select_from(model)) for model in tables]
    report = importers.run(MUSEUM.read_bytes(), source="museum.json", dry_run=True)
    assert report.created and report.updated
    assert [db.session.scalar(select(func.count()).select_from(model)) for model in tables] == before


def test_an_event_changed_between_the_check_and_the_write_stops_the_whole_import(app):
    batch, report = importers.prepare(importers.read(MUSEUM.read_bytes()), source="museum.json")
    hero_line = f"event “Hero of Socialist Labour” ({FIXTURE.untranslated_event}): summary, group"
    assert hero_line in report.updated
    hero = event(FIXTURE.untranslated_event)
    writer.move_event_to_trash(hero, hero.version)  # a curator, meanwhile
    counts = (
        db.session.scalar(select(func.count(Event.id))),
        db.session.scalar(select(func.count(Revision.id))),
    )
    with pytest.raises(writer.SaveRefused, match="changed the timeline while this import was being checked"):
        writer.write_batch(batch)
    assert event("first-shift") is None and event(hero.slug).deleted_at is not None
    assert (
        db.session.scalar(select(func.count(Event.id))),
        db.session.scalar(select(func.count(Revision.id))),
    ) == counts


@pytest.mark.default_content
def test_a_kiosk_on_older_default_content_gets_the_corrections(app):
    """What a museum does when the default content is corrected (README, "Updating the default content"): the
    dry run names every field that would change; --keep-status makes the kiosk match a fresh install."""
    fresh = exporters.export("json")
    with fixture_writes():
        corrected = event("record-227-tonnes")
        corrected.summary, corrected.confidence = "Stakhanov is reported to have cut 227 tonnes.", ""
        event("retirement").status = Status.DRAFT  # a museum that had hidden an event
        db.session.delete(event("miners-day"))  # added to the default content later

    dry = cli(app, "import", kiosk_json.DEFAULT_CONTENT, "--dry-run", "--keep-status")
    assert dry.exit_code == 0, dry.output
    assert "Would be created (1):\n  event “Miner’s Day” (miners-day)\n" in dry.output
    assert "(record-227-tonnes): summary, confidence\n" in dry.output
    assert "(retirement): status\n" in dry.output
    assert "Would be updated (2):" in dry.output

    result = cli(app, "import", kiosk_json.DEFAULT_CONTENT, "--keep-status")
    assert result.exit_code == 0, result.output
    assert exporters.export("json") == fresh
