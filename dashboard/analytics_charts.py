"""Plotly figures of the owner page as plain dicts (``{"data": [...], "layout": {...}}``).

The page draws them with the vendored plotly.js; building them here from the analytics
records keeps the page's numbers and the charts' numbers the same values, and keeps this
module free of Flask so it is tested directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scheduling.analytics import AsIsComparison, CrewSummary, PlanAnalytics

Figure = dict[str, Any]

UTILIZATION_COLOUR = "#1f5f8b"
DRIVE_COLOUR = "#f2b134"
REVENUE_COLOUR = "#2e7d4f"
AS_IS_COLOUR = "#9aa7b2"

_FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", "size": 12}


def _layout(**extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "font": _FONT,
        "margin": {"l": 56, "r": 16, "t": 36, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "height": 300,
        "bargap": 0.3,
    }
    layout.update(extra)
    return layout


def _pct(value: float) -> float:
    return round(value * 100, 1)


def _crew_height(crews: Sequence[CrewSummary]) -> int:
    """Room for one labelled row of bars per crew (charts sit beside same-height tables)."""
    return max(260, 90 + 30 * len(crews))


def _crew_axis() -> dict[str, Any]:
    return {"autorange": "reversed", "automargin": True, "type": "category"}


def utilization_figure(crews: Sequence[CrewSummary]) -> Figure:
    """Utilization and drive share per crew, in percent of paid time: one row per crew."""
    names = [c.name for c in crews]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Utilization (service / paid)",
                "y": names,
                "x": [_pct(c.utilization) for c in crews],
                "marker": {"color": UTILIZATION_COLOUR},
                "hovertemplate": "%{y}: %{x:.1f}% of paid time on site<extra></extra>",
            },
            {
                "type": "bar",
                "orientation": "h",
                "name": "Drive share (drive / paid)",
                "y": names,
                "x": [_pct(c.drive_share) for c in crews],
                "marker": {"color": DRIVE_COLOUR},
                "hovertemplate": "%{y}: %{x:.1f}% of paid time driving<extra></extra>",
            },
        ],
        "layout": _layout(
            barmode="group",
            height=_crew_height(crews),
            xaxis={"title": {"text": "% of paid hours"}, "ticksuffix": "%", "rangemode": "tozero"},
            yaxis=_crew_axis(),
        ),
    }


def revenue_figure(crews: Sequence[CrewSummary]) -> Figure:
    """Revenue per paid crew-hour, one bar per crew in the crew's colour."""
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Revenue per crew-hour",
                "y": [c.name for c in crews],
                "x": [round(c.revenue_per_hour, 2) for c in crews],
                "marker": {"color": [c.colour for c in crews]},
                "hovertemplate": "%{y}: %{x:.2f} per paid hour<extra></extra>",
            }
        ],
        "layout": _layout(
            showlegend=False,
            height=_crew_height(crews),
            margin={"l": 56, "r": 16, "t": 12, "b": 40},
            xaxis={"title": {"text": "revenue per paid hour"}, "rangemode": "tozero"},
            yaxis=_crew_axis(),
        ),
    }


def _week_label(plan: PlanAnalytics) -> str:
    return plan.week_start.isoformat()


def trend_figure(trend: Sequence[PlanAnalytics]) -> Figure:
    """Company utilization and drive share (left, %) and revenue per crew-hour (right) by week."""
    weeks = [_week_label(p) for p in trend]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Utilization",
                "x": weeks,
                "y": [_pct(p.total.utilization) for p in trend],
                "line": {"color": UTILIZATION_COLOUR},
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Drive share",
                "x": weeks,
                "y": [_pct(p.total.drive_share) for p in trend],
                "line": {"color": DRIVE_COLOUR},
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Revenue per crew-hour",
                "x": weeks,
                "y": [round(p.total.revenue_per_hour, 2) for p in trend],
                "yaxis": "y2",
                "line": {"color": REVENUE_COLOUR, "dash": "dot"},
            },
        ],
        "layout": _layout(
            xaxis={"type": "category"},
            yaxis={"title": {"text": "% of paid hours"}, "ticksuffix": "%", "rangemode": "tozero"},
            yaxis2={
                "title": {"text": "revenue / paid hour"},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "showgrid": False,
            },
            margin={"l": 56, "r": 64, "t": 36, "b": 40},
        ),
    }


def as_is_figure(comparisons: Sequence[AsIsComparison]) -> Figure:
    """Drive hours of today's book against the optimized plan, per week."""
    weeks = [c.week_start.isoformat() for c in comparisons]
    return {
        "data": [
            {
                "type": "bar",
                "name": "As-is (today's days and crews)",
                "x": weeks,
                "y": [round(c.as_is.total.drive_h, 1) for c in comparisons],
                "marker": {"color": AS_IS_COLOUR},
                "hovertemplate": "%{x}: %{y:.1f} h driving as-is<extra></extra>",
            },
            {
                "type": "bar",
                "name": "Optimized",
                "x": weeks,
                "y": [round(c.optimized.total.drive_h, 1) for c in comparisons],
                "marker": {"color": UTILIZATION_COLOUR},
                "hovertemplate": "%{x}: %{y:.1f} h driving optimized<extra></extra>",
            },
        ],
        "layout": _layout(
            barmode="group",
            xaxis={"type": "category"},
            yaxis={"title": {"text": "drive hours"}, "rangemode": "tozero"},
        ),
    }
