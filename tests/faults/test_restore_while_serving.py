"""Restoring a backup while gunicorn serves under load (what the admin's *Restore…* does): no visitor is
refused or sees an error, and every worker shows the restored content at once, without reopening its
database (the backup is written into the live file in one transaction; the content version moves on)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select, update

from kiosk.content import published
from kiosk.extensions import db
from kiosk.interchange import backup
from kiosk.models import Event

from ..conftest import make_app
from .conftest import Load, get, wait

pytestmark = [pytest.mark.gunicorn, pytest.mark.sqlite_only]

CHANGED = "Changed after the backup was made"


def front_page(server) -> str:
    return get(server.url + "/")[1].decode()


def test_a_restore_under_load_refuses_nobody_and_every_worker_shows_it(gunicorn, data_dir, tmp_path):
    app = make_app(data_dir)
    server = gunicorn(workers=2)
    with app.app_context():
        backup.backup(tmp_path / "before", record=False)
        event = db.session.scalar(select(Event).where(Event.status == "published").order_by(Event.id))
        original = event.headline
        db.session.execute(update(Event).where(Event.id == event.id).values(headline=CHANGED))
        published.bump_version(db.session.connection())
        db.session.commit()
    wait(lambda: CHANGED in front_page(server), timeout=20, what="the change never reached the page")
    with Load(server.url, visitors=3) as load:
        load.wait_for(10)
        with app.app_context():
            result = backup.restore(tmp_path / "before", force=True, by="test")
            db.engine.dispose()
        restored = time.monotonic()
        load.wait_for(20)
    assert result.kept_previous is not None and (result.kept_previous / "kiosk.sqlite3").is_file()
    assert load.failures == [] and {status for _started, _took, status in load.answers} == {200}
    # Every page asked for after the restore, from whichever worker answered, shows the backup's content.
    pages = [front_page(server) for _ in range(12)]
    assert all(CHANGED not in page and original in page for page in pages)
    late = [took for started, took, _status in load.answers if started > restored]
    assert late, "no answers after the restore"
