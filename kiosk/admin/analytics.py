"""The Analytics page, for every curator: what visitors do at the kiosks, for a period and a kiosk, as
server-drawn charts with their numbers in tables, and as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta

from babel.core import UnknownLocaleError
from flask import Response, request, stream_with_context
from flask_babel import gettext as _
from flask_babel import ngettext

from ..languages import choice
from ..telemetry import analytics, fleet
from ..telemetry.charts import bar_chart
from ..web.rendering import page_or_fragment
from .blueprint import bp
from .forms import day_argument

DEFAULT_DAYS = 30
LONGEST_PERIOD_DAYS = 366


@bp.app_template_filter("duration")
def duration(seconds: float | None) -> str:
    """Seconds as a curator reads them: 45 s, 3 min 05 s, 1 h 02 min."""
    if seconds is None:
        return "–"
    whole = int(seconds + 0.5)  # half a second up, as lengths are counted (never to the even neighbour)
    if whole < 60:
        return _("%(s)d s", s=whole)
    if whole < 3600:
        return _("%(m)d min %(s)02d s", m=whole // 60, s=whole % 60)
    return _("%(h)d h %(m)02d min", h=whole // 3600, m=whole % 3600 // 60)


def _period(problems: dict[str, str]) -> tuple[date, date]:
    """The period asked for (both days included), the last 30 days unless said otherwise."""
    until = day_argument("until", problems) or analytics.today()
    since = day_argument("since", problems) or until - timedelta(days=DEFAULT_DAYS - 1)
    if until < since:
        problems["until"] = _("The end date is before the start date.")
        since = until - timedelta(days=DEFAULT_DAYS - 1)
    if (until - since).days >= LONGEST_PERIOD_DAYS:
        problems["since"] = _("Choose at most a year at a time; the year up to the end date is shown.")
        since = until - timedelta(days=LONGEST_PERIOD_DAYS - 1)
    return since, until


def _chosen_kiosk() -> str:
    name = request.args.get("kiosk", "").strip()
    return name if analytics.NAME.fullmatch(name) else ""


def _sessions(value: float) -> str:
    return ngettext("%(num)d session", "%(num)d sessions", int(value))


def _opens(value: float) -> str:
    return ngettext("%(num)d time", "%(num)d times", int(value))


def _tables(report: analytics.Report) -> dict[str, list[tuple[str, int]]]:
    """The (label, sessions) rows of the per-day and per-hour charts and tables."""
    return {
        "days": [(day.isoformat(), count) for day, count in report.sessions_per_day],
        "hours": [
            (f"{hour:02d}:00–{hour:02d}:59", count) for hour, count in enumerate(report.sessions_per_hour)
        ],
    }


def _charts(report: analytics.Report, tables: dict) -> dict:
    hours = [(label[:5], count) for label, count in tables["hours"]]
    per_event = [  # the horizontal charts: (key, title, items, figure, formatter)
        ("opened", _("Events opened most"), report.top_opened, "opens", _opens),
        (
            "read",
            _("Events read longest (reading time in all)"),
            report.top_read,
            "reading_seconds",
            duration,
        ),
        ("last", _("The last event of a session"), report.last_seen, "sessions", _sessions),
    ]
    charts = {
        "per_day": bar_chart("chart-days", _("Sessions per day"), tables["days"], shown=_sessions),
        "per_hour": bar_chart("chart-hours", _("Sessions by hour of the day"), hours, shown=_sessions),
        "lengths": bar_chart(
            "chart-lengths", _("How long sessions last"), report.session_lengths, shown=_sessions
        ),
    }
    for key, title, items, figure, shown in per_event:
        points = [(item["headline"], item[figure]) for item in items]
        charts[key] = bar_chart(f"chart-{key}", title, points, horizontal=True, shown=shown)
    return charts


@bp.get("/analytics")
def analytics_page():
    problems: dict[str, str] = {}
    since, until = _period(problems)
    kiosk = _chosen_kiosk()
    report = analytics.report(since, until, kiosk)
    tables = _tables(report)
    kiosks = _kiosk_choices()
    return page_or_fragment(
        "admin/analytics.html",
        "admin/_analytics_report.html",
        report=report,
        charts=_charts(report, tables),
        tables=tables,
        problems=problems,
        kiosks=kiosks,
        kiosk_label=dict(kiosks).get(kiosk, kiosk),
        filters={"since": since.isoformat(), "until": until.isoformat(), "kiosk": kiosk},
        typed={
            "since": request.args.get("since", since.isoformat()),
            "until": request.args.get("until", until.isoformat()),
        },
        timezone=analytics.museum_zone().key,
        retention_days=analytics.retention_days(),
        language_name=_language_name,
        known_languages=choice.available(),
    )


def _language_name(code: str) -> str:
    """A language a visitor chose, by its own name (the code, for one the kiosk does not know)."""
    try:
        return choice.own_name(code)
    except (ValueError, UnknownLocaleError):
        return code


def _kiosk_choices() -> list[tuple[str, str]]:
    """Every kiosk with figures or on the Kiosks page: (name, what curators call it)."""
    named = dict(fleet.names())
    return sorted(
        ((name, named.get(name, name)) for name in set(analytics.known_kiosks()) | set(named)),
        key=lambda choice: choice[1].lower(),
    )


@bp.get("/analytics.csv")
def analytics_csv():
    """Every daily total of the period, one row per day, kiosk and figure: ready for a spreadsheet. Sent
    as it is read, a few thousand rows at a time (a year of a busy museum is millions of rows)."""
    since, until = _period({})
    kiosk = _chosen_kiosk()

    def lines() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(analytics.CSV_FIELDS)
        for number, row in enumerate(analytics.csv_rows(since, until, kiosk), start=1):
            writer.writerow(row)
            if number % 2000 == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    name = f"analytics-{since.isoformat()}-{until.isoformat()}{'-' + kiosk if kiosk else ''}.csv"
    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
