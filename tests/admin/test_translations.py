"""Curators translate events: the default text beside each field, the same checks, revisions, history,
conflicts and audit as the default text, and a list that shows what is missing or out of date."""

from __future__ import annotations

import io
import json
import re

from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import AuditEntry, Event, Revision

from ..fixture_timeline import FIXTURE
from .conftest import form_values

TEXTS = {
    "headline": "Рекордная смена",
    "display_date": "",
    "summary": "Кратко по-русски.",
    "body": "Текст по-русски.",
    "confidence": "",
    "image_alt": "",
    "image_caption": "",
}


def the_event(slug: str = FIXTURE.record_event) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def test_the_translation_page_shows_the_default_text_beside_each_field(curator):
    event = the_event()
    page = curator.get(f"/admin/events/{event.id}/translations/ru").get_data(as_text=True)
    assert '<div class="translation-form__text" lang="en">' + event.headline in page
    assert 'class="translation-form__translated" lang="ru"' in page
    assert curator.get(f"/admin/events/{event.id}/translations/en").status_code == 404  # the default
    assert curator.get(f"/admin/events/{event.id}/translations/de").status_code == 404  # not offered


def test_a_translation_is_checked_saved_with_a_revision_and_an_audit_entry_and_reaches_the_kiosk(
    curator, client
):
    event = the_event()
    page = curator.get(f"/admin/events/{event.id}/translations/ru").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)

    refused = curator.post(
        f"/admin/events/{event.id}/translations/ru", TEXTS | {"headline": "", "version": version}
    )
    assert refused.status_code == 422 and "Give the event a headline." in refused.get_data(as_text=True)
    too_long = curator.post(
        f"/admin/events/{event.id}/translations/ru", TEXTS | {"headline": "x" * 121, "version": version}
    )
    assert too_long.status_code == 422

    revisions_before = db.session.scalar(select(db.func.count(Revision.id)))
    saved = curator.post(f"/admin/events/{event.id}/translations/ru", TEXTS | {"version": version})
    assert saved.status_code == 302
    assert db.session.scalar(select(db.func.count(Revision.id))) > revisions_before
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.action, entry.detail) == ("event.translate", "ru")
    assert "Рекордная смена" in client.get(f"/ru/events/{event.slug}").get_data(as_text=True)

    history = curator.get(f"/admin/events/{event.id}/history").get_data(as_text=True)
    assert "Headline (Russian)" in history


def test_two_curators_saving_the_same_translation_meet_a_conflict_and_nothing_is_overwritten(curator):
    event = the_event()
    stale = str(event.version)
    assert (
        curator.post(
            f"/admin/events/{event.id}/translations/uk", TEXTS | {"headline": "Перша", "version": stale}
        ).status_code
        == 302
    )
    second = curator.post(
        f"/admin/events/{event.id}/translations/uk", TEXTS | {"headline": "Друга", "version": stale}
    )
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert 'value="Друга"' in html and "Перша" in html  # theirs kept on the page, the saved one shown
    db.session.expire_all()
    assert {row.locale: row.headline for row in the_event().translations}["uk"] == "Перша"


def test_the_list_shows_missing_and_out_of_date_translations_and_filters_by_them(curator, app):
    event = the_event()
    listed = curator.get("/admin/events?translation=ru:missing").get_data(as_text=True)
    assert f"event-row-{event.id}" not in listed  # the timeline comes translated, but for one event
    assert f"event-row-{the_event(FIXTURE.untranslated_event).id}" in listed

    curator.post(
        f"/admin/events/{event.id}/edit",
        {
            "headline": "102 tonnes in a single night",
            "slug": event.slug,
            "start_year": "1935",
            "start_month": "8",
            "start_day": "30",
            "end_year": "1935",
            "end_month": "8",
            "end_day": "31",
            "display_date": event.display_date,
            "era": str(event.era_id),
            "summary": event.summary,
            "body": event.body,
            "sources": "\n".join(event.sources),
            "confidence": event.confidence,
            "status": "published",
            "version": str(event.version),
            "action": "publish",
        },
    )
    outdated = curator.get("/admin/events?translation=ru:out-of-date").get_data(as_text=True)
    assert f"event-row-{event.id}" in outdated and "out of date" in outdated
    page = curator.get(f"/admin/events/{event.id}/translations/ru").get_data(as_text=True)
    assert "The default text changed after this translation was saved" in page


