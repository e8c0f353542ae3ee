"""One URL, two shapes: the full page for a normal request, the fragment for an htmx request."""

from __future__ import annotations

from flask import make_response, render_template

from ..extensions import htmx


def wants_fragment() -> bool:
    return bool(htmx) and not htmx.boosted


def page_or_fragment(page: str, fragment: str, status: int = 200, **context):
    """Render ``fragment`` for htmx requests and ``page`` (which includes it) otherwise."""
    template = fragment if wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
