"""The default content reads as a historian would sign it.

Each check is a function that lists the problems in a kiosk-timeline document. The default content must have
none; each check is also shown to catch the kind of mistake it exists for, using lines the default content
once had (so a check that could never fail would fail here). To check another file by hand, call
``all_problems(json.load(open(path)))`` from this module.
"""

from __future__ import annotations

import itertools
import json
import re

import pytest

from kiosk.interchange import kiosk_json

DEFAULT = json.loads(kiosk_json.DEFAULT_CONTENT.read_text(encoding="utf-8"))
# The default content in each other language, beside it: stakhanov.<language>.json.
LANGUAGE_FILES = {
    path.suffixes[0].lstrip("."): json.loads(path.read_text(encoding="utf-8"))
    for path in sorted(kiosk_json.DEFAULT_CONTENT.parent.glob(f"{kiosk_json.DEFAULT_CONTENT.stem}.*.json"))
}
CARD_WORDS = 60  # a summary is a card on the kiosk: read standing, in a few seconds

# Markdown (or HTML) that a plain-text field would show to visitors as stray symbols.
MARKDOWN = [
    re.compile(r"(\*\*?|__?)(?=\S)[^*_]+?(?<=\S)\1"),  # *italic*, **bold**, _italic_
    re.compile(r"\[[^\]]+\]\([^)]*\)"),  # [link](target)
    re.compile(r"(^|\n)\s{0,3}(#{1,6}\s|>|[-*+]\s|\d+[.)]\s)"),  # headings, quotes, lists
    re.compile(r"`"),
    re.compile(r"<[a-zA-Z/][^>]*>"),
]


