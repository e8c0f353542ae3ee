"""Settings, read from environment variables prefixed ``KIOSK_`` with safe defaults.

All data (database, media, the generated secret key) lives in ``KIOSK_DATA_DIR``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingInvalid(RuntimeError):
    """A KIOSK_ setting the kiosk cannot start with; the message names it and says what is wrong
    (`make run` prints it as one sentence, kiosk/prepare.py)."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"KIOSK_{name}", default)


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    if value in (None, ""):
        return default
    try:
        return int(value)  # type: ignore[arg-type]
    except ValueError:
        raise SettingInvalid(f"KIOSK_{name} must be a whole number, not {value!r}") from None


def data_dir() -> Path:
    return Path(_env("DATA_DIR") or PROJECT_ROOT / "instance").resolve()


def _secret_key(folder: Path) -> str:
    """Use KIOSK_SECRET_KEY, or a key generated once and kept in the data folder."""
    configured = _env("SECRET_KEY")
    if configured:
        return configured
    key_file = folder / "secret_key"
    if not key_file.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def database_url(folder: Path) -> str:
    return _env("DATABASE_URL") or f"sqlite:///{folder / 'kiosk.sqlite3'}"


def _trusted_proxies() -> int:
    """How many reverse proxies in front of the kiosk may say who the visitor is (X-Forwarded-For)."""
    return max(_env_int("TRUSTED_PROXIES", 0), 0)


