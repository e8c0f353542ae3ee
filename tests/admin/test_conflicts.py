"""Two curators, one event or era: the later save gets the conflict page, both versions field by field, and
the merge they choose keeps both changes. Nothing typed is ever lost, and a stale merge is not saved."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from kiosk.editing import revisions
from kiosk.extensions import db
from kiosk.models import Era, Event, Revision

from ..fixture_timeline import FIXTURE
from .conftest import Curator, event_form, form_values


def newest_event() -> Event:
    return db.session.scalar(select(Event).order_by(Event.id.desc()))


def revision_count() -> int:
    return db.session.scalar(select(func.count(Revision.id)))


def field_block(html: str, key: str) -> str:
    """The conflict page's fieldset for one field."""
    found = re.search(rf'<fieldset class="merge-field[^"]*" id="merge-{key}".*?</fieldset>', html, re.DOTALL)
    return found.group(0)


def visible(html: str) -> str:
    """What a sighted reader sees: the text without tags and without the words only screen readers hear."""
    return re.sub(r"<[^>]+>", "", re.sub(r'<span class="visually-hidden">[^<]*</span>', "", html))


def save(person: Curator, event: Event, opened: dict, **typed):
    """``person`` saves the event's form as they opened it, with what they typed."""
    return person.post(f"/admin/events/{event.id}/edit", opened | typed)


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def shared_event(curator) -> tuple[Event, dict]:
    """An event both curators have open: what its edit form holds, version included."""
    curator.post("/admin/events/new", event_form())
    event = newest_event()
    page = curator.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    opened = form_values(page, f"/admin/events/{event.id}/edit")
    assert opened["version"] == "1" and opened["headline"] == "A new shaft is opened"
    return event, opened | {"action": "save"}


def test_the_later_of_two_saves_sees_both_versions_and_merges_them(curator, colleague, shared_event):
    event, opened = shared_event
    # Anna saves a new headline first.
    assert save(colleague, event, opened, headline="Anna's headline").status_code == 302
    before = revision_count()
    # The curator, still on version 1, changes the summary and saves.
    response = save(curator, event, opened, summary="My new summary.")
    html = page(response)
    assert response.status_code == 409
    assert "Someone else saved “Anna&#39;s headline” in the meantime" in html
    assert "The saved version is by anna" in html
    headline, summary = field_block(html, "headline"), field_block(html, "summary")
    # Both values of each field are on the page, the saved one and theirs, each with its own radio button.
    assert "Anna&#39;s headline" in visible(headline) and "A new shaft is opened" in visible(headline)
    assert "My new summary." in visible(summary)
    assert "The Central-Irmino mine opens a new shaft." in visible(summary)
    assert 'id="choose-headline-current"' in headline and 'id="choose-headline-mine"' in headline
    assert 'id="merge-body"' not in html  # only the fields that differ
    db.session.refresh(event)
    assert event.headline == "Anna's headline" and revision_count() == before  # nothing written

    merge = form_values(html, f"/admin/events/{event.id}/merge")
    assert merge["version"] == "2" and merge["mine-summary"] == "My new summary."
    merge |= {"choose-headline": "current", "choose-summary": "mine"}
    response = curator.post(f"/admin/events/{event.id}/merge", merge)
    assert response.status_code == 302
    db.session.refresh(event)
    assert (event.headline, event.summary) == ("Anna's headline", "My new summary.")  # no lost update
    assert event.body == "A *short* text." and event.sources == ["A mine history, 1960", "A newspaper, 1931"]
    latest = revisions.history(event)[0]
    assert (latest.username, latest.note) == ("curator", "Merged after a conflict")


