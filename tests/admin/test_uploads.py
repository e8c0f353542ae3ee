"""Images through the event form: good ones are re-encoded and shown; hostile ones get a clear message and
leave nothing behind (no Media row, no file)."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import Event, Media

from ..helpers import photo
from .conftest import event_form


def png_bomb(side: int = 30_000) -> bytes:
    """A real decompression bomb: a tiny PNG that would decode to side² pixels (here 900 million)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * (side // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def noise_png(side: int) -> bytes:
    import os

    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def media_files(app) -> list[Path]:
    folder = Path(app.config["MEDIA_DIR"])
    return sorted(folder.iterdir()) if folder.exists() else []


def stored_media(app) -> tuple[int, list[Path]]:
    """The images stored: their rows, and their files (the timeline's own photograph to begin with)."""
    return db.session.scalar(select(func.count(Media.id))), media_files(app)


def upload(curator, content: bytes, filename: str, **fields):
    return curator.post(
        "/admin/events/new",
        event_form(image_alt="A miner with a lamp", **fields) | {"image": (BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_a_photo_is_re_encoded_to_webp_and_shown_on_the_kiosk(curator, client, app):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam Ltd"  # camera maker
    exif[0x8825] = {2: (55.0, 45.0, 0.0)}  # GPS latitude
    response = upload(curator, photo(size=(3000, 2000), exif=exif.tobytes()), "shaft.jpg", status="published")
    assert response.status_code == 302
    event = db.session.scalar(select(Event).order_by(Event.id.desc()))
    assert event.image is not None and event.image_alt == "A miner with a lamp"
    large, thumb = (
        Path(app.config["MEDIA_DIR"]) / f"{event.image.key}-{size}.webp" for size in ("large", "thumb")
    )
    with Image.open(large) as stored:
        assert stored.format == "WEBP" and stored.size == (1620, 1080)  # fits 1920×1080
        assert not stored.getexif() and "exif" not in stored.info
    assert b"SecretCam" not in large.read_bytes() and b"SecretCam" not in thumb.read_bytes()
    with Image.open(thumb) as small:
        assert max(small.size) == 480

    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f'src="/media/{event.image.key}-large.webp"' in page and 'alt="A miner with a lamp"' in page
    served = client.get(f"/media/{event.image.key}-large.webp")
    served.close()
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert served.cache_control.max_age >= 365 * 24 * 3600
    assert "shaft" not in event.image.key  # stored under an internal name


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "logo.svg",
            "not a JPEG, PNG or WebP",
        ),
        (b"<html><script>alert(1)</script></html>", "holiday.jpg", "not a JPEG, PNG or WebP"),
        (b"GIF89a" + b"\x00" * 64, "anim.gif", "not a JPEG, PNG or WebP"),
        (photo()[:1500], "cut-off.jpg", "damaged or incomplete"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "fake.png", "damaged or incomplete"),
        (b"", "empty.jpg", "That file is empty"),
    ],
    ids=["svg", "html-renamed-jpg", "gif", "truncated-jpeg", "broken-png", "empty"],
)
def test_hostile_or_broken_files_are_refused_and_nothing_is_stored(curator, app, content, filename, message):
    events_before, media_before = db.session.scalar(select(func.count(Event.id))), stored_media(app)
    response = upload(curator, content, filename)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'id="image-error"' in html
    assert db.session.scalar(select(func.count(Event.id))) == events_before
    assert stored_media(app) == media_before


@pytest.mark.parametrize("side", [8_000, 30_000], ids=["over-our-cap", "over-pillows-own-limit"])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(curator, app, side):
    bomb = png_bomb(side)
    assert len(bomb) < 200_000  # small on disk, 64 or 900 megapixels once decoded
    before = stored_media(app)
    response = upload(curator, bomb, "innocent.png")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "too many pixels to be shown safely: use a copy of at most 40 megapixels" in html
    assert stored_media(app) == before


@pytest.fixture
def small_limit(server):
    """A 100 kB upload limit, so oversize files stay small in the test."""
    server.config["MAX_UPLOAD_BYTES"] = 100_000
    server.config["MAX_CONTENT_LENGTH"] = 300_000


def test_a_file_over_the_configured_limit_gets_a_message_on_the_form(curator, app, small_limit):
    large = noise_png(200)  # about 120 kB
    assert 100_000 < len(large) < 300_000
    before = stored_media(app)
    response = upload(curator, large, "big.png", headline="Kept headline")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "That file is too large" in html
    assert 'value="Kept headline"' in html  # what was typed is still there
    assert stored_media(app) == before


def test_a_request_over_the_size_limit_gets_a_clear_page(curator, app, small_limit):
    before = stored_media(app)
    response = upload(curator, noise_png(400), "huge.png")  # about 480 kB: over MAX_CONTENT_LENGTH
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "That file is too large" in html and "Nothing was saved." in html
    assert stored_media(app) == before


def test_alt_text_is_required_with_an_image(curator, app):
    before = stored_media(app)
    response = curator.post(
        "/admin/events/new",
        event_form() | {"image": (BytesIO(photo()), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Describe the image in a sentence" in response.get_data(as_text=True)
    assert stored_media(app) == before


def test_replacing_and_removing_an_image(curator, app):
    upload(curator, photo(), "first.jpg")
    event = db.session.scalar(select(Event).order_by(Event.id.desc()))
    first_key = event.image.key
    form = event_form(image_alt="Second", version=str(event.version), slug=event.slug)
    curator.post(
        f"/admin/events/{event.id}/edit", form | {"image": (BytesIO(photo("PNG")), "second.png")},
        content_type="multipart/form-data",
    )  # fmt: skip
    db.session.refresh(event)
    assert event.image.key != first_key and event.image_alt == "Second"

    edit_page = curator.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert "Remove image" in edit_page
    # With the image kept, its alt text stays required.
    kept = curator.post(
        f"/admin/events/{event.id}/edit", form | {"image_alt": "", "version": str(event.version)}
    )
    assert kept.status_code == 422 and "Describe the image" in kept.get_data(as_text=True)
    removed = curator.post(
        f"/admin/events/{event.id}/edit",
        form | {"image_alt": "", "remove_image": "y", "version": str(event.version)},
    )
    assert removed.status_code == 302
    db.session.refresh(event)
    assert event.image is None