def load_settings() -> dict:
    folder = data_dir()
    # Only the kiosk's own user may read its data (the database holds password hashes).
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return {
        "DATA_DIR": str(folder),
        "MEDIA_DIR": str(folder / "media"),
        # Audio mode's spoken clips (kiosk/speech), and how fast the voice speaks (words per minute).
        "SPEECH_DIR": str(folder / "speech"),
        "SPEECH_WORDS_PER_MINUTE": min(max(_env_int("SPEECH_WORDS_PER_MINUTE", 165), 80), 450),
        "SECRET_KEY": _secret_key(folder),
        "SQLALCHEMY_DATABASE_URI": database_url(folder),
        "TRUSTED_PROXIES": _trusted_proxies(),
        "MAX_CONTENT_LENGTH": _env_int("MAX_UPLOAD_MB", 20) * 1024 * 1024 + 64 * 1024,
        "MAX_UPLOAD_BYTES": _env_int("MAX_UPLOAD_MB", 20) * 1024 * 1024,
        "TIMELINE_START_YEAR": _env_int("TIMELINE_START_YEAR", 1906),
        "TIMELINE_END_YEAR": _env_int("TIMELINE_END_YEAR", 1977),
        "IDLE_SECONDS": _env_int("IDLE_SECONDS", 90),
        # The kiosk's own clocks: the "Still there?" countdown, the attract screen's pace and how often
        # kiosks ask whether a curator has published (under 30 s, so a change shows within half a minute).
        "IDLE_WARNING_SECONDS": _env_int("IDLE_WARNING_SECONDS", 20),
        "ATTRACT_SECONDS": _env_int("ATTRACT_SECONDS", 8),
        "VERSION_POLL_SECONDS": _env_int("VERSION_POLL_SECONDS", 12),
        "SESSION_MINUTES": _env_int("SESSION_MINUTES", 30),
        # Uploads waiting for an import's confirmation, per curator and from everyone together.
        "IMPORT_QUOTA_USER_FILES": _env_int("IMPORT_QUOTA_USER_FILES", 10),
        "IMPORT_QUOTA_USER_BYTES": _env_int("IMPORT_QUOTA_USER_MB", 25) * 1024 * 1024,
        "IMPORT_QUOTA_TOTAL_FILES": _env_int("IMPORT_QUOTA_TOTAL_FILES", 50),
        "IMPORT_QUOTA_TOTAL_BYTES": _env_int("IMPORT_QUOTA_TOTAL_MB", 100) * 1024 * 1024,
        # argon2id parameters for passwords (kiosk.accounts.users.HASH_PROFILES); "fast" is for tests only.
        "PASSWORD_HASH_PROFILE": _env("PASSWORD_HASH_PROFILE", "rfc9106-low-memory"),
        "BABEL_DEFAULT_LOCALE": _env("DEFAULT_LOCALE", "en"),
        # Visitor and admin languages, and the museum's default (the curators may change both in Settings).
        "LANGUAGES": [code.strip() for code in (_env("LANGUAGES") or "en,ru,uk").split(",") if code.strip()],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env("SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        # KIOSK_PAGE_CACHE=0 renders every visitor page afresh (to measure rendering, or to debug).
        "PAGE_CACHE": _env("PAGE_CACHE", "1") != "0",
        # A long timeline loads lazily: `/` carries the first events in full and each era's rest arrives
        # in runs of TIMELINE_PAGE_EVENTS as the visitor reaches it. 16 keep the first load of `/ru/` and
        # `/uk/` with the default content within 40,000 bytes (bench/page_weight.py).
        "TIMELINE_EAGER_EVENTS": _env_int("TIMELINE_EAGER_EVENTS", 16),
        "TIMELINE_PAGE_EVENTS": _env_int("TIMELINE_PAGE_EVENTS", 40),
        # Visitor analytics and the kiosk fleet (kiosk/telemetry/analytics.py, kiosk/telemetry/fleet.py):
        # how long raw events
        # are kept before only daily totals remain, how often a kiosk sends what it recorded and reports
        # in, the museum's clock, and when a kiosk that has not reported counts as silent.
        "ANALYTICS_RETENTION_DAYS": _env_int("ANALYTICS_RETENTION_DAYS", 90),
        "ANALYTICS_SEND_SECONDS": _env_int("ANALYTICS_SEND_SECONDS", 15),
        "HEARTBEAT_SECONDS": _env_int("HEARTBEAT_SECONDS", 60),
        "SILENCE_SECONDS": _env_int("SILENCE_SECONDS", 300),
        "OPENING_HOURS": _env("OPENING_HOURS", "09:00-18:00"),
        # Scheduled backups (kiosk/interchange/scheduled_backups.py): every BACKUP_HOURS (0: never), into
        # BACKUP_DIR (best on another disk or a network share; empty: DATA_DIR/backups), keeping the
        # newest of each of the last BACKUP_KEEP_DAILY days and BACKUP_KEEP_WEEKLY weeks.
        "BACKUP_DIR": _env("BACKUP_DIR", ""),
        "BACKUP_HOURS": max(_env_int("BACKUP_HOURS", 24), 0),
        "BACKUP_KEEP_DAILY": max(_env_int("BACKUP_KEEP_DAILY", 7), 1),
        "BACKUP_KEEP_WEEKLY": max(_env_int("BACKUP_KEEP_WEEKLY", 4), 0),
        "TIMEZONE": _env("TIMEZONE", "UTC"),
        # What enrolled kiosks may send (kiosk/telemetry/limits.py, docs/deployment.md): reports a calendar
        # minute per kiosk and per client address (every worker and server counts together), analytics
        # records per kiosk and day, and how many kiosks may be enrolled. The first kiosk on the server's
        # own machine enrols itself unless KIOSK_ENROL_LOCAL_KIOSK=0.
        "REPORTS_PER_KIOSK_MINUTE": _env_int("REPORTS_PER_KIOSK_MINUTE", 120),
        "REPORTS_PER_ADDRESS_MINUTE": _env_int("REPORTS_PER_ADDRESS_MINUTE", 600),
        "ANALYTICS_EVENTS_PER_KIOSK_DAY": _env_int("ANALYTICS_EVENTS_PER_KIOSK_DAY", 100_000),
        "MAX_KIOSKS": _env_int("MAX_KIOSKS", 100),
        "ENROL_LOCAL_KIOSK": _env("ENROL_LOCAL_KIOSK", "1") != "0",
    }
