"""Curator text: Markdown rendered with markdown-it-py, then sanitised with nh3.

The kiosk is a closed world, so only links inside the app survive; every other link becomes plain text.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}).enable(
    ["replacements", "smartquotes"]
)
# Files the kiosk writes keep the curator's characters exactly: straight quotes and apostrophes (800'000)
# stay straight, so that importing an export again changes nothing.
_markdown_exact = MarkdownIt("commonmark", {"html": False, "linkify": False})

ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "a", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
_BARE_LINK = re.compile(r"<a>(.*?)</a>", re.DOTALL)


def _keep_internal_links(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        internal = value.startswith("/") and not value.startswith("//")
        return value if internal else None
    return value


def sanitise_html(html: str) -> str:
    """Reduce HTML (from Markdown or an import) to the few harmless tags the kiosk shows."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_internal_links,
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
    )
    # A link that lost its href is just text: unwrap it so nothing looks tappable that is not.
    return _BARE_LINK.sub(r"\1", cleaned)


def render_markdown(source: str, *, typographic: bool = True) -> Markup:
    """Markdown as the kiosk shows it (typographic quotes and dashes), or with ``typographic=False``
    character for character, as exports write it."""
    renderer = _markdown if typographic else _markdown_exact
    return Markup(sanitise_html(renderer.render(source or "")))
