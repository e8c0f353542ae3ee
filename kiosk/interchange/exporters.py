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


def export_timelinejs() -> bytes:
    return _json_bytes(timelinejs.to_document(kiosk_json.dump()))


def export_csv() -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(timelinejs.CSV_COLUMNS)
    writer.writerows(timelinejs.to_rows(kiosk_json.dump()))
    return out.getvalue().encode("utf-8")


def export(file_format: str) -> bytes:
    """The whole timeline in ``file_format`` (one of FORMATS)."""
    exporters = {"json": export_json, "timelinejs": export_timelinejs, "csv": export_csv}
    if file_format not in exporters:
        raise ValueError(f"unknown export format {file_format!r}; choose one of {', '.join(FORMATS)}")
    return exporters[file_format]()
