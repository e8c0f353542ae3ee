"""An image whose file went missing: flagged in the admin, left out on the kiosk and from the offline copy."""

from __future__ import annotations

from pathlib import Path

from kiosk.content import media
from kiosk.extensions import db
from kiosk.models import Event, Status

from ..admin.conftest import Curator
from ..helpers import attach_image, make_user


def published_with_lost_image(app) -> tuple[Event, str]:
    event = db.session.scalar(db.select(Event).where(Event.status == Status.PUBLISHED).order_by(Event.id))
    image = attach_image(event)
    key = image.key
    for path in media.paths(key):
        path.unlink()
    return event, key


def test_the_kiosk_shows_the_event_without_the_lost_image(app, client):
    event, key = published_with_lost_image(app)
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get(f"/events/{event.slug}", headers=headers)
        assert page.status_code == 200
        shown = page.get_data(as_text=True)
        # The panel shows what it would without an image: this event's place on the map.
        assert key not in shown and 'class="event__image"' not in shown and "event__figure--drawing" in shown
    assert key not in client.get("/").get_data(as_text=True)


def test_the_offline_copy_does_not_list_the_lost_image(app, client):
    kept = attach_image(db.session.get(Event, 2)).key
    _event, lost = published_with_lost_image(app)
    listed = client.get("/offline.json").json["media"]
    assert f"/media/{kept}-large.webp" in listed and not any(lost in url for url in listed)


def test_the_admin_flags_the_lost_image_in_the_list_and_on_the_edit_page(app, server):
    event, _key = published_with_lost_image(app)
    make_user("curator")
    person = Curator(server.test_client())
    assert person.sign_in().status_code == 302
    listing = person.get("/admin/events", query_string={"q": event.headline}).get_data(as_text=True)
    assert "Image file missing" in listing
    edit = person.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert 'id="image-file-missing"' in edit and "Choose the image again" in edit
    assert not Path(app.config["MEDIA_DIR"], f"{event.image.key}-large.webp").exists()
