"""The Analytics page, for every curator: what visitors do at the kiosks, for a period and a kiosk, as
server-drawn charts with their numbers in tables, and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Response, request
from flask_babel import gettext as _

from ..telemetry import analytics, fleet
from ..telemetry.charts import bar_chart
from ..web.rendering import page_or_fragment
from .blueprint import bp
from .forms import day_argument

DEFAULT_DAYS = 30
LONGEST_PERIOD_DAYS = 366
CSV_FIELDS = ("day", "kiosk", "metric", "subject", "count", "total_seconds")


@bp.app_template_filter("duration")
def duration(seconds: float | None) -> str:
    """Seconds as a curator reads them: 45 s, 3 min 05 s, 1 h 02 min."""
    if seconds is None:
        return "–"
    whole = round(seconds)
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
    return _("%(n)d sessions", n=value)


def _opens(value: float) -> str:
    return _("%(n)d opens", n=value)


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
    return page_or_fragment(
        "admin/analytics.html",
        "admin/_analytics_report.html",
        report=report,
        charts=_charts(report, tables),
        tables=tables,
        problems=problems,
        kiosks=sorted(analytics.known_kiosks() | set(fleet.names())),
        filters={"since": since.isoformat(), "until": until.isoformat(), "kiosk": kiosk},
        typed={
            "since": request.args.get("since", since.isoformat()),
            "until": request.args.get("until", until.isoformat()),
        },
        timezone=analytics.museum_zone().key,
        retention_days=analytics.retention_days(),
    )


@bp.get("/analytics.csv")
def analytics_csv():
    """Every daily total of the period, one row per day, kiosk and figure: ready for a spreadsheet."""
    since, until = _period({})
    kiosk = _chosen_kiosk()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for row in analytics.totals_between(since, until, kiosk):
        writer.writerow(
            [
                row["day"].isoformat(),
                row["kiosk"],
                row["metric"],
                row["subject"],
                row["count"],
                row["total_ms"] / 1000,
            ]
        )
    name = f"analytics-{since.isoformat()}-{until.isoformat()}{'-' + kiosk if kiosk else ''}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
