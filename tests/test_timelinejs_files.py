"""TimelineJS files as TimelineJS's own templates and examples write them: what is kept, what is refused, and
why importing the same file twice changes nothing. (tests/browser/test_timelinejs_opens_exports.py opens
the same fixtures and our exports of them in the real TimelineJS.)"""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from kiosk.content import settings_store
from kiosk.extensions import db
from kiosk.interchange import exporters, importers, timelinejs
from kiosk.models import Event

from .helpers import make_event
from .interop import DATA, cli, other_kiosk, state, without_images

FEATURES_JSON = DATA / "timelinejs-template-features.json"
FEATURES_SHEET = DATA / "sheet-template-features.csv"
SPAN = {"TIMELINE_START_YEAR": 1900, "TIMELINE_END_YEAR": 2030}  # the fixtures run 1906–2026


def event(slug: str) -> Event:
    found = db.session.scalar(select(Event).where(Event.slug == slug))
    assert found is not None, slug
    return found


def import_file(app, path, *options) -> str:
    app.config |= SPAN
    result = cli(app, "import", path, *options)
    assert result.exit_code == 0, result.output + result.stderr
    return " ".join(result.output.split())


def refused(data: bytes | str) -> list[str]:
    with pytest.raises(importers.ImportRefused) as refusal:
        importers.read(data.encode() if isinstance(data, str) else data)
    return refusal.value.problems


def test_the_json_features_are_kept_where_the_kiosk_can_keep_them(app):
    output = import_file(app, FEATURES_JSON)
    # Times of day, on both ends.
    opening = event("exhibition-opening")
    assert (opening.start_time, opening.end_time) == ("10:30", "18:00")
    assert opening.display_date == "18 May 2026, 10:30–18:00"
    # An iframe is an embed, kept (cleaned of its handler) as a reference; never taken for an image address.
    renamed = event("renamed-stakhanov")
    assert renamed.media_embed.startswith('<iframe src="https://maps.example.org/embed?q=Kadiivka"')
    assert "onload" not in renamed.media_embed and renamed.remote_media_url == ""
    assert renamed.image_caption == "Where the town lies"
    # A tweet's blockquote without a headline: kept as an embed; the kiosk's card is titled by its words.
    tweet = event("2021-08-29-miner-s-day-as-every-year-on-the-last-sunday-of-august")
    assert tweet.headline == "Miner's Day, as every year on the last Sunday of August."
    assert 'class="twitter-tweet"' in tweet.media_embed and "<script" not in tweet.media_embed
    # A slide with only text is titled by its first sentence.
    conference = event(
        "1935-11-stakhanovites-from-across-the-country-travel-to-moscow-for-their-first-conferenc"
    )
    assert conference.headline.startswith("Stakhanovites from across the country travel to Moscow")
    assert "events item 3: The slide has no headline; the kiosk calls it “Stakhanovites" in output
    # Backgrounds: a colour, or an image kept as a flagged reference.
    miners_day = event("1947-09-10-den-shakhtera")
    assert (miners_day.headline, miners_day.background_colour) == ("День шахтёра", "#7a1f1f")
    record = event("1935-08-31-102-tonnes")
    assert record.background_url == "https://example.org/kadiivka/coal-face.jpg"
    assert "The background image https://example.org/kadiivka/coal-face.jpg is kept as a reference" in output
    # Groups on some slides only: a slide without one joins the era that holds its year most closely (of
    # the file's and the kiosk's: here the fixture's "August 1935" and the file's "The record year" both
    # hold 1935 alone, and the first by address wins), and stays without a group.
    assert (conference.era.name, conference.timelinejs_group) == ("August 1935", "")
    assert (event("the-mine").era.name, event("the-mine").timelinejs_group) == ("Underground", "Шахта")
    # The title slide's media and background are kept too.
    assert settings_store.get("title_headline") == "Kadiivka, a mining town"
    assert settings_store.get("title_media")["url"] == "https://example.org/kadiivka/panorama.jpg"
    assert settings_store.get("title_background") == {"colour": "#1d2a33", "url": ""}
    assert "title: https://example.org/kadiivka/panorama.jpg is kept as a reference only" in output


