"""What the kiosk says: for every item a visitor can reach in audio mode, in one language, the parts it is
spoken in, each part a caption (what the screen shows while it plays) and the clips that speak it.

This is the one place that says what an event, an era, a place, a figure and the kiosk's notices sound
like. It reads the same published content, in the same language and with the same fallbacks, as the
visitor screens (kiosk.content.published, kiosk.languages.localized) and takes the interface's phrases
from the same gettext catalogs. A text that has not been translated yet is spoken in the default
language's voice, as the screen marks it with the default language's ``lang``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from ..content import figures, places, published
from ..content.markdown import render_markdown
from ..languages import choice
from ..languages.localized import LocalizedEvent, Localizer


@dataclass(frozen=True)
class Clip:
    """One stretch of speech in one voice: the unit that is synthesized and kept as a file."""

    text: str
    language: str


@dataclass(frozen=True)
class Part:
    """One thing said at once (an event's summary, a figure as a table): a caption and its clips."""

    name: str
    clips: tuple[Clip, ...]

    @property
    def caption(self) -> str:
        return " ".join(clip.text for clip in self.clips)


@dataclass
class Script:
    """Everything audio mode can say in one language."""

    language: str
    phrases: dict[str, Part] = field(default_factory=dict)
    eras: list[dict] = field(default_factory=list)  # {"slug", "part", "events": [slug, ...]}
    events: dict[str, dict] = field(default_factory=dict)  # slug -> {"card": Part, "parts": [Part]}
    places: list[dict] = field(default_factory=list)  # {"key", "parts": [Part]}

    def every_part(self) -> Iterable[Part]:
        yield from self.phrases.values()
        for era in self.eras:
            yield era["part"]
        for event in self.events.values():
            yield event["card"]
            yield from event["parts"]
        for place in self.places:
            yield from place["parts"]

    def every_clip(self) -> set[Clip]:
        return {clip for part in self.every_part() for clip in part.clips}


def plain(markdown: str) -> str:
    """Markdown as the words a listener hears (the rendered text without its markup)."""
    return Markup(render_markdown(markdown)).striptags()


def _sentence(text: str) -> str:
    """A text that ends as a sentence, so the voice pauses before what follows."""
    text = " ".join(str(text).split())
    return text if not text or text[-1] in ".!?…:;" else text + "."


class _Builder:
    """Parts in one language; ``said`` joins texts into clips by the voice each needs."""

    def __init__(self, language: str):
        self.language = language

    def part(self, name: str, *texts: tuple[str, str | None] | str) -> Part:
        clips: list[Clip] = []
        for text in texts:
            words, fallback = (text, None) if isinstance(text, str) else text
            words = _sentence(words)
            if not words:
                continue
            voice = fallback or self.language
            if clips and clips[-1].language == voice:
                clips[-1] = Clip(f"{clips[-1].text} {words}", voice)
            else:
                clips.append(Clip(words, voice))
        return Part(name, tuple(clips))


def _field(item, name: str) -> tuple[str, str | None]:
    """A localized item's field and the language it fell back to (None when it is in the page's own)."""
    return getattr(item, name) or "", item._text_lang(name)


def interface_phrases(builder: _Builder, language_names: dict[str, str]) -> dict[str, Part]:
    """The kiosk's own words: the welcome and help, the notices and the feedback on keys."""
    say = builder.part
    keys = _(
        "Left and right arrows move to the previous or next item. Up goes out to the eras, down goes into "
        "an era's events and through an open event's parts. Enter or Space opens. Escape or Backspace goes "
        "back. Plus and minus change the volume, square brackets the speed. L changes the language, "
        "H repeats this help. Any key stops the speech."
    )
    touch = _(
        "On the screen: swipe left or right to move, double-tap to open, swipe down with two fingers to "
        "read on from here."
    )
    phrases = {
        "welcome": say("welcome", _("Audio mode is on."), keys, touch),
        "help": say("help", keys, touch),
        "attract": say(
            "attract", _("Touch the screen to explore his life"), _("Or press any key to listen.")
        ),
        "still-there": say(
            "still-there", _("Still there?"), _("Press any key or touch the screen to carry on.")
        ),
        "offline": say("offline", _("The kiosk cannot reach its server. You hear what it keeps.")),
        "error": say("error", _("Sorry, that could not be opened.")),
        "louder": say("louder", _("Louder")),
        "quieter": say("quieter", _("Quieter")),
        "faster": say("faster", _("Faster")),
        "slower": say("slower", _("Slower")),
        "first": say("first", _("This is the first.")),
        "last": say("last", _("This is the last.")),
        "timeline": say("timeline", _("The timeline.")),
        "places": say("places", _("Places"), _("The places of his life, on a map.")),
        "language": say("language", language_names[builder.language]),
    }
    for seconds in (10, 5, 3, 2, 1):
        phrases[f"countdown-{seconds}"] = say(f"countdown-{seconds}", str(seconds))
    return phrases


def event_parts(builder: _Builder, event: LocalizedEvent) -> list[Part]:
    """An open event, part by part as the screen shows it; the sources only when asked for (the last)."""
    say = builder.part
    headline: list[tuple[str, str | None] | str] = [_field(event, "headline"), _field(event, "date_label")]
    if event.postscript:
        headline.append(_("After his death"))
    if event.confidence:
        headline += [
            _field(event, "confidence"),
            _("Not every detail here is certain: see the sources below."),
        ]
    parts = [say("headline", *headline), say("summary", _field(event, "summary"))]
    body, body_lang = _field(event, "body")
    if body:
        parts.append(say("text", (plain(body), body_lang)))
    if event.image_id and event.image_alt:
        parts.append(say("picture", _("Picture:"), _field(event, "image_alt")))
    if event.figure:
        parts.append(figure_part(builder, event))
    if event.sources:
        count = len(event.sources)
        listed = [f"{number}. {source}" for number, source in enumerate(event.sources, 1)]
        parts.append(say("sources", ngettext("Source (%(num)d)", "Sources (%(num)d)", count), *listed))
    return parts


def figure_part(builder: _Builder, event: LocalizedEvent) -> Part:
    """A figure as a spoken table: its title, then each row's label and number, then its source."""
    figure = event.figure or {}
    default = event.default_language

    def text(value: str, fell_back: bool) -> tuple[str, str | None]:
        return value, default if fell_back else None

    rows = [
        piece
        for bar in figures.chart(figure).bars
        for piece in (text(bar.label, bar.label_fallback), text(bar.value_text, bar.unit_fallback))
    ]
    confidence = (
        [text(figure["confidence"], figure.get("confidence_fallback", False))]
        if figure.get("confidence")
        else []
    )
    return builder.part(
        "figure",
        _("Figure"),
        text(figure["title"], figure.get("title_fallback", False)),
        *rows,
        *confidence,
        _("Source: %(source)s", source=figure["source"]),
    )


def script_for(language: str) -> Script:
    """Everything audio mode says in ``language`` (inside an app context)."""
    names = {code: choice.own_name(code) for code in choice.offered()}
    with force_locale(language):
        builder = _Builder(language)
        script = Script(language, interface_phrases(builder, names))
        localizer = Localizer(language)
        chapters = localizer.chapters(published.chapters())
        for chapter in chapters:
            era = chapter.era
            count = ngettext("%(num)d event", "%(num)d events", chapter.total)
            script.eras.append(
                {
                    "slug": era.slug,
                    "part": builder.part(
                        "era", _field(era, "name"), f"{era.start_year}–{era.end_year}", count
                    ),
                    "events": [event.slug for event in chapter.events],
                }
            )
            for event in chapter.events:
                card = builder.part("card", str(event.start_year), _field(event, "headline"))
                script.events[event.slug] = {"card": card, "parts": event_parts(builder, event)}
        for place in _places(localizer):
            script.places.append({"key": place["key"], "parts": place["parts"]})
    return script


def _places(localizer: Localizer) -> list[dict]:
    """Each place on the Places view: its name and years, its note, its events with their dates."""
    builder = _Builder(localizer.locale)
    atlas = places.places_map(published.placed_events(True), localizer.place)
    spoken = []
    for each in atlas.places:
        events = localizer.events(each.events)
        listed = [
            piece
            for event in events
            if event is not None
            for piece in (_field(event, "date_label"), _field(event, "headline"))
        ]
        record = each.record
        parts = [builder.part("place", _field(record, "name"), record._years())]
        if record.note:
            parts.append(builder.part("note", _field(record, "note")))
        parts.append(builder.part("events", _("Events"), *listed))
        spoken.append({"key": each.key, "parts": parts})
    return spoken
