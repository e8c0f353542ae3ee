"""The visitor addresses and the fragment's marks (timeline/addresses.py) as the kiosk's scripts get them:
regular expressions that mean the same in Python and JavaScript, in a JSON file written before the
front-end build (``python -m kiosk.timeline.for_scripts frontend/generated/addresses.json``, run by make),
which frontend/js/addresses.js imports: the service worker to know which requests it keeps for offline
use and which pages carry their fragment, the navigation to recognise an event's address.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from werkzeug.routing import BaseConverter, Map

from ..languages.choice import PREFIXED_PATH, LanguageConverter
from . import addresses

_CONVERTERS: dict[str, type[BaseConverter]] = {**Map.default_converters, "lang": LanguageConverter}
_VARIABLE = re.compile(r"<(?:(\w+):)?\w+>")


def _expression(rule: str) -> str:
    """What a werkzeug rule matches, from its converters' own expressions (werkzeug compiles its rules
    in private code, and the scripts need the expression itself)."""
    parts, end = [], 0
    for variable in _VARIABLE.finditer(rule):
        parts += [re.escape(rule[end : variable.start()]), _CONVERTERS[variable[1] or "default"].regex]
        end = variable.end()
    return "".join([*parts, re.escape(rule[end:])])


def pattern(rules: Iterable[str], *, in_every_language: bool = False) -> str:
    """One regular expression for whole paths that match any of the rules."""
    prefix = f"(?:{_expression(addresses.LANGUAGE_PREFIX)})?" if in_every_language else ""
    return f"^{prefix}(?:{'|'.join(_expression(rule) for rule in rules)})$"


def expressions() -> dict[str, str]:
    """What frontend/js/addresses.js imports."""
    return {
        "language": PREFIXED_PATH.pattern,
        "page": pattern(addresses.PAGES, in_every_language=True),
        "event": pattern([addresses.EVENT], in_every_language=True),
        "withFragment": pattern(addresses.WITH_FRAGMENT, in_every_language=True),
        "file": pattern(addresses.FILES),
        "unchanging": pattern(addresses.UNCHANGING),
        "fragmentStart": addresses.FRAGMENT.start,
        "fragmentEnd": addresses.FRAGMENT.end,
    }


def write(target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(expressions(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m kiosk.timeline.for_scripts FILE.json")
    write(Path(sys.argv[1]))
