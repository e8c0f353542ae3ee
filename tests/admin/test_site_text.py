"""Curators edit the timeline's title and further reading in every language the kiosk offers: saved through
the one writer (audit entry with the old and new text, the content version moved on, so the kiosk shows
it at once), checked (nothing saved, everything typed kept), and never over a colleague's change."""

from __future__ import annotations

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from markupsafe import escape
from sqlalchemy import select

from kiosk.content import published, settings_store, site_text
from kiosk.editing import writer
from kiosk.extensions import db
from kiosk.languages.localized import translation_key
from kiosk.models import AuditEntry, Role

from ..fixture_timeline import FIXTURE
from ..helpers import make_user
from .conftest import Curator, database_kept_busy, form_values

DEFAULT_URL, RUSSIAN_URL = "/admin/title", "/admin/title/ru"
TITLE, RUSSIAN_TITLE = FIXTURE.title["headline"], "Жизнь шахтёра, 1906–1977"  # as the timeline is loaded
NEW_BOOK = (
    "Robert Thurston, Life and Terror in Stalin’s Russia, 1934–1941 (New Haven: Yale University Press, 1996)"
)


def opened(person: Curator, url: str) -> dict:
    return form_values(person.get(url).get_data(as_text=True), url)


def stored_site_text() -> dict:
    return settings_store.get_many(
        "title_headline", "title_summary", "further_reading", translation_key("ru")
    )


def error_at(html: str, field: str) -> str:
    found = re.search(rf'<p class="field__error" id="{field}-error"[^>]*>([^<]*)</p>', html)
    return found.group(1) if found else ""


def latest_audit() -> AuditEntry:
    return db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))


def test_the_page_is_in_the_admin_navigation_with_every_language_default_first(curator):
    events = curator.get("/admin/events").get_data(as_text=True)
    assert f'href="{DEFAULT_URL}"' in events and "Title and further reading" in events

    page = curator.get(DEFAULT_URL).get_data(as_text=True)
    tabs = re.findall(r'<a class="button button--small[^"]*" href="[^"]*"[^>]*><span>(\w+)', page)
    assert tabs == ["English", "Russian", "Ukrainian"]  # named in the admin's language
    values = opened(curator, DEFAULT_URL)
    assert values["headline"] == TITLE
    assert values["reading_scholarly"].splitlines()[0].startswith("Lewis H. Siegelbaum, Stakhanovism")
    assert "Aleksei Stakhanov, Rasskaz o moei zhizni" in values["reading_period"]
    assert values["reading_other"] == ""

    russian = curator.get(RUSSIAN_URL).get_data(as_text=True)
    assert f'<div class="translation-form__text" lang="en">{TITLE}</div>' in russian
    assert 'class="translation-form__translated" lang="ru"' in russian
    assert opened(curator, RUSSIAN_URL)["headline"] == RUSSIAN_TITLE
    assert curator.get("/admin/title/de").status_code == 404  # not a language the kiosk offers


def test_a_save_in_the_default_language_reaches_the_kiosk_with_an_audit_entry_of_old_and_new(
    curator, client, server
):
    before = stored_site_text()
    client.get("/")  # a cached page, which the save must replace
    version = published.content_version()
    typed = opened(curator, DEFAULT_URL)
    typed["headline"] = "A miner’s life (1906–1977)"
    typed["reading_scholarly"] += f"\r\n\r\n   {NEW_BOOK}   \r\n"  # as a browser sends it, with an empty line

    saved = curator.post(DEFAULT_URL, typed)
    assert saved.status_code == 302 and saved.headers["Location"] == DEFAULT_URL
    assert published.content_version() > version
    page = client.get("/").get_data(as_text=True)
    assert ">A miner’s life (1906–1977)</h1>" in page
    scholarly = page[page.index("Scholarly works") : page.index("Period sources")]
    assert f"<li>{NEW_BOOK}</li>" in scholarly

    # Added after the other scholarly works, spaces trimmed and the empty line left out; nothing else moved.
    reading, listed = settings_store.get("further_reading"), before["further_reading"]
    scholarly = sum(1 for item in listed if item["kind"] == "scholarly")  # listed first
    assert reading == [*listed[:scholarly], {"kind": "scholarly", "text": NEW_BOOK}, *listed[scholarly:]]
    entry = latest_audit()
    assert (entry.action, entry.username) == ("title.save", "curator")
    detail = json.loads(entry.detail)
    assert detail["before"]["title_headline"] == TITLE
    assert detail["after"]["title_headline"] == "A miner’s life (1906–1977)"
    assert detail["before"]["further_reading"] == before["further_reading"]  # nothing lost
    assert "title_summary" not in detail["before"]  # only what changed

    assert "Saved the title and further reading in English" in curator.get(DEFAULT_URL).get_data(as_text=True)

    # An administrator reads the whole entry in the audit log: the old list, every title of it.
    make_user("boss", Role.ADMIN)
    boss = Curator(server.test_client())
    boss.sign_in("boss")
    audit_page = boss.get("/admin/audit?action=title.save").get_data(as_text=True)
    assert "Show all" in audit_page
    assert str(escape(entry.detail)) in audit_page


