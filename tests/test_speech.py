"""Speech for audio mode (kiosk/speech): what is said for each item in each language, the clips made
from it (once, kept under a name that changes with the text), the addresses that serve them, and
keeping them up to date after a publish. Clips are kept in the test session's shared data folder, so
each text is synthesized once per run."""

from __future__ import annotations

import io

import soundfile
from sqlalchemy import select

from kiosk.editing import writer
from kiosk.extensions import db
from kiosk.models import Event
from kiosk.speech import scripts, service, store, synthesis

from .fixture_timeline import FIXTURE

# eSpeak NG at the kiosk's default rate speaks between these many characters a second (a clip much
# shorter or longer than its caption is not that caption).
CHARACTERS_PER_SECOND = (6, 30)


def duration(audio: bytes) -> float:
    info = soundfile.info(io.BytesIO(audio))
    assert (info.format, info.subtype) == ("OGG", "OPUS")
    return info.frames / info.samplerate


def test_each_language_has_a_voice_and_the_clip_is_ogg_opus_of_a_fitting_length():
    for language, text in [
        ("en", "He cut one hundred and two tonnes of coal."),
        ("ru", "Он добыл сто две тонны угля."),
        ("uk", "Він видобув сто дві тонни вугілля."),
    ]:
        seconds = duration(synthesis.synthesize(text, synthesis.Voice(language, 165)))
        low, high = CHARACTERS_PER_SECOND
        assert len(text) / high < seconds < len(text) / low, (language, seconds)


def test_an_unknown_voice_is_refused_with_a_sentence():
    try:
        synthesis.synthesize("Hallo", synthesis.Voice("de", 165))
    except synthesis.SpeechUnavailable as error:
        assert "no voice" in str(error)
    else:
        raise AssertionError("a language without a voice was spoken")


def test_an_event_is_spoken_part_by_part_with_its_figure_as_a_table(app):
    said = scripts.script_for("ru")
    record = said.events[FIXTURE.record_event]
    names = [part.name for part in record["parts"]]
    assert names[:2] == ["headline", "summary"] and "figure" in names and names[-1] == "sources"
    figure = next(part for part in record["parts"] if part.name == "figure")
    assert all(clip.language == "ru" for clip in figure.clips)  # its texts are translated
    document = FIXTURE.document()
    event = next(item for item in document["events"] if item["slug"] == FIXTURE.record_event)
    russian = event["translations"]["ru"]["figure"]
    assert russian["title"] in figure.caption
    for row in russian["rows"]:
        assert row["label"] in figure.caption
    sources = record["parts"][-1]
    assert all(source in sources.caption for source in event["sources"])


def test_a_text_not_translated_yet_is_spoken_in_the_default_language_voice(app):
    said = scripts.script_for("uk")
    headline = said.events[FIXTURE.untranslated_event]["parts"][0]
    document = FIXTURE.document()
    english = next(item for item in document["events"] if item["slug"] == FIXTURE.untranslated_event)
    assert headline.clips[0] == scripts.Clip(scripts._sentence(english["headline"]), "en")
    translated = said.events[FIXTURE.plain_event]["parts"][0]
    assert translated.clips[0].language == "uk"


def test_the_manifest_lists_every_era_event_and_place_and_its_clips_are_served(client, app):
    manifest = client.get("/ru/speech.json").get_json()
    assert manifest["language"] == "ru"
    assert [era["slug"] for era in manifest["eras"]] == FIXTURE.era_slugs
    assert [slug for era in manifest["eras"] for slug in era["events"]] == [
        slug for slug in FIXTURE.event_slugs if slug in manifest["events"]
    ]
    assert [place["key"] for place in manifest["places"]] == list(FIXTURE.places)
    welcome = manifest["phrases"]["welcome"]
    assert "Стрелки" in welcome["caption"] or "стрелк" in welcome["caption"].lower()
    clip = welcome["clips"][0]
    with client.get(clip["src"]) as response:
        assert response.status_code == 200 and response.mimetype == "audio/ogg"
        assert "immutable" in response.headers["Cache-Control"]
        audio = response.data
    # The file is the Russian voice reading that very caption.
    assert clip["src"].endswith(store.name_of(welcome["caption"], store.voice("ru")) + ".ogg")
    low, high = CHARACTERS_PER_SECOND
    assert len(welcome["caption"]) / high < duration(audio) < len(welcome["caption"]) / low


def test_only_clips_the_content_says_are_made(client):
    assert client.get("/speech/" + "0" * 32 + ".ogg").status_code == 404
    assert client.get("/speech/../secret_key.ogg").status_code == 404
    assert client.get("/speech/NOT-A-NAME.ogg").status_code == 404


def test_an_unchanged_text_is_never_made_again(app):
    voice = store.voice("en")
    first, _made = store.ensure("The same words twice.", voice)
    again, made_again = store.ensure("The same words twice.", voice)
    assert again == first and not made_again


def test_the_build_makes_what_is_missing_and_after_a_publish_only_the_changed_texts(
    app, runner, tmp_path, monkeypatch
):
    """What a build makes and deletes (the sound itself is tested above: here every text is "spoken" as
    its own bytes, so the whole timeline's bookkeeping runs in a moment)."""
    spoken: list[tuple[str, str]] = []

    def speak(text: str, voice: synthesis.Voice) -> bytes:
        spoken.append((voice.language, text))
        return text.encode()

    monkeypatch.setattr(synthesis, "synthesize", speak)
    app.config["SPEECH_DIR"] = str(tmp_path / "speech")
    store.write_whole(store.path_of("f" * 32), b"left over")
    result = runner.invoke(args=["speech", "build"])
    assert result.exit_code == 0, result.output
    assert "1 deleted" in result.output and "en " in result.output and "uk " in result.output
    assert not store.path_of("f" * 32).exists()
    assert {language for language, _text in spoken} == {"en", "ru", "uk"}
    assert len(spoken) == len(set(spoken)) == len(list(store.folder().glob("*.ogg")))

    event = db.session.scalar(select(Event).where(Event.slug == FIXTURE.plain_event))
    old = service.name_of(service.script("en").events[FIXTURE.plain_event]["parts"][0].clips[0])
    with writer.fixture_writes():
        event.headline = "Norms go up once more"
    new_part = service.script("en").events[FIXTURE.plain_event]["parts"][0]
    assert new_part.caption.startswith("Norms go up once more.")
    spoken.clear()
    again = service.build(app)
    # The changed headline, as the event's first part and on its card; nothing else is made again.
    assert (again.made, again.deleted, again.failures) == (2, 2, [])
    card = service.script("en").events[FIXTURE.plain_event]["card"]
    assert sorted(spoken) == sorted([("en", card.caption), ("en", new_part.caption)])
    assert card.caption == f"{event.start_year}. Norms go up once more."
    assert store.path_of(service.name_of(new_part.clips[0])).read_bytes() == new_part.caption.encode()
    assert not store.path_of(old).exists()
