"""Nothing a visitor could read is lost without a line in the report (a property, tested with Hypothesis).

Generated TimelineJS documents, with nested and malformed HTML (lists left open in paragraphs, unclosed
items, stray closing tags, tables), quotes, apostrophes and entities, groups and eras beside ungrouped
slides, slides alike in date and headline, times to the millisecond and media of every kind, are imported
into a kiosk of their own; every word of every text node of every slide must then be in the event as the
kiosk keeps it, in our TimelineJS export and in our sheet, or be named in the import's report.

The suite runs 20 documents (``HYPOTHESIS_PROFILE=ci``, the default); ``bench/timelinejs_property.py`` runs
the same test with 1,000 (``HYPOTHESIS_PROFILE=deep``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kiosk.content.markdown import render_markdown
from kiosk.extensions import db
from kiosk.interchange import exporters, importers
from kiosk.models import Event

from .conftest import make_app
from .interop import other_kiosk

# Documents are built from nested pieces, so some grow past Hypothesis's budget and are drawn again: that is
# generation, not the property, so its health checks about it are off.
GENERATION = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]
settings.register_profile(
    "ci", max_examples=20, deadline=None, database=None, suppress_health_check=GENERATION
)
settings.register_profile(
    "deep", max_examples=1000, deadline=None, database=None, suppress_health_check=GENERATION
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SPAN = {"TIMELINE_START_YEAR": 1800, "TIMELINE_END_YEAR": 2030}


class _TextNodes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []

    def handle_data(self, data: str) -> None:
        self.nodes.append(data)


def text_nodes(html: str) -> list[str]:
    parser = _TextNodes()
    parser.feed(html)
    parser.close()
    return parser.nodes


def words(text: str) -> list[str]:
    return text.split()


# --- Documents ------------------------------------------------------------------------------------------

# Words with what HTML, Markdown and spreadsheets treat specially: quotes, apostrophes (800'000), entities
# to be, Markdown's own marks, formula starts, German and Cyrillic letters.
WORD = st.one_of(
    st.sampled_from(
        [
            '"Montalin"',
            "800'000",
            "it's",
            "a&b",
            "<tag>",
            "*star*",
            "_under_",
            "#1",
            "1.",
            "-",
            "+7",
            "=SUM",
            "Zürich",
            "Straße",
            "шахта",
            "Ёлка",
            "café",
            "(c)",
            "--",
            "...",
            "`code`",
            "[link]",
            "\\",
            "100%",
        ]
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄöüйцук0123456789", min_size=1, max_size=8),
)
ENTITY_FORMS = st.sampled_from(["plain", "named", "numeric"])


@st.composite
def text_node(draw) -> str:
    """Some words as HTML text, their specials written as entities one way or another."""
    text = " ".join(draw(st.lists(WORD, min_size=1, max_size=5)))
    form = draw(ENTITY_FORMS)
    if form == "plain":
        return escape(text, quote=False)
    if form == "named":
        return escape(text, quote=True)
    return "".join(f"&#{ord(c)};" if not c.isalnum() and c != " " else c for c in text)


INLINE = st.sampled_from(["b", "i", "em", "strong", "span", "a", "u", "small", "code"])


def _wrap(tag: str, inner: str, close: bool = True) -> str:
    attributes = ' href="/events/x"' if tag == "a" else ""
    return f"<{tag}{attributes}>{inner}" + (f"</{tag}>" if close else "")


@st.composite
def fragment(draw, depth: int = 0) -> str:
    """A piece of slide text: text, inline markup, blocks, and hand-written mistakes."""
    kinds = ["text", "inline"] + (
        ["p", "div", "list", "open-list", "quote", "heading", "table", "stray"] if depth < 3 else []
    )
    kind = draw(st.sampled_from(kinds))
    if kind == "text":
        return draw(text_node())
    inner = "".join(draw(st.lists(fragment(depth + 1), min_size=1, max_size=2)))
    if kind == "inline":
        return _wrap(draw(INLINE), inner, close=draw(st.booleans()) or depth > 0)
    if kind in {"p", "div"}:
        return _wrap(kind, inner, close=draw(st.booleans()))
    if kind in {"list", "open-list"}:
        tag = draw(st.sampled_from(["ul", "ol"]))
        items = draw(st.lists(fragment(depth + 1), min_size=1, max_size=2))
        closed_items = draw(st.booleans())
        body = "".join(f"<li>{item}" + ("</li>" if closed_items else "") for item in items)
        if kind == "list":
            return f"<{tag}>{body}</{tag}>"
        return f"<p>{inner}<{tag}>{body}</p><p>{draw(text_node())}</p>"  # the list left open
    if kind == "quote":
        return f"<blockquote>{inner}</blockquote>"
    if kind == "heading":
        return _wrap(draw(st.sampled_from(["h1", "h2", "h3", "h4", "h5"])), inner)
    if kind == "table":
        return f"<table><tr><td>{inner}</td><td>{draw(text_node())}</td></tr></table>"
    return inner + draw(st.sampled_from(["</p>", "</li>", "</b>", "</div>", "</ul>", "<br>", "<br/>"]))


MEDIA = st.sampled_from(
    [None, "https://example.org/a.jpg", "https://example.org/a.mp3", "https://example.org/a.mp4",
     "https://example.org/a.pdf", "https://www.youtube.com/watch?v=x", "https://twitter.com/a/status/1",
     "https://soundcloud.com/a/b", "https://www.google.com/maps/@42.0,-87.6,15z", "https://en.wikipedia.org/wiki/Coal",
     "<blockquote>Said once.</blockquote>", '<iframe src="https://example.org/embed"></iframe>']
)  # fmt: skip
HEADLINES = st.sampled_from(["The shift", "The “record”", "Tom's mine", "Schacht & Stollen", "Шахта"])


@st.composite
def slide(draw) -> dict:
    start = {"year": draw(st.sampled_from([1850, 1900, 1935, 1936, 2001]))}
    if draw(st.booleans()):
        start["month"] = draw(st.integers(1, 12))
        if draw(st.booleans()):
            start["day"] = draw(st.integers(1, 28))
            if draw(st.booleans()):
                start |= {"hour": draw(st.integers(0, 23)), "minute": draw(st.integers(0, 59))}
                start |= {"second": draw(st.integers(0, 59)), "millisecond": draw(st.integers(0, 999))}
    made = {
        "start_date": start,
        "text": {
            "headline": draw(HEADLINES),
            "text": "".join(draw(st.lists(fragment(), min_size=1, max_size=4))),
        },
    }
    if group := draw(st.sampled_from([None, None, "Voices", "Shafts"])):
        made["group"] = group
    if media := draw(MEDIA):
        made["media"] = {"url": media, "caption": draw(st.sampled_from(["", "A caption", 'It\'s "quoted"']))}
    return made


@st.composite
def document(draw) -> dict:
    eras = draw(
        st.lists(
            st.sampled_from([("The pit", 1890, 1935), ("After", 1936, 1990), ("Early", 1800, 1860)]),
            max_size=2,
            unique=True,
        )
    )
    return {
        "title": {"text": {"headline": "Generated", "text": "<p>one</p><p>two</p>"}},
        "eras": [
            {"start_date": {"year": first}, "end_date": {"year": last}, "text": {"headline": name}}
            for name, first, last in eras
        ],
        "events": draw(st.lists(slide(), min_size=1, max_size=6)),
    }


# --- The property ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_kiosk(tmp_path_factory) -> Path:
    """A migrated, empty database, copied for each document (migrating takes longer than importing)."""
    folder = tmp_path_factory.mktemp("empty-kiosk")
    with other_kiosk(folder):
        pass
    return folder / "kiosk.sqlite3"


@contextmanager
def kiosk_with(database: Path, folder: Path) -> Iterator:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copy(database, folder / "kiosk.sqlite3")
    app = make_app(folder, **SPAN)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def compact(text: str) -> str:
    """Text without its spaces: where words break is a matter of layout (TimelineJS runs list items and
    inline elements together), what they are is not."""
    return "".join(text.split())


def _text_of(html: str) -> str:
    return "".join(text_nodes(html))


@settings(settings.get_profile(PROFILE))
@given(generated=document())
def test_every_word_a_visitor_could_read_reaches_the_kiosk_and_both_exports_or_the_report(
    generated, empty_kiosk, tmp_path_factory
):
    folder = tmp_path_factory.getbasetemp() / "property-kiosk"
    with kiosk_with(empty_kiosk, folder):
        report = importers.run(json.dumps(generated).encode(), source="generated.json", publish=True)
        said = " ".join(report.attention)
        kept = db.session.scalars(select(Event).order_by(Event.id)).all()
        assert len(kept) == len(generated["events"])  # every slide is an event: none refused, none merged
        exported = {s["unique_id"]: s for s in json.loads(exporters.export("timelinejs"))["events"]}
        sheet = {r["Unique ID"]: r for r in csv.DictReader(io.StringIO(exporters.export("csv").decode()))}
        for original, event in zip(generated["events"], kept, strict=True):
            assert event.headline == " ".join(_text_of(original["text"]["headline"]).split())
            body = _text_of(str(render_markdown(event.body, typographic=False)))
            in_kiosk = compact(" ".join([event.summary, body, *event.sources]))
            in_export = compact(_text_of(exported[event.timelinejs_id or event.slug]["text"]["text"]))
            in_sheet = compact(_text_of(sheet[event.timelinejs_id or event.slug]["Text"]))
            for node in map(compact, text_nodes(original["text"]["text"])):
                if node and node not in in_kiosk:
                    # Not kept: then named in the report, word by word.
                    assert all(word in said for word in node.split(";") if word), (node, in_kiosk, said)
                    continue
                assert node in in_export and node in in_sheet, (node, in_export, in_sheet)