def test_a_save_in_russian_reaches_the_russian_kiosk_and_leaves_the_default_alone(curator, client):
    before = stored_site_text()
    version = published.content_version()
    typed = opened(curator, RUSSIAN_URL) | {
        "headline": "Алексей Григорьевич Стаханов",
        "reading_scholarly": "Новая книга о Стаханове (М., 2020)\n",
        "reading_period": "",
        "reading_other": "",
    }
    assert curator.post(RUSSIAN_URL, typed).status_code == 302
    assert published.content_version() > version

    russian = client.get("/ru/").get_data(as_text=True)
    assert ">Алексей Григорьевич Стаханов</h1>" in russian
    assert "<li>Новая книга о Стаханове (М., 2020)</li>" in russian
    assert "Возродим родной Донбасс" not in russian  # the Russian list alone: its period titles removed
    english = client.get("/").get_data(as_text=True)
    assert f">{TITLE}</h1>" in english and "Новая книга" not in english
    after = stored_site_text()
    assert {key: after[key] for key in ("title_headline", "further_reading")} == {
        key: before[key] for key in ("title_headline", "further_reading")
    }
    # The translation records the default text it was made from: up to date until that changes.
    assert site_text.translation_state("ru") is None
    entry = latest_audit()
    assert entry.target == "title and further reading (ru)"
    assert json.loads(entry.detail)["before"][translation_key("ru")]["title_headline"] == RUSSIAN_TITLE

    english_form = opened(curator, DEFAULT_URL) | {"summary": "A shorter introduction."}
    assert curator.post(DEFAULT_URL, english_form).status_code == 302
    assert site_text.translation_state("ru") == "out-of-date"
    page = curator.get(RUSSIAN_URL).get_data(as_text=True)
    assert "The default text changed after this translation was saved" in page


