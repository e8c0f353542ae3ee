"""Every interface string, the visitors' and the curators', has a Russian and a Ukrainian translation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "kiosk" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings the code and templates use now (not a template that may be stale)."""
    template = tmp_path_factory.mktemp("messages") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "--mapping", "babel.cfg",
         "--keywords", "_l", "--output", str(template), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with template.open("rb") as handle:
        return [message for message in read_po(handle) if message.id]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_every_interface_string_is_translated(extracted, language):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.num_plurals == 3  # one, few, many: 1 событие, 2 события, 5 событий
    problems = []
    for wanted in extracted:
        found = catalog.get(wanted.id)
        if found is None or found.fuzzy:
            problems.append(f"missing or fuzzy: {wanted.id!r}")
        elif wanted.pluralizable:
            forms = found.string
            if len(forms) != 3 or not all(form.strip() for form in forms):
                problems.append(f"plural forms incomplete: {wanted.id!r}")
            elif any(placeholders(form) - placeholders(wanted.id[1]) for form in forms) or placeholders(
                forms[-1]
            ) != placeholders(wanted.id[1]):
                problems.append(f"placeholders differ: {wanted.id!r}")
        elif not found.string.strip():
            problems.append(f"empty: {wanted.id!r}")
        elif placeholders(found.string) != placeholders(wanted.id):
            problems.append(f"placeholders differ: {wanted.id!r} → {found.string!r}")
    assert problems == []


@pytest.mark.parametrize(
    ("path", "language", "words"),
    [
        ("/ru/", "ru", ["Хронология", "Литература", "Вы ещё здесь?", "Крупный текст"]),
        ("/uk/", "uk", ["Хронологія", "Література", "Ви ще тут?", "Великий текст"]),
    ],
)
def test_the_compiled_catalogs_reach_the_visitor(client, path, language, words):
    page = client.get(path).get_data(as_text=True)
    assert f'<html lang="{language}"' in page
    for word in words:
        assert word in page
