"""Exports: our lossless JSON, TimelineJS JSON and the TimelineJS spreadsheet (CSV).

Every export is deterministic: the same content gives the same bytes (stable order, sorted keys, UTF-8
without escapes, one trailing newline), so two exports can be compared with ``cmp``.
Events in the trash are not exported.
"""

from __future__ import annotations

import csv
import io
import json

from . import kiosk_json, timelinejs

FORMATS = ("json", "timelinejs", "csv")


def _json_bytes(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def export_json() -> bytes:
    return _json_bytes(kiosk_json.dump())


def _one_language(locale: str | None) -> dict:
    """TimelineJS has one language per timeline: the default one, or the one asked for."""
    document = kiosk_json.dump()
    return kiosk_json.in_language(document, locale) if locale else document


def export_timelinejs(locale: str | None = None) -> bytes:
    return _json_bytes(timelinejs.to_document(_one_language(locale)))


def export_csv(locale: str | None = None) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(timelinejs.CSV_COLUMNS)
    writer.writerows(timelinejs.to_rows(_one_language(locale)))
    return out.getvalue().encode("utf-8")


def export(file_format: str, locale: str | None = None) -> bytes:
    """The whole timeline in ``file_format`` (one of FORMATS); TimelineJS formats in ``locale`` if given
    (our JSON always carries every language)."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}; choose one of {', '.join(FORMATS)}")
    if file_format == "json":
        return export_json()
    return export_timelinejs(locale) if file_format == "timelinejs" else export_csv(locale)
