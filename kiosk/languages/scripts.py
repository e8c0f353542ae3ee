"""Which language a run of text is in, told by its script, for text that keeps its own language on any page:
sources, further reading and a figure's source cite each work by its own title.

On a page in one script, a run of letters in another script is in another language, and a screen reader
must be told so (``lang``), or it reads an English title with a Russian voice. The language of a run is
derived from its letters here, once, rather than stored with every citation: Latin script is English (the
kiosk's citations are written in English, with any French or German title inside an English citation), and
Cyrillic is Ukrainian when it has letters only Ukrainian uses, else Russian.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

LATIN_LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"  # not × and ÷
CYRILLIC_LETTERS = "\u0400-\u04ff"
# The script each language of the kiosk is written in.
SCRIPT_OF_LANGUAGE = {"en": "Latin", "ru": "Cyrillic", "uk": "Cyrillic"}
UKRAINIAN_ONLY_LETTERS = re.compile("[іїєґІЇЄҐ]")

# A run in one script: from its first letter (with an opening bracket or quotation mark just before it)
# to its last letter, digit or closing mark before a letter of the other script.
_OPENING = "([“‘«\"'"
_CLOSING = ")\\]”’»\"'./"
_RUNS = {
    script: re.compile(
        rf"[{re.escape(_OPENING)}]*[{letters}](?:[^{other}]*[{letters}\d{re.escape(_CLOSING)}])?"
    )
    for script, letters, other in (
        ("Latin", LATIN_LETTERS, CYRILLIC_LETTERS),
        ("Cyrillic", CYRILLIC_LETTERS, LATIN_LETTERS),
    )
}


def language_of_run(script: str, run: str) -> str:
    if script == "Latin":
        return "en"
    return "uk" if UKRAINIAN_ONLY_LETTERS.search(run) else "ru"


def marked(text: str, page_language: str) -> Markup:
    """The text, escaped, with every run in a script other than the page's in ``<span lang="…">``."""
    own_script = SCRIPT_OF_LANGUAGE.get(page_language.split("_")[0])
    if own_script is None:
        return escape(text)
    other = "Cyrillic" if own_script == "Latin" else "Latin"
    parts: list[Markup] = []
    done = 0
    for match in _RUNS[other].finditer(text):
        parts.append(escape(text[done : match.start()]))
        parts.append(
            Markup('<span lang="{}">{}</span>').format(language_of_run(other, match.group()), match.group())
        )
        done = match.end()
    parts.append(escape(text[done:]))
    return Markup("").join(parts)
