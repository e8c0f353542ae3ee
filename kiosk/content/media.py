"""Uploaded images: checked, decoded with Pillow limited to three formats, re-encoded, stored internally.

Re-encoding is the point: the stored files hold pixels only, so EXIF (camera, GPS), colour-profile tricks and
anything smuggled after the image data (a polyglot HTML or script) never reach the kiosk. Files are named
after a random key, never after the curator's file name, and are served by ``timeline.media``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps

from ..extensions import db
from ..models import Media

SIZES = {"large": (1920, 1080), "thumb": (480, 480)}
WEBP_QUALITY = 82
# 40 megapixels is more than any camera a curator will use, and about 160 MB once decoded.
DEFAULT_MAX_PIXELS = 40_000_000


class ImageRejected(ValueError):
    """An upload we will not store; the message says why, in words for curators."""


@dataclass
class PreparedImage:
    """An accepted image, re-encoded in memory; nothing is written until ``store``."""

    files: dict[str, bytes]
    width: int
    height: int
    checksum: str


def sniff(head: bytes) -> str | None:
    """The format the file's first bytes announce (its extension and declared type are ignored)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _max_bytes() -> int:
    return current_app.config["MAX_UPLOAD_BYTES"]


def _max_pixels() -> int:
    return current_app.config.get("MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS)


def too_large_message() -> str:
    megabytes = _max_bytes() / (1024 * 1024)
    return _(
        "That file is too large: images can be at most %(size)s MB. Save it smaller and choose it again.",
        size=f"{megabytes:g}",
    )


def _too_many_pixels() -> str:
    return _(
        "It has too many pixels to be shown safely: use a copy of at most %(megapixels)s megapixels.",
        megapixels=_max_pixels() // 1_000_000,
    )


def _decode(data: bytes, kind: str) -> Image.Image:
    """Decode fully (truncated files fail here), refusing anything with too many pixels before decoding."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(BytesIO(data), formats=[kind])
        width, height = image.size
        if width * height > _max_pixels():
            raise ImageRejected(
                _("That image is %(width)s × %(height)s pixels.", width=width, height=height)
                + " "
                + _too_many_pixels()
            )
        image.load()
    return image


def _pixels_only(image: Image.Image) -> Image.Image:
    """Upright, in a mode WebP takes, with no metadata carried along."""
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    clean = image.convert("RGBA" if has_alpha else "RGB")
    clean.info = {}
    return clean


def _encode(image: Image.Image, box: tuple[int, int]) -> tuple[bytes, tuple[int, int]]:
    copy = image.copy()
    copy.thumbnail(box, Image.Resampling.LANCZOS)
    buffer = BytesIO()
    copy.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue(), copy.size


def prepare(stream: BinaryIO) -> PreparedImage:
    """Check and re-encode an upload. Raises ImageRejected with a reason; never writes anything."""
    data = stream.read(_max_bytes() + 1)
    if len(data) > _max_bytes():
        raise ImageRejected(too_large_message())
    if not data:
        raise ImageRejected(_("That file is empty. Choose the image again."))
    kind = sniff(data[:16])
    if kind is None:
        raise ImageRejected(
            _(
                "That file is not a JPEG, PNG or WebP image. "
                "Other kinds of file (SVG, GIF, HEIC, PDF…) cannot be used."
            )
        )
    try:
        image = _pixels_only(_decode(data, kind))
        large, (width, height) = _encode(image, SIZES["large"])
        thumb, _thumb_size = _encode(image, SIZES["thumb"])
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRejected(_too_many_pixels()) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        # Pillow reports damaged and truncated files with these.
        raise ImageRejected(
            _(
                "That image could not be read: the file may be damaged or incomplete. "
                "Export it again and retry."
            )
        ) from error
    return PreparedImage(
        files={"large": large, "thumb": thumb},
        width=width,
        height=height,
        checksum=hashlib.sha256(data).hexdigest(),
    )


def _media_dir() -> Path:
    return Path(current_app.config["MEDIA_DIR"])


def paths(key: str) -> list[Path]:
    return [_media_dir() / f"{key}-{size}.webp" for size in SIZES]


def _write_private(path: Path, content: bytes) -> None:
    """Write ``content`` readable by the kiosk's user only; on any failure (a full disk) nothing is left."""
    partial = path.with_suffix(".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(partial, path)  # a half-written file never has the served name
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def store(prepared: PreparedImage) -> Media:
    """Write the files under a new random key and stage their Media row (the caller commits).

    All or nothing: when one file cannot be written (a full disk), none is left behind.
    """
    folder = _media_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    written = []
    try:
        for size, content in prepared.files.items():
            final = folder / f"{key}-{size}.webp"
            _write_private(final, content)
            written.append(final)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    media = Media(key=key, width=prepared.width, height=prepared.height, checksum=prepared.checksum)
    db.session.add(media)
    return media


def is_present(media: Media | None) -> bool:
    """Whether the image's file is on disk (a restore without media, a folder cleaned by hand…)."""
    return media is not None and paths(media.key)[0].is_file()


def discard(media: Media | None) -> None:
    """Remove the files of a Media row whose transaction did not commit."""
    if media is None:
        return
    for path in paths(media.key):
        path.unlink(missing_ok=True)