def test_a_merged_text_can_be_written_by_hand(curator, colleague, shared_event):
    event, opened = shared_event
    save(colleague, event, opened, body="Anna wrote\nthis text.")
    html = page(save(curator, event, opened, body="I wrote this."))
    body = field_block(html, "body")
    assert 'id="choose-body-edit"' in body and re.search(r'<textarea[^>]*name="edit-body"', body)
    # The long text shows which words differ, marked for screen readers as well as by colour.
    assert '<mark class="diff__differs"><span class="visually-hidden">[only in the saved version: ' in body
    assert '<mark class="diff__differs"><span class="visually-hidden">[only in your version: ' in body
    assert "<del" not in body  # neither version is being deleted: they are alternatives
    merge = form_values(html, f"/admin/events/{event.id}/merge")
    assert merge["edit-body"] == "I wrote this."  # the merge box starts with their own text
    merge |= {"choose-body": "edit", "edit-body": "Anna wrote\nthis text, and I wrote this."}
    assert curator.post(f"/admin/events/{event.id}/merge", merge).status_code == 302
    db.session.refresh(event)
    assert event.body == "Anna wrote\nthis text, and I wrote this."


def test_a_field_left_unchosen_is_asked_again_with_every_choice_kept(curator, colleague, shared_event):
    event, opened = shared_event
    save(colleague, event, opened, headline="Anna's", confidence="Disputed")
    html = page(save(curator, event, opened, headline="Mine"))
    merge = form_values(html, f"/admin/events/{event.id}/merge") | {"choose-headline": "mine"}
    del merge["choose-confidence"]  # chosen for them (only Anna changed it); they unchose it
    before = revision_count()
    response = curator.post(f"/admin/events/{event.id}/merge", merge)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a version for 1 more field" in html and 'href="#choose-confidence-current"' in html
    assert re.search(r'id="choose-headline-mine" value="mine"[^>]*checked', html)  # their choice is kept
    assert 'name="mine-headline" value="Mine"' in html  # and so is everything they typed
    db.session.refresh(event)
    assert event.headline == "Anna's" and revision_count() == before


def test_a_merge_made_stale_by_a_third_save_shows_the_conflict_again(curator, colleague, shared_event):
    event, opened = shared_event
    save(colleague, event, opened, headline="Anna's first")
    html = page(save(curator, event, opened, headline="Mine"))
    merge = form_values(html, f"/admin/events/{event.id}/merge") | {"choose-headline": "mine"}
    # Anna saves again while the curator is deciding.
    save(colleague, event, opened, headline="Anna's second", version="2")
    response = curator.post(f"/admin/events/{event.id}/merge", merge)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Anna&#39;s second" in visible(field_block(html, "headline"))
    assert 'name="mine-headline" value="Mine"' in html
    db.session.refresh(event)
    assert event.headline == "Anna's second"
    assert form_values(html, f"/admin/events/{event.id}/merge")["version"] == "3"


