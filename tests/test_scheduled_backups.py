"""Scheduled backups on a fake clock: made when due (daily by default), verified by restoring them into a
scratch folder, pruned to 7 daily and 4 weekly, refused without room, written to another folder when
configured, and reported to the admins (the last backup, its size, whether it verified, a warning after
2 days without one)."""

from __future__ import annotations

import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.extensions import db
from kiosk.interchange import backup, scheduled_backups
from kiosk.web import failures

from .conftest import make_app

pytestmark = pytest.mark.sqlite_only  # the schedule backs up SQLite; PostgreSQL has pg_dump

START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def scheduled_app(data_dir, tmp_path):
    destination = tmp_path / "other-disk" / "kiosk-backups"
    app = make_app(data_dir, BACKUP_DIR=str(destination))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(failures._fallback_folder(data_dir), ignore_errors=True)


def scheduled(app) -> list[str]:
    with app.app_context():
        return sorted(name for name, _made in scheduled_backups.scheduled_backups(backup.backups_folder()))


def test_a_backup_is_made_once_a_day_outside_the_data_folder_and_verified(scheduled_app, data_dir, tmp_path):
    status = scheduled_backups.run(scheduled_app, now=START)
    assert status is not None
    made = status["last_success"]
    assert made["verified"] is True and made["name"] == "scheduled-2026-03-02T030000Z"
    folder = tmp_path / "other-disk" / "kiosk-backups" / made["name"]
    assert Path(made["folder"]) == folder and (folder / backup.MANIFEST).is_file()
    assert made["bytes"] == sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    assert made["events"] > 0 and not (data_dir / "backups").exists()
    assert not list(folder.parent.glob(".verify-*"))  # the scratch copy is gone
    for hours in (1, 12, 23):  # not due again within the day
        assert scheduled_backups.run(scheduled_app, now=START + timedelta(hours=hours)) is None
    assert scheduled_backups.run(scheduled_app, now=START + timedelta(hours=24)) is not None
    assert len(scheduled(scheduled_app)) == 2


def test_seven_daily_and_four_weekly_backups_are_kept(scheduled_app):
    for day in range(60):
        scheduled_backups.run(scheduled_app, now=START + timedelta(days=day))
    kept = scheduled(scheduled_app)
    last = START + timedelta(days=59)
    daily = {f"scheduled-{(last - timedelta(days=back)).strftime('%Y-%m-%dT%H%M%SZ')}" for back in range(7)}
    assert daily <= set(kept)
    weekly = [name for name in kept if name not in daily]
    # The 7 days span two ISO weeks; the newest of each of the two weeks before them is kept as well.
    assert weekly == ["scheduled-2026-04-12T030000Z", "scheduled-2026-04-19T030000Z"]
    assert len(kept) == 9


def test_the_retention_rule_keeps_the_newest_of_each_day_and_week():
    made = [(f"b{hour}", START + timedelta(hours=hour * 8)) for hour in range(3 * 21)]  # 3 a day, 3 weeks
    pruned = scheduled_backups.to_prune(made, keep_daily=2, keep_weekly=3)
    kept = {name for name, _ in made} - set(pruned)
    newest = max(made, key=lambda item: item[1])
    by_name = dict(made)
    assert newest[0] in kept
    assert len({by_name[name].date() for name in kept}) == len(kept)  # never two on one day
    assert len(kept) == 4  # the last 2 days, and the newest of the 2 weeks before the newest week


def test_without_room_nothing_is_written_and_admins_are_told(scheduled_app, data_dir, monkeypatch):
    real = shutil.disk_usage

    def nearly_full(path):
        return real(path)._replace(free=1_000_000)

    monkeypatch.setattr(shutil, "disk_usage", nearly_full)
    status = scheduled_backups.run(scheduled_app, now=START)
    assert "last_success" not in status
    assert (
        "not enough room" in status["last_failure"]["reason"]
        and "1,000,000 bytes free" in status["last_failure"]["reason"]
    )
    assert scheduled(scheduled_app) == []
    [incident] = failures.incidents(data_dir, now=START)
    assert incident["kind"] == scheduled_backups.BACKUP_FAILED
    # Tried again an hour later, not every few minutes.
    assert scheduled_backups.run(scheduled_app, now=START + timedelta(minutes=30)) is None
    monkeypatch.setattr(shutil, "disk_usage", real)
    again = scheduled_backups.run(scheduled_app, now=START + timedelta(hours=1, minutes=1))
    assert again["last_success"]["verified"] and "last_failure" not in again


def test_a_backup_that_does_not_verify_is_removed_and_reported(scheduled_app, monkeypatch):
    real_verify = backup.verify

    def damaged(folder):
        (Path(folder) / backup.DATABASE).write_bytes(b"damaged on the way to the disk")
        return real_verify(folder)

    monkeypatch.setattr(backup, "verify", damaged)
    status = scheduled_backups.run(scheduled_app, now=START)
    assert "did not verify" in status["last_failure"]["reason"]
    assert "does not match its checksum" in status["last_failure"]["reason"]
    assert scheduled(scheduled_app) == []


def test_the_admin_warns_when_no_backup_succeeded_for_two_days(scheduled_app):
    scheduled_backups.run(scheduled_app, now=START)
    status = scheduled_backups.read_status(scheduled_app.config["DATA_DIR"])
    assert not scheduled_backups.overdue(status, START + timedelta(days=2))
    assert scheduled_backups.overdue(status, START + timedelta(days=2, minutes=1))
    assert not scheduled_backups.overdue({}, START)  # a new kiosk, before its first backup is due
    assert scheduled_backups.overdue({"last_attempt_at": START.isoformat()}, START)


def test_only_one_of_several_workers_makes_the_backup(scheduled_app):
    results = []
    barrier = threading.Barrier(4)

    def worker():
        barrier.wait()
        results.append(scheduled_backups.run(scheduled_app, now=START))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is not None for result in results) == 1
    assert len(scheduled(scheduled_app)) == 1


def test_the_timer_checks_on_its_clock_and_can_be_turned_off(scheduled_app, data_dir):
    naps = []
    woke = threading.Event()

    def fake_sleep(seconds):
        naps.append(seconds)
        if len(naps) > 1:
            woke.set()
            threading.Event().wait()  # the daemon thread sleeps for good from here

    scheduled_backups.start_timer(scheduled_app, check_seconds=300, sleep=fake_sleep)
    assert woke.wait(30)
    assert all(240 <= nap <= 360 for nap in naps)
    assert scheduled_backups.read_status(data_dir)["last_success"]["verified"]
    off = make_app(data_dir, BACKUP_HOURS=0)
    assert scheduled_backups.policy_of(off) is None and scheduled_backups.run(off, now=START) is None
    with off.app_context():
        db.engine.dispose()