def test_a_timelinejs_file_imports_into_a_chosen_language_of_existing_events(curator, app, tmp_path):
    from kiosk.interchange import exporters

    exported = json.loads(exporters.export("timelinejs"))
    for slide in exported["events"]:
        if slide["unique_id"] == FIXTURE.kremlin_event:
            slide["text"]["headline"] = "Совещание стахановцев в Кремле"
    exported["events"].append(
        {"unique_id": "not-here", "start_date": {"year": "1950"}, "text": {"headline": "Нет такого"}}
    )
    data = json.dumps(exported, ensure_ascii=False).encode()
    english = the_event(FIXTURE.kremlin_event).headline
    events_before = db.session.scalar(select(db.func.count(Event.id)))

    checked = curator.client.post(
        "/admin/import",
        data={
            "csrf_token": curator.token(),
            "language": "ru",
            "file": (io.BytesIO(data), "timeline-ru.json"),
        },
        content_type="multipart/form-data",
    )
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "not on the timeline" in html
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    assert curator.post("/admin/import/confirm", {"token": token, "language": "ru"}).status_code == 200

    event = the_event(FIXTURE.kremlin_event)
    assert {row.locale: row.headline for row in event.translations}["ru"] == "Совещание стахановцев в Кремле"
    assert event.headline == english  # the default text is untouched
    assert db.session.scalar(select(db.func.count(Event.id))) == events_before  # nothing new


def test_an_era_is_translated_beside_its_default_text(curator, client):
    from kiosk.models import Era

    era = db.session.scalar(select(Era).where(Era.slug == FIXTURE.record_era))
    page = curator.get(f"/admin/eras/{era.id}/translations/uk").get_data(as_text=True)
    assert f'lang="en">{era.name}' in page and 'value="Серпень 1935-го"' in page
    assert curator.get(f"/admin/eras/{era.id}/edit").get_data(as_text=True).count("/translations/") == 2
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    empty = curator.post(
        f"/admin/eras/{era.id}/translations/uk", {"name": "", "description": "", "version": version}
    )
    assert empty.status_code == 422 and "Give the era a name." in empty.get_data(as_text=True)
    saved = curator.post(
        f"/admin/eras/{era.id}/translations/uk",
        {"name": "Рекордна зміна", "description": "Опис.", "version": version},
    )
    assert saved.status_code == 302
    assert "Рекордна зміна" in client.get("/uk/").get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.action, entry.target, entry.detail) == ("era.translate", f"era {era.slug}", "uk")


def test_an_out_of_date_translation_shows_what_changed_in_the_default_text_word_by_word(curator):
    event = the_event(FIXTURE.plain_event)
    url = f"/admin/events/{event.id}/edit"
    typed = form_values(curator.get(url).get_data(as_text=True), url)
    changed_summary = typed["summary"].replace("norms", "quotas", 1)
    assert changed_summary != typed["summary"]
    curator.post(url, typed | {"summary": changed_summary, "action": "publish"})
    page = curator.get(f"/admin/events/{event.id}/translations/ru").get_data(as_text=True)
    assert "The default text changed after this translation was saved" in page
    assert "is marked in 1 field below" in page
    assert re.search(
        r'<del class="diff__removed"><span class="visually-hidden">\[removed: </span>norms', page
    )
    assert re.search(r'<ins class="diff__added"><span class="visually-hidden">\[added: </span>quotas', page)
    assert page.count('class="diff__removed"') == 1  # only the summary changed


def test_languages_are_named_in_the_admins_own_language(curator):
    event = the_event()
    page = curator.get(f"/admin/events/{event.id}/translations/ru").get_data(as_text=True)
    assert "The Russian text of “" in page and "Русский text" not in page
    curator.post("/admin/language", {"lang": "uk", "next": f"/admin/events/{event.id}/translations/ru"})
    page = curator.get(f"/admin/events/{event.id}/translations/ru").get_data(as_text=True)
    assert "Російська" in page
