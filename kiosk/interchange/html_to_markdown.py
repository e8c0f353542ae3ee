"""Imported HTML (TimelineJS text) turned into what the kiosk stores: plain text or Markdown.

The HTML is sanitised first (kiosk.content.markdown.sanitise_html), so only a few harmless tags reach the
converter and
nothing executable, no hx-* attribute and no link out of the app can survive. The converter is faithful to
what kiosk.content.markdown renders: Markdown -> HTML -> Markdown -> HTML gives the same HTML again, which
keeps
TimelineJS exports stable through an import.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

from ..content.markdown import render_markdown, sanitise_html

BLOCK_TAGS = {"p", "ul", "ol", "li", "blockquote", "h3", "h4"}
# Tags TimelineJS authors use that the sanitiser would flatten; renamed first so their structure survives.
_RENAMED = {"div": "p", "section": "p", "article": "p", "h1": "h3", "h2": "h3", "h5": "h4", "h6": "h4"}
_RENAMED |= {"b": "strong", "i": "em"}
# Tables, definition lists and other boxes are shown as paragraphs, one a cell, so their words stay apart.
_RENAMED |= dict.fromkeys(
    ("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "dl", "dt", "dd", "pre", "figure"), "p"
)
_RENAMED |= dict.fromkeys(("figcaption", "header", "footer", "aside", "address", "main", "nav"), "p")
_RENAME_TAG = re.compile(r"<(/?)(" + "|".join(_RENAMED) + r")\b", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_LINE_BREAKS = re.compile(r" ?\n[ \n]*")
_INLINE_SPECIALS = re.compile(r"([\\*_`\[\]<])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_LINE_START_SPECIAL = re.compile(r"^([#>+=~-]|\d+[.)])")
_HARD_BREAK = re.compile(r"\\\n[ \n]*")


@dataclass
class Node:
    tag: str
    href: str = ""
    children: list[Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, href=dict(attrs).get("href") or "")
        self.stack[-1].children.append(node)
        if tag != "br":
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    """The sanitised HTML as a small tree (the root's children are the top-level blocks)."""
    builder = _TreeBuilder()
    builder.feed(sanitise_html(_RENAME_TAG.sub(lambda m: f"<{m[1]}{_RENAMED[m[2].lower()]}", html or "")))
    builder.close()
    return builder.root


def _normalise_spaces(text: str) -> str:
    return _LINE_BREAKS.sub("\n", _SPACES.sub(" ", text))


def plain_text(node: Node | str) -> str:
    """The words of a node, HTML whitespace rules applied (single line breaks are kept)."""
    if isinstance(node, str):
        return node
    if node.tag == "br":
        return "\n"
    inner = "".join(plain_text(child) for child in node.children)
    # Blocks are apart on screen: <p>one</p><p>two</p> reads "one two", never "onetwo".
    return f"\n{inner}\n" if node.tag in BLOCK_TAGS else inner


def to_plain_text(html: str) -> str:
    """HTML (a TimelineJS headline, caption or credit) as plain text on one line."""
    return " ".join(plain_text(parse(html)).split())


def _escape(text: str) -> str:
    return _ENTITY_LIKE.sub(r"\\&", _INLINE_SPECIALS.sub(r"\\\1", text))


def _inline(nodes: list[Node | str]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(_escape(_normalise_spaces(node)))
        elif node.tag == "br":
            out.append("\\\n")
        elif node.tag in {"em", "strong"}:
            out.append(_wrap(_inline(node.children), "*" if node.tag == "em" else "**"))
        elif node.tag == "a" and node.href:
            out.append(f"[{_inline(node.children)}]({quote(node.href, safe='/#?=&%:;,.~+-_')})")
        else:
            out.append(_inline(node.children))
    return "".join(out)


def _wrap(inner: str, marker: str) -> str:
    """Emphasis markers must touch the words, so surrounding spaces go outside them."""
    stripped = inner.strip(" \n")
    if not stripped:
        return inner
    lead, trail = inner[: len(inner) - len(inner.lstrip(" \n"))], inner[len(inner.rstrip(" \n")) :]
    return f"{lead}{marker}{stripped}{marker}{trail}"


def _escape_line_start(match: re.Match) -> str:
    opening = match[0]
    return "\\" + opening if len(opening) == 1 else opening[:-1] + "\\" + opening[-1]


def _paragraph(nodes: list[Node | str]) -> str:
    text = _HARD_BREAK.sub(lambda _match: "\\\n", _inline(nodes).strip(" \n"))
    # Markdown would read some line openings as structure (a heading, a list, a quote): escape them.
    return "\n".join(_LINE_START_SPECIAL.sub(_escape_line_start, line) for line in text.split("\n"))


def _heading(nodes: list[Node | str]) -> str:
    return " ".join(_inline(nodes).split())


def _indent(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    return "\n".join([first + lines[0], *[(rest + line) if line else "" for line in lines[1:]]])


def _blocks(nodes: list[Node | str]) -> list[str]:
    """Markdown for each block; runs of loose inline content count as one paragraph."""
    blocks: list[str] = []
    pending: list[Node | str] = []

    def flush_pending() -> None:
        if pending and (text := _paragraph(pending)):
            blocks.append(text)
        pending.clear()

    for node in nodes:
        if isinstance(node, str) or node.tag not in BLOCK_TAGS:
            pending.append(node)
            continue
        flush_pending()
        if node.tag == "p":
            if text := _paragraph(node.children):
                blocks.append(text)
        elif node.tag in {"h3", "h4"}:
            if text := _heading(node.children):
                blocks.append(("### " if node.tag == "h3" else "#### ") + text)
        elif node.tag == "blockquote":
            inner = "\n\n".join(_blocks(node.children))
            if inner:
                blocks.append("\n".join(f"> {line}" if line else ">" for line in inner.split("\n")))
        elif node.tag in {"ul", "ol"}:
            blocks += _list(node)
        else:  # a stray <li>
            pending.extend(node.children)
    flush_pending()
    return blocks


def _list(node: Node) -> list[str]:
    """A list as Markdown blocks. Hand-written HTML often leaves a list open inside a paragraph
    (``<p>Changes:<ul><li>…</li></p><p>More</p>``); an HTML parser then puts the paragraphs that follow
    inside the list, beside its items. They are kept as blocks after the items before them, so no text is
    lost (a list they interrupt goes on as a new list, counted from 1 as the kiosk shows it)."""
    blocks: list[str] = []
    run: list[Node] = []
    stray: list[Node | str] = []
    for child in node.children:
        if not (isinstance(child, Node) and child.tag == "li"):
            stray.append(child)
            continue
        if between := _blocks(stray):
            if run:
                blocks.append(_items(run, node.tag))
            blocks += between
            run = []
        stray = []
        run.append(child)
    if run:
        blocks.append(_items(run, node.tag))
    return blocks + _blocks(stray)


def _items(items: list[Node], tag: str) -> str:
    loose = any(isinstance(part, Node) and part.tag == "p" for item in items for part in item.children)
    rendered = []
    for number, item in enumerate(items, start=1):
        marker = f"{number}. " if tag == "ol" else "- "
        body = ("\n\n" if loose else "\n").join(_blocks(item.children))
        rendered.append(_indent(body, marker, " " * len(marker)))
    return ("\n\n" if loose else "\n").join(rendered)


def to_markdown(html: str) -> str:
    """Sanitised HTML as Markdown in the kiosk's dialect."""
    return "\n\n".join(_blocks(parse(html).children))


_SOURCES_LINE = re.compile(r"^\s*sources?\s*:\s*(.+)", re.IGNORECASE | re.DOTALL)


def _sources_line(node: Node | str) -> list[str] | None:
    """A closing paragraph "Source: Pravda, February 1936" (or "Sources: …; …", or one a line) as the
    sources it names; None for any other paragraph."""
    if not (isinstance(node, Node) and node.tag == "p"):
        return None
    found = _SOURCES_LINE.match(plain_text(node))
    if not found:
        return None
    return [" ".join(part.split()) for part in re.split(r"[;\n]", found[1]) if part.strip()]


def split_text(html: str) -> tuple[str, str, list[str] | None]:
    """TimelineJS text as (summary, Markdown body, sources).

    The first paragraph is the summary; a closing "Sources" heading followed by a list (the shape our
    TimelineJS export writes), or a closing paragraph "Source: …", gives the sources (None when there is
    neither).
    """
    nodes = [n for n in parse(html).children if not (isinstance(n, str) and not n.strip())]
    sources = None
    if (
        len(nodes) >= 2
        and isinstance(nodes[-2], Node)
        and nodes[-2].tag in {"h3", "h4"}
        and plain_text(nodes[-2]).strip().casefold() in {"sources", "source"}
        and isinstance(nodes[-1], Node)
        and nodes[-1].tag in {"ul", "ol"}
    ):
        items = [child for child in nodes[-1].children if isinstance(child, Node) and child.tag == "li"]
        sources = [" ".join(plain_text(item).split()) for item in items]
        nodes = nodes[:-2]
    elif len(nodes) >= 2 and (line := _sources_line(nodes[-1])) is not None:
        sources, nodes = line, nodes[:-1]
    summary = ""
    if nodes and isinstance(nodes[0], Node) and nodes[0].tag == "p":
        summary = _normalise_spaces(plain_text(nodes[0])).strip(" \n")
        nodes = nodes[1:]
    elif nodes and (isinstance(nodes[0], str) or nodes[0].tag not in BLOCK_TAGS):
        # Bare text with no paragraph tags: up to the first block is the summary.
        first_block = next(
            (i for i, n in enumerate(nodes) if isinstance(n, Node) and n.tag in BLOCK_TAGS), None
        )
        leading, nodes = nodes[:first_block], nodes[first_block:] if first_block is not None else []
        summary = _normalise_spaces("".join(plain_text(n) for n in leading)).strip(" \n")
    return summary, "\n\n".join(_blocks(nodes)), sources


def missing_words(html: str, summary: str, body: str, sources: list[str] | None) -> list[str]:
    """The words of ``html`` that its summary, body and sources (split_text's result) do not hold, in
    their order: what a visitor could read in TimelineJS and would not find on the kiosk. Empty when
    nothing was lost; an import names anything else in its report."""
    kept = [summary, plain_text(parse(str(render_markdown(body, typographic=False)))), *(sources or [])]
    # (a sources line's semicolons part its sources, which are kept without them)
    left = Counter(word.casefold().strip(";") for word in " ".join(kept).split())
    if sources is not None:  # the heading that introduced them
        left.update(dict.fromkeys(("sources", "source", "sources:", "source:"), 1))
    missing = []
    for word in plain_text(parse(html)).split():
        if left[key := word.casefold().strip(";")] > 0:
            left[key] -= 1
        else:
            missing.append(word)
    return missing