def test_the_sheet_features_are_kept_where_the_kiosk_can_keep_them(app):
    output = import_file(app, FEATURES_SHEET)
    opening = event("2026-05-18-the-exhibition-opens")
    assert (opening.start_time, opening.end_time) == ("10:30", "18:00")  # "10:30 AM" and "6:00 PM"
    assert opening.background_url == "https://example.org/kadiivka/gallery.jpg"
    horses = event("1927-brakeman-at-the-tsentralnaya-irmino-mine")
    assert horses.image_alt == "Two pit ponies in a dim tunnel"  # from an Alt Text column
    assert event("1935-08-31-a-record-announced").background_colour == "#3e5c76"
    assert event("1978-02-15-renamed-stakhanov").media_embed.startswith("<iframe")
    tweet = event("2021-08-29-den-shakhtaria-iak-shchoroku-v-ostanniu-nediliu-serpnia")
    assert tweet.media_embed.startswith('<blockquote class="twitter-tweet">')
    assert event("1947-09-10-ukaz-o-dne-shakhtera").headline == "Указ о Дне шахтёра"
    assert settings_store.get("title_background") == {
        "colour": "",
        "url": "https://example.org/kadiivka/sky.jpg",
    }
    assert "row 10: The slide has no headline; the kiosk calls it “День шахтаря, як щороку," in output


@pytest.mark.parametrize("path", [FEATURES_JSON, FEATURES_SHEET], ids=["json", "csv"])
def test_importing_a_feature_file_again_changes_nothing(app, path):
    import_file(app, path)
    before, exported = state(), exporters.export("json")
    assert "0 created, 0 updated" in import_file(app, path)
    assert exporters.export("json") == exported
    assert {k: state()[k] for k in ("eras", "events", "revisions")} == {
        k: before[k] for k in ("eras", "events", "revisions")
    }


def test_groups_on_some_slides_only_move_no_event_on_a_second_import(app, tmp_path):
    """The issue's case: half the slides lose their group; importing the file (twice) moves nothing."""
    document = json.loads(exporters.export("timelinejs"))
    for slide in document["events"][::2]:
        del slide["group"]
    path = tmp_path / "half-grouped.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    eras_before = {e.slug: e.era.slug for e in db.session.scalars(select(Event))}
    for _attempt in range(2):
        assert "0 created, 0 updated" in import_file(app, path)
    assert {e.slug: e.era.slug for e in db.session.scalars(select(Event))} == eras_before


@pytest.mark.parametrize("path", [FEATURES_JSON, FEATURES_SHEET], ids=["json", "csv"])
@pytest.mark.parametrize("export_format", ["timelinejs", "csv"])
def test_exports_of_a_feature_file_round_trip_to_the_byte(app, tmp_path, path, export_format):
    without_images()
    import_file(app, path, "--publish")
    exported = tmp_path / f"export.{export_format}"
    exported.write_bytes(exporters.export(export_format))
    assert "0 created, 0 updated" in import_file(app, exported)  # back into the kiosk it came from
    with other_kiosk(tmp_path / "other") as other:
        import_file(other, exported, "--publish")
        assert exporters.export(export_format) == exported.read_bytes()


def test_every_problem_of_an_item_is_reported_at_once(app):
    slide = {
        "text": {"headline": ["not", "text"]},
        "start_date": {"year": "1935", "month": "13", "hour": "25"},
        "end_date": [1936],
        "media": {"url": "javascript:alert(1)"},
        "background": {"color": ["red"]},
        "group": {"name": "Miner"},
    }
    problems = refused(
        json.dumps({"events": [{"start_date": {"year": 1936}, "text": {"headline": "Fine"}}, slide]})
    )
    mine = [problem for problem in problems if problem.startswith("events item 2: ")]
    for expected in (
        "headline must be text",
        "Month must be between 1 and 12",
        "the time of day does not exist",
        "end_date must be an object with a year",
        "must start with http:// or https:// (not javascript:)",
        "background color must be text",
        "group must be text",
    ):
        assert any(expected in problem for problem in mine), (expected, mine)
    assert not any(problem.startswith("events item 1") for problem in problems)
    row = "Year,Month,Day,Time,Headline,Media\n19x5,14,,25:00,A row,javascript:alert(1)\n"
    sheet_problems = refused(row)
    assert len(sheet_problems) == 4 and all(
        problem.startswith("row 2 (“A row”): ") for problem in sheet_problems
    )


WRONG_TYPES = {
    "headline as a list": {"events": [{"start_date": {"year": 1935}, "text": {"headline": ["a"]}}]},
    "start as a list": {"events": [{"start_date": [1935], "text": {"headline": "A"}}]},
    "media as a string": {
        "events": [{"start_date": {"year": 1935}, "text": {"headline": "A"}, "media": "x.jpg"}]
    },
    "text as a string": {"events": [{"start_date": {"year": 1935}, "text": "A"}]},
    "events as a number": {"events": 5},
    "eras as an object": {"events": [], "eras": {"a": 1}},
    "era years as lists": {"events": [], "eras": [{"start_date": {"year": [1]}, "end_date": {"year": 2}}]},
    "title as a list": {"title": [], "events": []},
    "cosmological scale": {"scale": "cosmological", "events": [{"start_date": {"year": -13800000000}}]},
    "media url as a number": {
        "events": [{"start_date": {"year": 1935}, "text": {"headline": "A"}, "media": {"url": 12}}]
    },
}
OURS_WRONG = {
    "image as a string": ("events", 0, {"image": "x.jpg"}),
    "headline as a list": ("events", 0, {"headline": ["a"]}),
    "start as a list": ("events", 0, {"start": [1935]}),
    "era colour 5": ("eras", 0, {"colour": 5}),
    "era position as text": ("eras", 0, {"position": "first"}),
    "sources as text": ("events", 0, {"sources": "one book"}),
    "time of day not a time": ("events", 0, {"start_time": "noon"}),
    "background as a number": ("events", 0, {"background": 7}),
    "image url as a number": (
        "events",
        0,
        {"image": {"key": None, "url": 12345, "alt": "", "caption": "", "credit": ""}},
    ),
}


