"""Imported HTML becomes safe plain text or Markdown, and our own HTML survives a round trip."""

import json

import pytest

from kiosk.content.markdown import render_markdown
from kiosk.interchange import kiosk_json
from kiosk.interchange.html_to_markdown import split_text, to_markdown, to_plain_text

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    '<p onclick="steal()" hx-get="/admin/users" hx-trigger="load" data-hx-post="/x">text</p>',
    '<a href="javascript:alert(3)">link</a>',
    '<a href="https://example.org/">out</a>',
    '<svg onload="alert(4)"><circle/></svg>',
    '<iframe src="https://example.org"></iframe>',
    "<style>body{display:none}</style>",
]


@pytest.mark.parametrize("html", HOSTILE)
def test_nothing_executable_survives(app, html):
    for converted in (to_markdown(html), to_plain_text(html), *split_text(html)[:2]):
        rendered = str(render_markdown(converted))
        for marker in ("script", "alert", "onerror", "onclick", "onload", "hx-", "javascript", "example.org"):
            assert marker not in converted and marker not in rendered, (html, marker)


def test_structure_becomes_markdown(app):
    html = (
        "<div>First <b>bold</b> and <i>italic</i>.</div><div>Second<br>line</div>"
        "<ul><li>one</li><li>two</li></ul><blockquote><p>Quoted</p></blockquote><h2>Heading</h2>"
        '<p><a href="/events/x">inside</a></p>'
    )
    assert to_markdown(html) == (
        "First **bold** and *italic*.\n\nSecond\\\nline\n\n- one\n- two\n\n> Quoted\n\n### Heading\n\n"
        "[inside](/events/x)"
    )


def test_markdown_characters_in_text_stay_text(app):
    markdown = to_markdown(
        "<p>1935. *Not emphasis* [not a link](x) # and &lt;tag&gt; &amp;copy;</p><p>- not a list</p>"
    )
    assert str(render_markdown(markdown)) == (
        "<p>1935. *Not emphasis* [not a link](x) # and &lt;tag&gt; &amp;copy;</p>\n<p>- not a list</p>\n"
    )


def test_summary_text_and_sources_are_split(app):
    html = (
        "<p>The summary.</p><p>The <em>body</em>.</p><h4>Sources</h4><ol><li>One, p. 3</li><li>Two</li></ol>"
    )
    assert split_text(html) == ("The summary.", "The *body*.", ["One, p. 3", "Two"])
    assert split_text("Just a line of text") == ("Just a line of text", "", None)


def test_every_seed_body_survives_html_and_back(app):
    bodies = [item["body"] for item in json.loads(kiosk_json.DEFAULT_CONTENT.read_text())["events"]]
    bodies += ["A *b* **c**\n\n- x\n  - y\n- z\n\n1. one\n2. two\n\n> q\n\n#### h\n\nline\\\nbreak \\* \\_"]
    for body in bodies:
        html = str(render_markdown(body))
        assert str(render_markdown(to_markdown(html))) == html, body
