"""Blueprint ``analytics``: the owner's page of crew utilization, revenue and trends.

Owners only: the figures show revenue and what each crew costs in paid hours, which is the
owner's business, not the dispatcher's.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from crm.users import Role
from dashboard import analytics_charts as charts
from dashboard.auth import roles_required
from dashboard.db import get_session
from scheduling.analytics_report import owner_report

bp = Blueprint("analytics", __name__)

#: Weeks shown in the trend and the as-is comparison.
TREND_WEEKS = 12


def _selected_week(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.get("/analytics")
@roles_required(Role.OWNER)
def index() -> ResponseReturnValue:
    """Per-crew figures of one week (default: the latest planned), the trend, as-is vs optimized."""
    report = owner_report(get_session(), weeks=TREND_WEEKS)
    week = _selected_week(request.args.get("week"))
    current = next((p for p in report.trend if p.week_start == week), report.current)
    figures = {}
    if current is not None and current.crews:
        figures["utilization"] = charts.utilization_figure(current.crews)
        figures["revenue"] = charts.revenue_figure(current.crews)
    if report.trend:
        figures["trend"] = charts.trend_figure(report.trend)
    if report.comparisons:
        figures["as_is"] = charts.as_is_figure(report.comparisons)
    return render_template(
        "analytics/index.html",
        report=report,
        current=current,
        figures=figures,
    )