def test_a_merged_value_that_breaks_a_rule_goes_back_to_the_form(curator, colleague, shared_event):
    event, opened = shared_event
    save(colleague, event, opened, headline="Anna's")
    html = page(save(curator, event, opened, headline="Mine"))
    merge = form_values(html, f"/admin/events/{event.id}/merge")
    response = curator.post(
        f"/admin/events/{event.id}/merge", merge | {"choose-headline": "edit", "edit-headline": "x" * 121}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Keep the headline to 120 characters or fewer." in html and 'value="' + "x" * 121 + '"' in html
    assert re.search(r'name="version" type="hidden" value="2"', html)  # saving it from here is not stale
    db.session.refresh(event)
    assert event.headline == "Anna's"


def test_a_chosen_image_must_be_chosen_again_and_the_page_says_so(curator, colleague, shared_event):
    event, opened = shared_event
    save(colleague, event, opened, headline="Anna's")
    buffer = BytesIO()
    Image.new("RGB", (800, 600), (90, 80, 70)).save(buffer, "PNG")
    chosen = (BytesIO(buffer.getvalue()), "p.png")
    html = page(save(curator, event, opened, headline="Mine", image_alt="A pithead", image=chosen))
    assert "You had chosen a new image. It was not saved" in html
    assert 'type="file" id="image" name="image"' in html and 'enctype="multipart/form-data"' in html
    assert 'id="merge-image-alt"' in html  # the alt text they typed is one of the differences
    merge = form_values(html, f"/admin/events/{event.id}/merge")
    merge |= {"choose-headline": "current", "choose-image-alt": "mine"}
    merge["image"] = (BytesIO(buffer.getvalue()), "p.png")
    assert curator.post(f"/admin/events/{event.id}/merge", merge).status_code == 302
    db.session.refresh(event)
    assert event.headline == "Anna's" and event.image is not None and event.image_alt == "A pithead"


def test_a_tampered_merge_changes_nothing(curator, shared_event):
    event, _opened = shared_event
    before = revision_count()
    response = curator.post(f"/admin/events/{event.id}/merge", {"mine-headline": "", "version": "1"})
    assert response.status_code == 422
    assert revision_count() == before


def test_two_curators_editing_one_era_merge_without_losing_either_change(curator, colleague):
    era = db.session.scalar(select(Era).where(Era.slug == FIXTURE.mine_era))
    page = curator.get(f"/admin/eras/{era.id}/edit").get_data(as_text=True)
    opened = form_values(page, f"/admin/eras/{era.id}/edit")
    assert colleague.post(f"/admin/eras/{era.id}/edit", opened | {"name": "Down the mine"}).status_code == 302
    response = curator.post(f"/admin/eras/{era.id}/edit", opened | {"description": "Years underground."})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Down the mine" in visible(field_block(html, "name"))
    assert "Years underground." in visible(field_block(html, "description"))
    merge = form_values(html, f"/admin/eras/{era.id}/merge")
    merge |= {"choose-name": "current", "choose-description": "mine"}
    assert curator.post(f"/admin/eras/{era.id}/merge", merge).status_code == 302
    db.session.refresh(era)
    assert (era.name, era.description) == ("Down the mine", "Years underground.")
    assert revisions.history(era)[0].note == "Merged after a conflict"


def test_the_page_says_who_changed_what_since_the_form_was_opened_and_chooses_the_side_that_did(
    curator, colleague, shared_event
):
    event, opened = shared_event
    save(colleague, event, opened, headline="Anna's headline", body="A *short* text, checked.")
    html = page(save(curator, event, opened, summary="My new summary.", body="A *long* text."))
    meanwhile = re.search(r'<ul class="meanwhile">(.*?)</ul>', html, re.DOTALL).group(1)
    assert "anna" in meanwhile and "Headline" in meanwhile and "Text" in meanwhile
    assert "Summary" not in meanwhile  # the curator's own change is not hers
    chosen = form_values(html, f"/admin/events/{event.id}/merge")
    # Only Anna changed the headline, only the curator the summary: chosen for them, and said so.
    assert chosen["choose-headline"] == "current" and chosen["choose-summary"] == "mine"
    assert "You did not change this" in field_block(html, "headline")
    assert "Only you changed this" in field_block(html, "summary")
    # Both changed the text, different words of it: the merge box starts with both changes.
    assert chosen["choose-body"] == "edit" and chosen["edit-body"] == "A *long* text, checked."
    assert "You both changed this, in different places" in field_block(html, "body")
    assert curator.post(f"/admin/events/{event.id}/merge", chosen).status_code == 302
    db.session.refresh(event)
    assert (event.headline, event.summary, event.body) == (
        "Anna's headline",
        "My new summary.",
        "A *long* text, checked.",
    )


def test_changes_to_the_same_words_are_left_for_the_curator_to_choose(curator, colleague, shared_event):
    event, opened = shared_event
    save(colleague, event, opened, headline="Anna's headline")
    html = page(save(curator, event, opened, headline="My headline"))
    assert "You both changed this: choose one" in field_block(html, "headline")
    assert "choose-headline" not in form_values(html, f"/admin/events/{event.id}/merge")


def test_an_era_chosen_meanwhile_is_chosen_for_the_curator_too(curator, colleague, shared_event):
    event, opened = shared_event
    other = db.session.scalar(select(Era).where(Era.slug == FIXTURE.return_era))
    save(colleague, event, opened, era=str(other.id))
    html = page(save(curator, event, opened, summary="My new summary."))
    assert form_values(html, f"/admin/events/{event.id}/merge")["choose-era"] == "current"
    assert "You did not change this" in field_block(html, "era")