def test_a_russian_list_left_empty_shows_the_default_list_marked_as_english(curator, client):
    typed = opened(curator, RUSSIAN_URL) | {
        "reading_scholarly": "",
        "reading_period": "",
        "reading_other": "",
    }
    assert curator.post(RUSSIAN_URL, typed).status_code == 302
    russian = client.get("/ru/").get_data(as_text=True)
    assert '<ul class="coda__list" lang="en">' in russian and "Rasskaz o moei zhizni" in russian


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("headline", "", "Give the timeline a title."),
        ("headline", "T" * 121, "Keep the title to 120 characters or fewer."),
        ("summary", "S" * 601, "Keep the introduction to 600 characters or fewer."),
        (
            "reading_period",
            "A short title\n" + "L" * 301,
            "Line 2 is 301 characters long: keep each title to 300 characters or fewer.",
        ),
        (
            "reading_other",
            "\n".join(["B" * 290] * 28),
            "characters long in all: keep it to 8,000 or fewer by shortening or removing titles.",
        ),
    ],
)
def test_bad_input_is_refused_at_its_field_with_nothing_saved_and_everything_typed_kept(
    curator, field, value, message
):
    before, version = stored_site_text(), published.content_version()
    typed = opened(curator, DEFAULT_URL) | {"summary": "Typed, and kept.", field: value}
    response = curator.post(DEFAULT_URL, typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in error_at(html, field)
    assert form_values(html, DEFAULT_URL)[field] == value
    if field != "summary":
        assert form_values(html, DEFAULT_URL)["summary"] == "Typed, and kept."
    assert stored_site_text() == before and published.content_version() == version


def test_two_curators_at_once_the_later_save_is_refused_and_keeps_what_was_typed(curator, colleague):
    mine, theirs = opened(curator, RUSSIAN_URL), opened(colleague, RUSSIAN_URL)
    theirs["headline"] = "Стаханов: жизнь и миф"
    assert colleague.post(RUSSIAN_URL, theirs).status_code == 302
    stored = stored_site_text()[translation_key("ru")]

    mine["summary"] = "Моё новое введение."
    refused = curator.post(RUSSIAN_URL, mine)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Someone else saved it a moment ago" in html
    kept = form_values(html, RUSSIAN_URL)
    assert kept["summary"] == "Моё новое введение." and kept["headline"] == RUSSIAN_TITLE
    assert 'Saved meanwhile: <span class="translation-form__saved">Стаханов: жизнь и миф</span>' in html
    assert stored_site_text()[translation_key("ru")] == stored  # theirs is untouched

    # Having seen theirs, saving again keeps what this curator typed.
    assert curator.post(RUSSIAN_URL, kept).status_code == 302
    assert stored_site_text()[translation_key("ru")]["title_summary"] == "Моё новое введение."


def test_a_change_an_import_made_meanwhile_is_not_overwritten(curator):
    typed = opened(curator, DEFAULT_URL) | {"headline": "Mine"}
    with writer.fixture_writes():
        settings_store.put("further_reading", ["A title an import brought"])
    assert curator.post(DEFAULT_URL, typed).status_code == 409
    assert settings_store.get_many("title_headline", "further_reading") == {
        "title_headline": TITLE,
        "further_reading": ["A title an import brought"],
    }


def test_the_database_refuses_a_save_over_a_value_changed_after_it_was_read(app, monkeypatch):
    """The check at the database: each setting is written only where it still holds what was read."""
    loaded = site_text.load("en")
    read_before = site_text.stored("en")
    with writer.fixture_writes():
        settings_store.put("title_summary", "Changed by someone after the read")
    monkeypatch.setattr(site_text, "stored", lambda locale: dict(read_before))
    text = site_text.SiteText("Mine", "Mine too", loaded.reading)
    with pytest.raises(site_text.SiteTextConflict):
        writer.save_site_text("en", text, loaded.fingerprint)
    assert settings_store.get_many("title_headline", "title_summary") == {
        "title_headline": TITLE,
        "title_summary": "Changed by someone after the read",
    }


def test_of_two_racing_saves_one_wins_and_the_other_is_refused(curator, colleague):
    for round_number in range(4):
        first, second = opened(curator, DEFAULT_URL), opened(colleague, DEFAULT_URL)
        first["headline"], second["headline"] = f"First {round_number}", f"Second {round_number}"
        start = threading.Barrier(2)

        def post(person: Curator, values: dict, start=start) -> int:
            start.wait()
            return person.client.post(DEFAULT_URL, data=values | {"csrf_token": person.token()}).status_code

        with ThreadPoolExecutor(2) as pool:
            statuses = list(pool.map(post, (curator, colleague), (first, second)))
        assert sorted(statuses) == [302, 409], f"round {round_number}: {statuses}"


def test_a_save_while_the_database_is_busy_asks_to_try_again_and_keeps_what_was_typed(impatient_curator):
    typed = opened(impatient_curator, DEFAULT_URL) | {"headline": "Typed while busy"}
    with database_kept_busy("setting"):
        response = impatient_curator.post(DEFAULT_URL, typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "The database is busy with another change" in html
    assert form_values(html, DEFAULT_URL)["headline"] == "Typed while busy"
    assert settings_store.get("title_headline") == TITLE
    assert impatient_curator.post(DEFAULT_URL, form_values(html, DEFAULT_URL)).status_code == 302
    assert settings_store.get("title_headline") == "Typed while busy"


def test_only_a_signed_in_curator_can_save_and_only_with_the_forms_security_token(curator, server):
    before = stored_site_text()
    typed = opened(curator, DEFAULT_URL) | {"headline": "Defaced"}
    stranger = Curator(server.test_client())  # no account: the sign-in page (which keeps the text)
    response = stranger.post(DEFAULT_URL, typed)
    assert response.status_code == 401 and 'action="/admin/login?next=' in response.get_data(as_text=True)
    forged = curator.client.post(DEFAULT_URL, data=typed | {"csrf_token": "forged"})
    assert forged.status_code == 400
    db.session.expire_all()
    assert stored_site_text() == before