def any_phrase(*patterns: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


# Source lines a visitor could not look up.
VAGUE_SOURCES = any_phrase(
    r"\bsecondary sources\b",
    r"\bbibliographic sources\b",
    r"\bpress reports\b",
    r"\bvarious sources\b",
    r"^reference article\b",
    r"^article of the\b",
    r"^text of\b",
    r"^(english |russian )?wikipedia\b",  # the article's title first, then where it is
    r"^geological encyclopedia\b",
    r",\s*memoir\s*$",
)
# A citation names a date, or an address where it can be read.
DATED_OR_ADDRESSED = re.compile(r"\b1[89]\d\d\b|\b20\d\d\b|\b[a-z0-9-]+\.[a-z]{2,}/")

# The seed document's errors (see ../shared/reference/stakhanov-facts.md) and the wording the historian's
# review found wrong: none may reach visitors.
KNOWN_ERRORS = any_phrase(
    r"\baged 72\b|\bage of 72\b|\b72 years\b",
    r"Rise of a New Type of Laborer",
    r"The Soviet Worker: A Social History",
    r"trained new generations",
    r"safe and efficient mining practices",
    r"single-handed",
    r"this new record",  # 227 t was his personal best; Izotov's 240 t stood higher
    r"raised these points first",  # Time described his team in 1935
    r"joined his two Orders of Lenin",  # the second came with the title
    r"movement (fades|had faded)",  # overstated
    r"without the usual probation",  # in none of the sources
    r"both parents in 1922",  # his mother may have died in 1923
    r"highest Soviet award",  # the highest order; the title Hero of the Soviet Union ranked above it
    r"only formal training",  # he studied at the Industrial Academy 1936-1941
    r"1959 or 1964",  # 1959; no source gives 1964
    r"Great Terror of 1936",  # the mass arrests and shootings were 1937-1938
    r"Russian-backed",  # occupied by Russia since 2014
)

# One romanisation in the narrative (citations keep their own spellings): BGN/PCGN-style Russian names,
# Ukrainian forms for places in today's Ukraine. See docs/default-content.md.
OTHER_SPELLINGS = re.compile(
    r"\b(Alexe[iy]|Aleksei|Kadievka|Chistiakovo|Donbass|Lugovaia|Tsentral'?naia|Tsentralnaia|Orel)\b"
)
ADDRESS = re.compile(r"\S+\.[a-z]{2,}/\S*")  # a web address in a citation: its _ and * are not Markdown
TITLE_IN_ITALICS = re.compile(r"\*[^*]+\*")  # a book's title keeps its own spelling
UNCERTAIN_WORDING = re.compile(
    r"\breportedly\b|\bsources (give|differ|disagree)\b|\bone (source )?gives\b|\bless certain\b",
    re.IGNORECASE,
)


# A source a visitor can find the claim in: a web address, a chapter, page, section or entry, or the day
# of a periodical's issue, which closes its citation ("…”, Time, 30 September 1935").
LOCATOR = re.compile(
    r"\S+\.[a-z]{2,}/\S*"
    r"|\b(?:ch|pp?)\.\s*\d|\bsection\b|\bentry\b|§"
    r"|\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r" \d{4}(?: \(in [A-Z][a-z]+\))?$"
)
# Sites that copy or collect biographies without a print original a visitor could check.
AGGREGATORS = any_phrase(
    r"prabook", r"terminy\.info", r"peoplepill", r"famousbirthdays", r"everybodywiki", r"wikiwand"
)
SOURCES_DIFFER = re.compile(r"\bsources (differ|disagree|give)\b", re.IGNORECASE)
# How the sources were searched belongs in the body or the sources, not on the card.
BOOKKEEPING = any_phrase(
    r"\b(has|have) not been (found|established|traced)\b",
    r"\bcould not be (found|established|checked|confirmed)\b",
    r"\bnot (been )?established\b",
    r"\b(most|some|other|one) sources?\b",
    r"\bsources (give|say|differ|disagree)\b",
    r"\bexact date\b",
)
# Places in today's Ukraine go by their Ukrainian form (the Russian name may be glossed in a note).
RUSSIAN_FORMS_OF_UKRAINIAN_PLACES = re.compile(r"\b(Kadievka|Kadiyevka|Chistyakovo|Chistiakovo|Gorlovka)\b")
LETTERS = re.compile(r"[^\W\d_]")


def _events(document: dict) -> list[dict]:
    return [event for event in document.get("events") or [] if isinstance(event, dict)]


def _reading_texts(document: dict) -> list[str]:
    items = document.get("further_reading") or []
    return [item["text"] if isinstance(item, dict) else item for item in items]


PLAIN_EVENT_FIELDS = ("headline", "summary", "display_date", "confidence")


def _own_words(document: dict, event_fields: tuple[str, ...]) -> list[tuple[str, str]]:
    title = document.get("title") or {}
    fields = [("title " + key, str(value)) for key, value in title.items()]
    for era in document.get("eras") or []:
        fields += [(f"era {era['slug']} {key}", era.get(key, "")) for key in ("name", "description")]
    for event in _events(document):
        fields += [(f"{event['slug']} {key}", event.get(key) or "") for key in event_fields]
    return fields


def citations(document: dict) -> list[tuple[str, str]]:
    """(where, text) for every source line and every further-reading title."""
    fields = [
        (f"{event['slug']} source", source)
        for event in _events(document)
        for source in event.get("sources") or []
    ]
    return fields + [("further reading", text) for text in _reading_texts(document)]


def plain_text_fields(document: dict) -> list[tuple[str, str]]:
    """(where, text) for everything the kiosk shows as plain text."""
    return _own_words(document, PLAIN_EVENT_FIELDS) + citations(document)


def narrative_fields(document: dict) -> list[tuple[str, str]]:
    """(where, text) for the museum's own words: everything visitors read except citations."""
    return _own_words(document, (*PLAIN_EVENT_FIELDS, "body"))


def markdown_in_plain_text(document: dict) -> list[str]:
    return [
        f"{where}: Markdown or HTML in plain text: {text[:60]!r}"
        for where, text in plain_text_fields(document)
        if any(pattern.search(ADDRESS.sub("", text)) for pattern in MARKDOWN)
    ]


def unsourced_events(document: dict) -> list[str]:
    return [
        f"{event['slug']}: no source"
        for event in _events(document)
        if not [source for source in event.get("sources") or [] if str(source).strip()]
    ]


def vague_sources(document: dict) -> list[str]:
    problems = []
    for where, line in citations(document):
        if VAGUE_SOURCES.search(line):
            problems.append(f"{where}: vague source {line!r}")
        elif where != "further reading" and not DATED_OR_ADDRESSED.search(line):
            problems.append(f"{where}: source without a date or an address {line!r}")
    return problems


def known_errors(document: dict) -> list[str]:
    texts = narrative_fields(document) + citations(document)
    problems = [
        f"{where}: {match.group(0)!r}" for where, text in texts for match in KNOWN_ERRORS.finditer(text)
    ]
    for event in _events(document):
        said = f"{event.get('summary', '')} {event.get('body', '')}"
        if event.get("start", {}).get("year") == 1906 and ("Russia" not in said or "Ukraine" in said):
            problems.append(f"{event['slug']}: he was born in Russia, not in Ukraine")
        if event["slug"] == "record-shift-102-tonnes" and not ("Petrov" in said and "timbermen" in said):
            problems.append(f"{event['slug']}: the record was planned and shared, not a solo feat")
        figure = event.get("figure") or {}
        values = {row.get("value") for row in figure.get("rows") or []}
        figure_text = " ".join(
            [figure.get("title", ""), figure.get("confidence", "")]
            + [row.get("label", "") for row in figure.get("rows") or []]
        )
        if {7, 102} <= values and not re.search(r"timbermen|three men", figure_text):
            problems.append(
                f"{event['slug']}: the chart sets three men's 102 t against one cutter's norm unsaid"
            )
    return problems


def unlabelled_uncertainty(document: dict) -> list[str]:
    return [
        f"{event['slug']}: uncertain wording without a confidence label"
        for event in _events(document)
        if UNCERTAIN_WORDING.search(f"{event.get('summary', '')} {event.get('body', '')}")
        and not (event.get("confidence") or "").strip()
    ]


def long_cards(document: dict) -> list[str]:
    return [
        f"{event['slug']}: summary of {len(event['summary'].split())} words"
        for event in _events(document)
        if len((event.get("summary") or "").split()) > CARD_WORDS
    ]


def mixed_spellings(document: dict) -> list[str]:
    return [
        f"{where}: {match.group(0)!r}"
        for where, text in narrative_fields(document)
        for match in OTHER_SPELLINGS.finditer(TITLE_IN_ITALICS.sub("", text))
    ]


def citations_without_locator(document: dict) -> list[str]:
    return [
        f"{event['slug']}: source without a locator {source!r}"
        for event in _events(document)
        for source in event.get("sources") or []
        if not LOCATOR.search(str(source))
    ]


def aggregators_as_sources(document: dict) -> list[str]:
    return [
        f"{where}: {line!r} is not a source"
        for where, line in citations(document)
        if AGGREGATORS.search(line)
    ]


def sources_differ_on_one_source(document: dict) -> list[str]:
    """ "Sources differ" needs two reliable sources cited that can differ."""
    problems = []
    for event in _events(document):
        said = f"{event.get('confidence', '')} {event.get('summary', '')} {event.get('body', '')}"
        reliable = [source for source in event.get("sources") or [] if not AGGREGATORS.search(source)]
        if SOURCES_DIFFER.search(said) and len(reliable) < 2:
            problems.append(f"{event['slug']}: “sources differ” on {len(reliable)} reliable source(s)")
    return problems


def bookkeeping_in_summaries(document: dict) -> list[str]:
    return [
        f"{event['slug']}: the card reports on the search for sources: {match.group(0)!r}"
        for event in _events(document)
        for match in BOOKKEEPING.finditer(event.get("summary") or "")
    ]


def _places(document: dict) -> list[dict]:
    return [place for place in document.get("places") or [] if isinstance(place, dict)]


def place_names_in_ukrainian_form(document: dict) -> list[str]:
    names = {place.get("name") or "" for place in _places(document)}
    return [
        f"place {name!r}: Russian form of a place in Ukraine"
        for name in sorted(names)
        if RUSSIAN_FORMS_OF_UKRAINIAN_PLACES.search(name)
    ]


CHECKS = [
    markdown_in_plain_text,
    unsourced_events,
    vague_sources,
    known_errors,
    unlabelled_uncertainty,
    long_cards,
    mixed_spellings,
    citations_without_locator,
    aggregators_as_sources,
    sources_differ_on_one_source,
    bookkeeping_in_summaries,
    place_names_in_ukrainian_form,
]


# --- Translations: every text a visitor reads is in the page's language --------------------------------


# An image's texts: in the English file inside "image", in a language file as image_<name>.
IMAGE_TEXTS = ("alt", "caption", "credit")


def figure_texts(figure: dict | None) -> dict[str, str]:
    """A figure's visitor-visible texts by name: its title, source and confidence label, and each bar's
    label and unit ("row 2 unit"), as the English file and a language file both hold them."""
    if not figure:
        return {}
    texts = {key: figure.get(key) or "" for key in ("title", "source", "confidence")}
    for number, row in enumerate(figure.get("rows") or [], start=1):
        texts |= {f"row {number} {key}": row.get(key) or "" for key in ("label", "unit")}
    return texts


def _english_texts(document: dict) -> dict[tuple[str, str], str]:
    """{(owner, field): text} for every text a visitor reads in the English file, citations aside."""
    english = {("title", key): value for key, value in (document.get("title") or {}).items()}
    english |= {
        (era["slug"], key): era.get(key, "")
        for era in document.get("eras") or []
        for key in ("name", "description")
    }
    for event in _events(document):
        english |= {
            (event["slug"], key): event.get(key) or ""
            for key in ("headline", "display_date", "summary", "body", "confidence")
        }
        english |= {
            (event["slug"], f"figure {key}"): text for key, text in figure_texts(event.get("figure")).items()
        }
        image = event.get("image") or {}
        english |= {(event["slug"], f"image_{key}"): image.get(key) or "" for key in IMAGE_TEXTS}
    english |= {
        (f"place {place['slug']}", key): place.get(key) or ""
        for place in _places(document)
        for key in ("name", "note", "display_years")
    }
    return english


def _translated_texts(translation: dict) -> dict[tuple[str, str], str]:
    theirs = {("title", key): value for key, value in (translation.get("title") or {}).items()}
    for item in [*(translation.get("eras") or []), *(translation.get("events") or [])]:
        theirs |= {(item["slug"], key): value for key, value in item.items() if isinstance(value, str)}
        theirs |= {
            (item["slug"], f"figure {key}"): text for key, text in figure_texts(item.get("figure")).items()
        }
    for item in translation.get("places") or []:
        theirs |= {
            (f"place {item['slug']}", key): value for key, value in item.items() if isinstance(value, str)
        }
    return theirs


def untranslated_texts(document: dict, translations: dict[str, dict]) -> list[str]:
    """Texts a visitor reads that a language file lacks or leaves equal to the English: the title, eras,
    events, a figure's title, source, confidence label, bar labels and units, an image's alt text, caption
    and credit, and each place's name, note and wording of its years. Texts without letters (a year) are
    the same in every language; bibliographic titles (further reading, sources) keep their own."""
    problems = []
    english = _english_texts(document)
    for locale, translation in translations.items():
        theirs = _translated_texts(translation)
        for (owner, key), text in english.items():
            if LETTERS.search(text) and theirs.get((owner, key), text).strip() in ("", text.strip()):
                problems.append(f"{locale}: {owner} {key} is not translated: {text[:50]!r}")
    return problems


# --- Where he lived: a fact of its own for each place, declared, never derived from event dates ---------


def declared_residences(document: dict) -> dict[str, tuple[int, int]]:
    """{place slug: (first year, last year)} as the content declares it: each place's own years
    ({"slug": …, "years": {"from": …, "to": …}}; a place he only visited has none)."""
    return {
        place["slug"]: (place["years"]["from"], place["years"]["to"])
        for place in _places(document)
        if place.get("years")
    }


def residence_problems(document: dict, spans: dict[str, tuple[int, int]]) -> list[str]:
    """Every place of his life has declared years, and the years make one life: from his birth to his death,
    each stay beginning the year the one before it ends (a stay inside another, like Karaganda in the
    Moscow years, aside). Spans built from event dates leave gaps, overlap and outlast him."""
    lifetime = [event for event in _events(document) if not event.get("postscript")]
    born, died = min(e["start"]["year"] for e in lifetime), max(e["start"]["year"] for e in lifetime)
    problems = [
        f"{key}: no declared years (the Places view would show none)"
        for key in sorted({event["place"] for event in lifetime if event.get("place")} - set(spans))
    ]
    stays = sorted(spans.items(), key=lambda item: (item[1][0], -item[1][1]))
    chain = [
        stay
        for stay in stays
        if not any(o is not stay and o[1][0] <= stay[1][0] and stay[1][1] <= o[1][1] for o in stays)
    ]
    problems += [
        f"{key}: {first}–{last} ends before it begins" for key, (first, last) in stays if last < first
    ]
    problems += [
        f"{key}: {first}–{last} is outside his life ({born}–{died})"
        for key, (first, last) in stays
        if first < born or last > died
    ]
    if chain and chain[0][1][0] != born:
        problems.append(
            f"{chain[0][0]}: the first stay begins in {chain[0][1][0]}, not at his birth in {born}"
        )
    if chain and chain[-1][1][1] != died:
        problems.append(
            f"{chain[-1][0]}: the last stay ends in {chain[-1][1][1]}, not at his death in {died}"
        )
    for (before, (_, end)), (after, (start, _)) in itertools.pairwise(chain):
        if start != end:
            problems.append(f"{before} ends in {end} but {after} begins in {start}")
    return problems


def event_spans(document: dict) -> dict[str, set[tuple[int, int]]]:
    """{place slug: spans} its events' dates make, the ways a program could derive "years" from them (start
    years only, or with end years; with or without the postscripts): what the Places view once showed."""
    spans: dict[str, set[tuple[int, int]]] = {}
    for place in {event["place"] for event in _events(document) if event.get("place")}:
        events = [event for event in _events(document) if event.get("place") == place]
        for chosen in (events, [event for event in events if not event.get("postscript")]):
            if not chosen:
                continue
            starts = [event["start"]["year"] for event in chosen]
            ends = [
                (event.get("end") or event["start"]).get("year") or event["start"]["year"] for event in chosen
            ]
            spans.setdefault(place, set()).update(
                {(min(starts), max(starts)), (min(starts), max(starts + ends))}
            )
    return spans


def years_from_event_dates(document: dict, attested: dict[str, tuple[int, int]]) -> list[str]:
    """A place whose declared years are a span of its events' dates, not the record of where he lived. A
    stay can begin and end with events (he came back to Chystiakove in 1957 and died there in 1977): such
    a span passes only where ``attested`` (the checked table of where he lived) gives the same years."""
    spans = event_spans(document)
    return [
        f"{place}: {first}–{last} is the span of its events' dates, not the years he lived there"
        for place, (first, last) in declared_residences(document).items()
        if (first, last) in spans.get(place, set()) and attested.get(place) != (first, last)
    ]


# The checked years he lived in each place (the facts sheet's December 2026 section), as the guide to the
# default content lists them: what the content file's places must declare.
DOCUMENTED_RESIDENCE = re.compile(r"^\| [^|]+ \| `([a-z-]+)` \| (\d{4})–(\d{4}) \|$", re.MULTILINE)


def documented_residences() -> dict[str, tuple[int, int]]:
    guide = (kiosk_json.DEFAULT_CONTENT.parents[2] / "docs" / "default-content.md").read_text(
        encoding="utf-8"
    )
    section = guide.split("## Where he lived", 1)[1].split("\n## ", 1)[0]
    return {slug: (int(first), int(last)) for slug, first, last in DOCUMENTED_RESIDENCE.findall(section)}


def undocumented_years(document: dict, documented: dict[str, tuple[int, int]]) -> list[str]:
    declared = declared_residences(document)
    return [
        f"{place}: declares {declared.get(place)}, the checked years are {years}"
        for place, years in documented.items()
        if declared.get(place) != years
    ] + [f"{place}: years no checked source gives" for place in sorted(set(declared) - set(documented))]


def all_problems(document: dict) -> list[str]:
    return [problem for check in CHECKS for problem in check(document)]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_the_default_content_passes(check):
    assert check(DEFAULT) == []


def test_every_text_is_translated_in_every_language():
    assert set(LANGUAGE_FILES) == {"ru", "uk"}
    assert untranslated_texts(DEFAULT, LANGUAGE_FILES) == []


def test_where_he_lived_is_declared_for_every_place_and_makes_one_life():
    spans = declared_residences(DEFAULT)
    assert spans  # the places carry their years, and they are read
    assert residence_problems(DEFAULT, spans) == []


def one_event(**fields) -> dict:
    """The default content with its first event changed: what a careless edit would make."""
    document = json.loads(json.dumps(DEFAULT))
    document["events"][0] |= fields
    return document


def one_place(**fields) -> dict:
    """The default content with its first place (Lugovaya) changed."""
    document = json.loads(json.dumps(DEFAULT))
    document["places"][0] |= fields
    return document


@pytest.mark.parametrize(
    "summary",
    [
        "He publishes *Rasskaz o moei zhizni* (“The Story of My Life”).",
        "He publishes **a book**.",
        "See [the record](/events/record-shift-102-tonnes).",
        "- a list item",
        "### A heading",
        "A <b>bold</b> claim.",
    ],
)
def test_markdown_in_a_summary_is_caught(summary):
    assert markdown_in_plain_text(one_event(summary=summary))


def test_markdown_in_a_body_is_allowed():
    assert not markdown_in_plain_text(one_event(body="Further books: *Shakhtery* (1938)."))


def test_an_event_without_sources_is_caught():
    assert unsourced_events(one_event(sources=[])) == ["born-in-lugovaya: no source"]
    assert unsourced_events(one_event(sources=["  "]))


@pytest.mark.parametrize(
    "source",
    [
        "Russian secondary sources",
        "Other bibliographic sources",
        "Russian press reports",
        "Reference article “Kadiivka” (on the 2016 renaming)",
        "Article of the 1930s in Annales d'histoire économique et sociale",
        "Text of Stalin’s speech to the First All-Union Conference of Stakhanovites, 17 November 1935",
        "Geological Encyclopedia (Russian), “Стаханов А. Г.” (“Stakhanov, A. G.”)",
        "Aleksei Stakhanov, Trud — Rodine (“Labour for the Motherland”), memoir",
        "English Wikipedia, “Alexei Stakhanov”",
    ],
)
def test_vague_sources_are_caught(source):
    assert vague_sources(one_event(sources=[source]))


@pytest.mark.parametrize(
    "summary",
    [
        "Upon his death at the age of 72 his legacy endured.",
        "He trained new generations of miners.",
        "This new record, as officially reported, was more than twice his figure.",
        "Western papers raised these points first.",
        "The title joined his two Orders of Lenin.",
        "Workers resent the change, and the movement fades.",
        "He joins the party, reportedly without the usual probation period.",
        "He loses both parents in 1922.",
    ],
)
def test_known_errors_are_caught(summary):
    assert known_errors(one_event(summary=summary))


def test_a_birthplace_in_ukraine_is_caught():
    assert known_errors(one_event(summary="Born in the coal-mining region of Ukraine.", body=""))


def test_uncertain_wording_needs_a_label():
    unlabelled = one_event(summary="Most sources give 1933; one source gives 1930.", confidence="")
    assert unlabelled_uncertainty(unlabelled) == [
        "born-in-lugovaya: uncertain wording without a confidence label"
    ]
    labelled = one_event(summary="One source gives 1930.", confidence="Sources differ")
    assert not unlabelled_uncertainty(labelled)


def test_long_cards_and_other_spellings_are_caught():
    assert long_cards(one_event(summary="word " * (CARD_WORDS + 1)))
    assert mixed_spellings(one_event(body="He worked in Kadievka, in the Donbass."))


def test_a_translation_left_in_english_is_caught():
    russian = json.loads(json.dumps(LANGUAGE_FILES["ru"]))
    russian["events"][0]["summary"] = DEFAULT["events"][0]["summary"]
    assert untranslated_texts(DEFAULT, {"ru": russian}) == [
        f"ru: born-in-lugovaya summary is not translated: {DEFAULT['events'][0]['summary'][:50]!r}"
    ]
    document, russian = one_place(note="A village."), json.loads(json.dumps(LANGUAGE_FILES["ru"]))
    russian["places"][0]["note"] = "A village."
    assert untranslated_texts(document, {"ru": russian}) == [
        "ru: place lugovaya note is not translated: 'A village.'"
    ]
    years_only = json.loads(json.dumps(LANGUAGE_FILES["ru"]))
    years_only["events"][0]["display_date"] = "1906"
    assert not untranslated_texts(one_event(display_date="1906"), {"ru": years_only})  # a year reads the same


def test_figure_image_and_place_texts_left_in_english_are_caught():
    """A chart's unit "t" on a Russian page, an image credit or a place's wording of its years in English."""
    record = next(event for event in DEFAULT["events"] if event.get("figure"))
    russian = json.loads(json.dumps(LANGUAGE_FILES["ru"]))
    translated = next(item for item in russian["events"] if item["slug"] == record["slug"])
    translated["figure"]["rows"][0]["unit"] = record["figure"]["rows"][0]["unit"]
    del translated["figure"]["title"]
    assert untranslated_texts(DEFAULT, {"ru": russian}) == [
        f"ru: {record['slug']} figure title is not translated: {record['figure']['title'][:50]!r}",
        f"ru: {record['slug']} figure row 1 unit is not translated: 't'",
    ]
    photographed = one_event(
        image={"key": None, "alt": "A village", "caption": "Lugovaya", "credit": "Museum"}
    )
    russian = json.loads(json.dumps(LANGUAGE_FILES["ru"]))
    russian["events"][0] |= {"image_alt": "Деревня", "image_caption": "Луговая"}
    assert untranslated_texts(photographed, {"ru": russian}) == [
        "ru: born-in-lugovaya image_credit is not translated: 'Museum'"
    ]
    moscow = next(place for place in LANGUAGE_FILES["uk"]["places"] if place["slug"] == "moscow")
    ukrainian = json.loads(json.dumps(LANGUAGE_FILES["uk"]))
    next(place for place in ukrainian["places"] if place["slug"] == "moscow")["display_years"] = (
        "1936–1957, except 1941–1942"
    )
    assert moscow["display_years"] != "1936–1957, except 1941–1942"
    assert untranslated_texts(DEFAULT, {"uk": ukrainian}) == [
        "uk: place moscow display_years is not translated: '1936–1957, except 1941–1942'"
    ]


def with_years_from_event_dates(document: dict) -> dict:
    """The document with each place's years replaced by its events' first and last start years, as the
    Places view once built them (Lugovaya 1906–1915, Kadiivka 1927–1978, Moscow 1935–1943, Karaganda 1941)."""
    derived = json.loads(json.dumps(document))
    for place in _places(derived):
        years = [event["start"]["year"] for event in _events(derived) if event.get("place") == place["slug"]]
        place["years"] = {"from": min(years), "to": max(years)}
    return derived


def test_where_he_lived_comes_from_the_checked_record_not_from_event_dates():
    documented = documented_residences()
    assert set(documented) == {place["slug"] for place in _places(DEFAULT)}  # the table is read, whole
    assert undocumented_years(DEFAULT, documented) == []
    assert years_from_event_dates(DEFAULT, documented) == []


def test_years_derived_from_event_dates_are_caught():
    derived = with_years_from_event_dates(DEFAULT)
    assert declared_residences(derived)["lugovaya"] == (1906, 1915)
    problems = residence_problems(derived, declared_residences(derived))
    assert "lugovaya ends in 1915 but kadiivka-and-irmino begins in 1927" in problems
    assert "kadiivka-and-irmino: 1927–1978 is outside his life (1906–1977)" in problems
    copied = years_from_event_dates(derived, documented_residences())
    assert "lugovaya: 1906–1915 is the span of its events' dates, not the years he lived there" in copied
    assert "moscow: 1935–1943 is the span of its events' dates, not the years he lived there" in copied
    assert "karaganda: 1941–1941 is the span of its events' dates, not the years he lived there" in copied
    assert "lugovaya: declares (1906, 1915), the checked years are (1906, 1927)" in undocumented_years(
        derived, documented_residences()
    )


def test_a_span_of_event_dates_passes_only_where_the_checked_record_gives_it():
    """Chystiakove's 1957–1977 is both its events' span and where he lived: attested, it passes; without
    the checked table it is reported, and so is a span with an end year that no record gives."""
    assert "chystiakove-torez: 1957–1977 is the span of its events' dates, not the years he lived there" in (
        years_from_event_dates(DEFAULT, {})
    )
    moscow_by_events = json.loads(json.dumps(DEFAULT))
    next(place for place in _places(moscow_by_events) if place["slug"] == "moscow")["years"] = {
        "from": 1935,
        "to": 1957,
    }
    assert years_from_event_dates(moscow_by_events, documented_residences()) == [
        "moscow: 1935–1957 is the span of its events' dates, not the years he lived there"
    ]


def test_the_content_files_own_place_years_are_read():
    assert declared_residences(one_place(years={"from": 1906, "to": 1915}))["lugovaya"] == (1906, 1915)
    undeclared = one_place(years=None)
    assert "lugovaya" not in declared_residences(undeclared)
    assert "lugovaya: no declared years (the Places view would show none)" in residence_problems(
        undeclared, declared_residences(undeclared)
    )


@pytest.mark.parametrize(
    "source",
    [
        "Orlando Figes, The Whisperers: Private Life in Stalin’s Russia (London: Allen Lane, 2007)",
        "J. V. Stalin, speech at the First All-Union Conference of Stakhanovites, 17 November 1935, "
        "printed as “Vystuplenie tovarishcha Stalina”, Smena, no. 275 (November 1935) (in Russian)",
        "N. Matveev, Solntse pod zemlei: Stakhanov i stakhanovtsy (Moscow: Molodaya gvardiya, 1983)",
    ],
)
def test_a_citation_without_a_locator_is_caught(source):
    assert citations_without_locator(one_event(sources=[source]))


def test_aggregators_are_not_sources():
    for source in (
        "“Aleksey Grigorevich Stakhanov”, Prabook, prabook.com/web/aleksey.stakhanov/952341",
        "“Стаханов А. Г.”, terminy.info/mathematics/geological-encyclopedia/stahanov-a-g (in Russian)",
    ):
        assert aggregators_as_sources(one_event(sources=[source]))


def test_sources_differ_needs_two_reliable_sources():
    gse = DEFAULT["events"][0]["sources"][0]
    prabook = "“Aleksey Grigorevich Stakhanov”, Prabook, prabook.com/web/aleksey.stakhanov/952341"
    one = one_event(confidence="Sources differ", sources=[gse, prabook])
    assert sources_differ_on_one_source(one) == ["born-in-lugovaya: “sources differ” on 1 reliable source(s)"]
    assert not sources_differ_on_one_source(
        one_event(confidence="Sources differ", sources=DEFAULT["events"][0]["sources"])
    )


@pytest.mark.parametrize(
    "summary",
    [
        "Pravda carries the story. The exact date of the first Pravda report has not been found.",
        "He becomes a coal cutter. Most sources give 1933; one gives 1930.",
        "He studies at the Industrial Academy. Sources give 1936–1941 or 1937–1941.",
    ],
)
def test_source_bookkeeping_on_a_card_is_caught(summary):
    assert bookkeeping_in_summaries(one_event(summary=summary))


def test_place_names_follow_the_romanisation_rule():
    for name in ("Kadiivka (Kadievka)", "Chistyakovo (Torez)"):
        assert place_names_in_ukrainian_form(one_place(name=name))


@pytest.mark.parametrize(
    "summary",
    [
        "He receives the Order of Lenin, then the highest Soviet award.",
        "It was his only formal training as a miner.",
        "Sources disagree on the year: 1959 or 1964.",
        "In the Great Terror of 1936–1938 such charges meant death.",
        "Russian-backed forces have held the town since 2014.",
    ],
)
def test_the_second_reviews_findings_are_caught(summary):
    assert known_errors(one_event(summary=summary))


def test_a_record_chart_without_the_team_is_caught():
    old = {
        "title": "Coal cut in one shift, against the norm",
        "rows": [
            {"label": "The norm for a shift", "value": 7, "unit": "t"},
            {"label": "Stakhanov, night of 30–31 August 1935", "value": 102, "unit": "t"},
        ],
        "source": "Great Soviet Encyclopedia",
        "confidence": "As officially reported",
    }
    assert known_errors(one_event(figure=old)) == [
        "born-in-lugovaya: the chart sets three men's 102 t against one cutter's norm unsaid"
    ]