@pytest.mark.parametrize("name", WRONG_TYPES)
def test_wrongly_typed_timelinejs_values_are_problems_not_errors(app, name):
    before = state()
    problems = refused(json.dumps(WRONG_TYPES[name]))
    assert problems and all(isinstance(problem, str) and ": " in problem for problem in problems), problems
    assert state() == before


@pytest.mark.parametrize("name", OURS_WRONG)
def test_wrongly_typed_values_in_our_format_are_problems_not_errors(app, name):
    kind, index, change = OURS_WRONG[name]
    document = json.loads(exporters.export("json"))
    document[kind][index] |= change
    problems = refused(json.dumps(document))
    assert any(problem.startswith(f"{kind} item {index + 1}: ") for problem in problems), problems


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
def test_deeply_nested_files_are_refused_plainly(app, depth):
    nested = '{"events": [' + "[" * depth + "]" * depth + "]}"
    assert refused(nested) == ["The file nests lists and objects more than 32 deep; a timeline never does."]


@pytest.mark.parametrize(
    "data",
    [
        json.dumps({"events": [{"start_date": {"year": -500}, "text": {"headline": "Athens"}}]}),
        "Year,Headline\n-44,The Ides of March\n",
        "Start Date,Headline\n-44,The Ides of March\n",
    ],
    ids=["json", "sheet", "old sheet"],
)
def test_years_before_the_common_era_are_refused_with_the_reason(app, data):
    [problem] = refused(data)
    assert "before the year 1. The kiosk does not support dates before the Common Era (BCE)." in problem


def test_a_slide_needs_a_headline_text_or_media(app):
    problems = refused(json.dumps({"events": [{"start_date": {"year": 1935}, "display_date": "Summer"}]}))
    assert problems == ["events item 1: The headline is missing (a slide needs a headline, text or media)."]


def test_a_long_embed_is_kept_not_refused_as_a_long_address(app):
    quote = "Coal, and more coal. " * 60
    embed = f'<blockquote class="twitter-tweet"><p>{quote}</p><a href="https://twitter.com/a/status/1">x</a></blockquote>'
    document = {"events": [{"unique_id": "tweet", "start_date": {"year": 1936}, "media": {"url": embed}}]}
    report = importers.run(json.dumps(document).encode(), source="tweet.json")
    assert report.created == ["event “Coal, and more coal.” (tweet)"]  # 1936 is in one of the eras here
    tweet = event("tweet")
    assert len(tweet.media_embed) > 1000 and tweet.remote_media_url == ""
    assert tweet.headline == "Coal, and more coal."


FORMULAS = [
    '=HYPERLINK("https://example.org","Click")',
    "+7 tonnes",
    "-1 norm",
    "@SUM(A1)",
    "'=already quoted",
]


def test_csv_cells_that_look_like_formulas_are_neutralised_and_read_back_exactly(app, tmp_path):
    without_images()
    for number, headline in enumerate(FORMULAS):
        make_event(slug=f"formula-{number}", headline=headline, display_date=headline)
    exported = exporters.export("csv")
    rows = list(csv.DictReader(io.StringIO(exported.decode())))
    written = {row["Headline"] for row in rows}
    assert '\'=HYPERLINK("https://example.org","Click")' in written
    assert {"'+7 tonnes", "'-1 norm", "'@SUM(A1)", "''=already quoted"} <= written
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
    path = tmp_path / "timeline.csv"
    path.write_bytes(exported)
    with other_kiosk(tmp_path / "other") as other:
        import_file(other, path, "--publish")
        headlines = set(db.session.scalars(select(Event.headline)))
        assert set(FORMULAS) <= headlines
        assert exporters.export("csv") == exported


@pytest.mark.parametrize("text", [*FORMULAS, "\tTabbed", "\rReturn", "'plain", "''", "", "=", "plain"])
def test_to_cell_and_from_cell_undo_each_other(text):
    cell = timelinejs.to_cell(text)
    assert timelinejs.from_cell(cell) == text
    assert not cell.startswith(timelinejs.FORMULA_STARTS)
