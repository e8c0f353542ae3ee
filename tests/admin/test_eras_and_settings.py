"""Eras (create, edit, reorder, delete only when unused) and the admin's settings."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from kiosk.admin.forms import contrast_with_white
from kiosk.content import published, settings_store
from kiosk.extensions import db
from kiosk.models import AuditEntry, Era, Revision

from ..fixture_timeline import FIXTURE
from ..helpers import make_event
from .conftest import loaded_settings


def era_form(**overrides) -> dict:
    return {
        "name": "Last years",
        "start_year": "1974",
        "end_year": "1977",
        "colour": "#3f4a5c",
        "description": "The last years.",
        "slug": "",
    } | overrides


def order() -> list[str]:
    return list(db.session.scalars(select(Era.slug).order_by(Era.position)))


def test_contrast_is_measured_as_wcag_does():
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)


def test_a_new_era_goes_to_the_end_and_onto_the_kiosk(curator, client):
    version = published.content_version()
    response = curator.post("/admin/eras/new", era_form())
    assert response.headers["Location"] == "/admin/eras"
    era = db.session.scalar(select(Era).where(Era.slug == "last-years"))
    assert era.colour == "#3f4a5c" and order()[-1] == "last-years"
    assert published.content_version() > version
    theme = client.get(f"/theme.css?v={version + 1}").get_data(as_text=True)
    assert ".era-last-years { --era: #3f4a5c; }" in theme
    recorded = select(func.count(Revision.id)).where(
        Revision.entity_type == "era", Revision.entity_id == era.id
    )
    assert db.session.scalar(recorded) == 1


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"name": ""}, "name", "Give the era a name."),
        ({"start_year": "19"}, "start_year", "Enter the year with four digits"),
        ({"end_year": "1970"}, "end_year", "The end year is before the start year."),
        ({"colour": "#f5d742"}, "colour", "White text on this colour is hard to read (contrast 1.4:1"),
        ({"colour": "red; } body { display: none"}, "colour", "Choose a colour"),
        ({"slug": FIXTURE.record_era}, "slug", "Another era already uses this web address."),
    ],
)
def test_bad_era_input_gets_a_message_and_changes_nothing(curator, typed, field, message):
    count = db.session.scalar(select(func.count(Era.id)))
    response = curator.post("/admin/eras/new", era_form(**typed))
    assert response.status_code == 422
    slot = re.search(f'id="{field}-error"[^>]*>([^<]*)<', response.get_data(as_text=True)).group(1)
    assert message in slot
    assert db.session.scalar(select(func.count(Era.id))) == count


def test_editing_an_era_and_a_stale_edit(curator):
    era = db.session.scalar(select(Era).where(Era.slug == FIXTURE.mine_era))
    form = era_form(name="Down the mines", slug=era.slug, start_year="1927", end_year="1935", version="1")
    assert curator.post(f"/admin/eras/{era.id}/edit", form).status_code == 302
    db.session.refresh(era)
    assert era.name == "Down the mines" and era.version == 2
    stale = curator.post(f"/admin/eras/{era.id}/edit", form | {"name": "Someone else's idea"})
    assert stale.status_code == 409
    assert "Someone else saved “Down the mines” in the meantime" in stale.get_data(as_text=True)
    db.session.refresh(era)
    assert era.name == "Down the mines"


def test_eras_move_up_and_down(curator, client):
    first, second = order()[:2]
    era = db.session.scalar(select(Era).where(Era.slug == second))
    version = published.content_version()
    curator.post(f"/admin/eras/{era.id}/move", {"direction": "earlier"})
    assert order()[:2] == [second, first]
    assert published.content_version() > version
    timeline = client.get("/").get_data(as_text=True)
    assert timeline.index(f'id="era-{second}"') < timeline.index(f'id="era-{first}"')
    curator.post(f"/admin/eras/{era.id}/move", {"direction": "earlier"})  # already first: nothing happens
    assert order()[:2] == [second, first]
    curator.post(f"/admin/eras/{era.id}/move", {"direction": "later"})
    assert order()[:2] == [first, second]
    assert curator.post(f"/admin/eras/{era.id}/move", {"direction": "sideways"}).status_code == 400


def test_an_era_in_use_cannot_be_deleted(curator):
    era = db.session.scalar(select(Era).where(Era.slug == FIXTURE.record_era))
    page = curator.get(f"/admin/eras/{era.id}/delete").get_data(as_text=True)
    assert "“August 1935” cannot be deleted: 2 events use it." in page
    assert "Move those events to another era first." in page
    response = curator.post(f"/admin/eras/{era.id}/delete")
    assert response.status_code == 409
    assert db.session.get(Era, era.id) is not None


def test_an_era_used_only_by_a_trashed_event_is_still_kept(curator):
    curator.post("/admin/eras/new", era_form())
    era = db.session.scalar(select(Era).where(Era.slug == "last-years"))
    event = make_event(era=era)
    curator.post(f"/admin/events/{event.id}/delete", {"version": str(event.version)})
    response = curator.post(f"/admin/eras/{era.id}/delete")
    assert response.status_code == 409
    assert "(1 of them is in the trash.)" in response.get_data(as_text=True)


def test_an_unused_era_is_deleted_after_confirmation(curator):
    curator.post("/admin/eras/new", era_form())
    era = db.session.scalar(select(Era).where(Era.slug == "last-years"))
    assert "Delete the era" in curator.get(f"/admin/eras/{era.id}/delete").get_data(as_text=True)
    assert curator.post(f"/admin/eras/{era.id}/delete").headers["Location"] == "/admin/eras"
    assert db.session.scalar(select(Era).where(Era.slug == "last-years")) is None
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "era.delete"


def test_the_admin_sets_the_idle_timeout(administrator, client):
    page = administrator.get("/admin/settings").get_data(as_text=True)
    assert 'value="90"' in page  # the default
    for bad in ("10", "601", "ninety", "", "2 minutes"):
        response = administrator.post(
            "/admin/settings", loaded_settings(administrator) | {"idle_seconds": bad}
        )
        assert response.status_code == 422
        message = re.search(r'id="idle_seconds-error"[^>]*>([^<]*)<', response.get_data(as_text=True)).group(
            1
        )
        assert "between 30 and 600" in message and "for 2 minutes, 120" in message  # never "like 1935"
    assert settings_store.get("idle_seconds") is None
    version = client.get("/healthz").get_json()["content_version"]
    every_language = {"languages": ["en", "ru", "uk"], "default_locale": "en"}
    typed = loaded_settings(administrator) | {"idle_seconds": "45", **every_language}
    assert administrator.post("/admin/settings", typed).status_code == 302
    assert settings_store.get("idle_seconds") == 45
    assert client.get("/healthz").get_json()["content_version"] != version  # kiosks reload and pick it up


def test_the_admin_chooses_the_kiosk_languages_and_its_default(administrator, client):
    page = administrator.get("/admin/settings").get_data(as_text=True)
    assert 'lang="ru"' in page and "Українська" in page  # each language named in itself
    assert client.get("/uk/").status_code == 200

    loaded = loaded_settings(administrator)
    refused = administrator.post(
        "/admin/settings", loaded | {"idle_seconds": "90", "languages": ["en", "uk"], "default_locale": "ru"}
    )
    assert refused.status_code == 422 and "must be one of the kiosk" in refused.get_data(as_text=True)
    assert (
        administrator.post("/admin/settings", {"idle_seconds": "90", "default_locale": "en"}).status_code
        == 422
    )
    assert settings_store.get("languages") is None  # nothing half-saved

    chosen = loaded | {"idle_seconds": "90", "languages": ["ru", "uk"], "default_locale": "ru"}
    assert administrator.post("/admin/settings", chosen).status_code == 302
    assert 'lang="ru"' in client.get("/").get_data(as_text=True)  # Russian at the main address now
    assert client.get("/ru/").status_code == 308  # its prefixed address leads there
    assert client.get("/ru/").headers["Location"].endswith("/")
    assert client.get("/en/").status_code == 404  # English is switched off
    assert client.get("/uk/").status_code == 200
