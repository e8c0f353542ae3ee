"""Moving content in and out of the kiosk: our JSON format, TimelineJS files, imports, exports and backups.

- ``kiosk_json``: our own JSON document (the default content, exports, imports).
- ``timelinejs``: TimelineJS JSON and the TimelineJS spreadsheet (CSV), both ways.
- ``importers`` / ``exporters``: reading any of those into the database, writing them out.
- ``staged_imports``: uploads waiting for a curator's confirmation.
- ``backup``: consistent snapshots of the database and media, and restoring them.

See docs/interchange-format.md.
"""
