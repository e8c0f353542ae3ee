"""Static files under content-hashed names, pre-compressed, served by WhiteNoise with immutable caching.

Our own scripts and stylesheets (the kiosk's, the admin's, the service worker) are first built from
``frontend/`` into ``static/build/`` by esbuild (``frontend/build.mjs``, run by ``make setup`` and
``make assets``).
At start-up (and by ``flask assets``, which ``make assets`` runs) every file in the static folder gets a
copy named after its content in ``static/dist/`` (``css/kiosk.css`` -> ``dist/css/kiosk.3f2a9c1d04b7.css``)
with ``.gz`` and ``.br`` versions beside it. ``url_for('static', filename=...)`` then names the hashed
copy, so a browser may keep it for a year and a new deploy still reaches every kiosk at once.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from pathlib import Path

import brotli
import click
from flask import Flask, current_app
from whitenoise import WhiteNoise

BUILD_FOLDER = "dist"
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".html", ".map"}
HASH_LENGTH = 12


def _write_atomically(target: Path, data: bytes) -> None:
    """Several workers may build at once: each writes a temporary file and renames it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)


def _source_files(static_folder: Path):
    build = static_folder / BUILD_FOLDER
    for path in sorted(static_folder.rglob("*")):
        if path.is_file() and build not in path.parents and not path.name.startswith("."):
            yield path


def build(static_folder: Path) -> dict[str, str]:
    """Write any missing hashed and compressed copies; return {name: hashed name} for url_for."""
    manifest = {}
    for source in _source_files(static_folder):
        data = source.read_bytes()
        name = source.relative_to(static_folder)
        digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
        hashed = name.with_name(f"{name.stem}.{digest}{name.suffix}")
        target = static_folder / BUILD_FOLDER / hashed
        if not target.exists():
            if source.suffix in COMPRESSIBLE:
                _write_atomically(target.with_name(target.name + ".gz"), gzip.compress(data, 9, mtime=0))
                _write_atomically(target.with_name(target.name + ".br"), brotli.compress(data, quality=11))
            _write_atomically(target, data)
        manifest[name.as_posix()] = f"{BUILD_FOLDER}/{hashed.as_posix()}"
    return manifest


def build_id(manifest: dict[str, str], template_folder: Path) -> str:
    """Changes whenever a static file or a template does: part of every page's ETag."""
    digest = hashlib.sha256(repr(sorted(manifest.items())).encode())
    for template in sorted(template_folder.rglob("*")):
        if template.is_file():
            digest.update(template.read_bytes())
    return digest.hexdigest()[:HASH_LENGTH]


def _is_hashed(_path: str, url: str) -> bool:
    return url.startswith(f"/static/{BUILD_FOLDER}/")


def _static_headers(headers, _path: str, _url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"


class StaticFiles(WhiteNoise):
    """The request stack's layer for the static folder: a hashed copy is immutable for a year and its
    pre-compressed twin chosen by Accept-Encoding; any other static file may be kept for an hour."""

    FOREVER = 365 * 24 * 3600  # a year, the usual "immutable" lifetime (WhiteNoise's own is ten)

    def __init__(self, wsgi_app, app: Flask):
        super().__init__(
            wsgi_app,
            root=static_folder(app),
            prefix="static/",
            max_age=3600,
            allow_all_origins=False,
            immutable_file_test=_is_hashed,
            add_headers_function=_static_headers,
        )


@click.command("assets")
def assets_command() -> None:
    """Write the hashed, compressed copies of the static files (done at start-up too)."""
    manifest = build(static_folder(current_app))
    click.echo(f"{len(manifest)} static files hashed and compressed into static/{BUILD_FOLDER}/.")


def _folder(configured: str | os.PathLike[str] | None) -> Path:
    if configured is None:  # create_app always sets both folders
        raise RuntimeError("The app has no static or template folder.")
    return Path(configured)


def static_folder(app: Flask) -> Path:
    return _folder(app.static_folder)


# What frontend/build.mjs (esbuild, run by make setup and make assets) writes into static/ that every
# page needs: the kiosk's script and styles, the admin's script, the service worker.
FRONTEND_BUILD = ("build/js/kiosk.js", "build/css/kiosk.css", "build/js/admin.js", "build/js/sw.js")


def init_app(app: Flask) -> None:
    static_files = static_folder(app)
    manifest = build(static_files)
    missing = [name for name in FRONTEND_BUILD if name not in manifest]
    if missing:  # the pages still work, without those scripts or styles: say why
        app.logger.error(
            "The front-end build is missing (%s): run `make assets` (node frontend/build.mjs).",
            ", ".join(missing),
        )
    app.config["BUILD_ID"] = build_id(manifest, _folder(app.template_folder))

    @app.url_defaults
    def _hashed_static_names(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    app.cli.add_command(assets_command)
