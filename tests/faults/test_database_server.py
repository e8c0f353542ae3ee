"""A database server that drops its connections (a restart, an administrator, a failover) costs visitors
nothing: the next request opens new ones."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from kiosk.extensions import db

from ..fixture_timeline import FIXTURE

pytestmark = pytest.mark.postgres

HTMX = {"HX-Request": "true"}
EVENT = f"/events/{FIXTURE.record_event}"


def drop_every_connection_of_the_app() -> int:
    engine = create_engine(db.engine.url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        engine.dispose()


def test_visitors_are_served_after_the_server_dropped_every_connection(client):
    page = client.get(EVENT, headers=HTMX).get_data()
    db.session.remove()  # the test's own session: a server's is removed after every request
    assert drop_every_connection_of_the_app() >= 1  # the version reader's own among them
    for _ in range(3):  # rendered by Flask after the failed read, then replayed
        response = client.get(EVENT, headers=HTMX)
        assert response.status_code == 200 and response.get_data() == page
    assert client.get("/healthz").json["status"] == "ok"
