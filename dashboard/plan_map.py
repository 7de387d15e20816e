"""Plotly figures of a plan's routes, as plain dicts for ``Plotly.newPlot`` (no Flask here).

Two views of the same routes: a plain figure on longitude/latitude axes, drawn as SVG, which
needs neither map tiles, nor fonts from the internet, nor WebGL (stop numbers included), and a
street map (``scattermap``, built in the page from the same traces and :func:`street_layout`)
over OpenStreetMap raster tiles for when the office is online.
Each crew is one colour (``Crew.colour``); a route runs from the yard through the stops in
order and back to the yard; every stop carries its number in the route.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dashboard.plan_rows import BoardVisit
from scheduling.sheets import hhmm_s

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"


@dataclass(frozen=True)
class MapCrew:
    id: int
    name: str
    colour: str
    start: tuple[float, float]  # (lat, lon) of the yard the day starts at
    end: tuple[float, float]


@dataclass(frozen=True)
class RouteLine:
    """One crew-day as a polyline: yard, stops in order, yard; labels for the stops."""

    crew: MapCrew
    date: dt.date
    lats: list[float]
    lons: list[float]
    stop_lats: list[float]
    stop_lons: list[float]
    labels: list[str]
    hovers: list[str]


def route_lines(
    visits: Iterable[BoardVisit], crews: dict[int, MapCrew], *, week: bool
) -> list[RouteLine]:
    """The routes of ``visits`` (already in route order) grouped by crew-day.

    Visits without coordinates are left out of the line (they cannot be drawn); the numbers
    of the others keep their place in the route. In the week view a stop's label carries the
    weekday (``Tue 3``).
    """
    by_route: dict[tuple[int, dt.date], list[BoardVisit]] = defaultdict(list)
    for visit in visits:
        by_route[(visit.crew_id, visit.date)].append(visit)
    lines = []
    for (crew_id, date), stops in sorted(
        by_route.items(), key=lambda item: (item[0][1], item[0][0])
    ):
        crew = crews.get(crew_id)
        if crew is None:
            continue
        line = RouteLine(crew, date, [crew.start[0]], [crew.start[1]], [], [], [], [])
        for order, visit in enumerate(sorted(stops, key=lambda v: v.sequence), start=1):
            if visit.lat is None or visit.lon is None:
                continue
            line.lats.append(visit.lat)
            line.lons.append(visit.lon)
            line.stop_lats.append(visit.lat)
            line.stop_lons.append(visit.lon)
            line.labels.append(f"{date:%a} {order}" if week else str(order))
            pin = " · pinned" if visit.pinned else ""
            line.hovers.append(
                f"<b>{order}. {visit.customer}</b><br>{visit.address}<br>"
                f"{crew.name}, {date:%a %d %b} {hhmm_s(visit.start_s)}–{hhmm_s(visit.end_s)}"
                f"<br>{visit.service}{pin}"
            )
        line.lats.append(crew.end[0])
        line.lons.append(crew.end[1])
        lines.append(line)
    return lines


def _joined(lines: list[RouteLine], attr: str) -> list[float | None]:
    """Polylines of one crew joined with ``None`` gaps (one trace per crew, not per day)."""
    out: list[float | None] = []
    for line in lines:
        if out:
            out.append(None)
        out.extend(getattr(line, attr))
    return out


def _flat(lines: list[RouteLine], attr: str) -> list[Any]:
    return [value for line in lines for value in getattr(line, attr)]


def _by_crew(lines: list[RouteLine]) -> list[tuple[MapCrew, list[RouteLine]]]:
    groups: dict[int, list[RouteLine]] = defaultdict(list)
    crews = {}
    for line in lines:
        groups[line.crew.id].append(line)
        crews[line.crew.id] = line.crew
    return [(crews[i], groups[i]) for i in sorted(groups, key=lambda i: crews[i].name)]


def _yards(lines: list[RouteLine]) -> tuple[list[float], list[float], list[str]]:
    seen: dict[tuple[float, float], list[str]] = {}
    for line in lines:
        for point in (line.crew.start, line.crew.end):
            names = seen.setdefault(point, [])
            if line.crew.name not in names:
                names.append(line.crew.name)
    return (
        [p[0] for p in seen],
        [p[1] for p in seen],
        [f"Yard: {', '.join(names)}" for names in seen.values()],
    )


#: Beyond this many stops the week map labels stops on hover only (pick a crew to number them).
WEEK_LABEL_LIMIT = 80


def _traces(lines: list[RouteLine], week: bool) -> list[dict[str, Any]]:
    """Per crew a line trace and a stop trace, then the yards.

    A day's stops carry their number inside the marker; the week's carry ``Tue 3`` above a
    small marker (a longer label does not fit inside). A week of more than
    ``WEEK_LABEL_LIMIT`` stops keeps its labels for hovering: printed, they pile on each other.
    """
    traces: list[dict[str, Any]] = []
    stops = sum(len(line.labels) for line in lines)
    stop_mode = "markers" if week and stops > WEEK_LABEL_LIMIT else "markers+text"
    for crew, crew_lines in _by_crew(lines):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "y": _joined(crew_lines, "lats"),
                "x": _joined(crew_lines, "lons"),
                "line": {"color": crew.colour, "width": 2.5},
                "name": crew.name,
                "legendgroup": str(crew.id),
                "hoverinfo": "skip",
            }
        )
        marker: dict[str, Any] = {
            "color": crew.colour,
            "size": 10 if week else 22,
            "line": {"color": "#ffffff", "width": 1.5},
        }
        text_style = (
            {"textfont": {"color": "#1d2733", "size": 10}, "textposition": "top center"}
            if week
            else {"textfont": {"color": "#ffffff", "size": 11}, "textposition": "middle center"}
        )
        traces.append(
            {
                "type": "scatter",
                "mode": stop_mode,
                "y": _flat(crew_lines, "stop_lats"),
                "x": _flat(crew_lines, "stop_lons"),
                "marker": marker,
                "text": _flat(crew_lines, "labels"),
                **text_style,
                "hovertext": _flat(crew_lines, "hovers"),
                "hoverinfo": "text",
                "name": crew.name,
                "legendgroup": str(crew.id),
                "showlegend": False,
            }
        )
    lats, lons, names = _yards(lines)
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "y": lats,
            "x": lons,
            "marker": {"color": "#1d2733", "size": 14, "symbol": "square"},
            "hovertext": names,
            "hoverinfo": "text",
            "name": "Yard",
        }
    )
    return traces


def _bounds(lines: list[RouteLine]) -> tuple[float, float, float, float]:
    lats = [v for line in lines for v in line.lats]
    lons = [v for line in lines for v in line.lons]
    return min(lats), max(lats), min(lons), max(lons)


def _zoom(lon_span: float, lat_span: float, mid_lat: float) -> float:
    """A web-mercator zoom that fits the spans into the plot area (about 1,000 x 560 px)."""
    width_px, height_px = 1000, 560
    # Mercator stretches latitude by 1/cos(latitude) against longitude.
    lat_span_mercator = lat_span / max(0.1, math.cos(math.radians(mid_lat)))
    zooms = [
        math.log2(360 * size / 512 / span)  # MapLibre zoom levels count 512-px tiles
        for size, span in ((width_px, lon_span), (height_px, lat_span_mercator))
        if span > 0
    ]
    if not zooms:
        return 13.0
    return max(1.0, min(16.0, min(zooms) - 0.2))


_LAYOUT: dict[str, Any] = {
    "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
    "height": 640,
    "showlegend": True,
    "legend": {"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"},
    "hovermode": "closest",
    "paper_bgcolor": "#ffffff",
}


def plain_figure(lines: list[RouteLine], *, week: bool = False) -> dict[str, Any]:
    """Routes on longitude/latitude axes with a true aspect ratio at the routes' latitude."""
    layout = dict(_LAYOUT)
    if lines:
        south, north, _, _ = _bounds(lines)
        ratio = 1 / max(0.1, math.cos(math.radians((south + north) / 2)))
    else:
        ratio = 1.0
    layout["margin"] = {"l": 8, "r": 8, "t": 8, "b": 8}
    layout["plot_bgcolor"] = "#f3f6f8"
    layout["xaxis"] = {"visible": False, "showgrid": False, "zeroline": False}
    layout["yaxis"] = {
        "visible": False,
        "showgrid": False,
        "zeroline": False,
        "scaleanchor": "x",
        "scaleratio": ratio,
    }
    return {"data": _traces(lines, week), "layout": layout}


def street_layout(lines: list[RouteLine]) -> dict[str, Any]:
    """The layout of the street map: MapLibre with OpenStreetMap raster tiles under the routes.

    The page turns the plain figure's traces into ``scattermap`` ones itself (x is the
    longitude, y the latitude), so the routes travel to the browser once, not twice.
    """
    layout = dict(_LAYOUT)
    if lines:
        south, north, west, east = _bounds(lines)
        centre = {"lat": (south + north) / 2, "lon": (west + east) / 2}
        zoom = _zoom(east - west, north - south, (south + north) / 2)
    else:
        centre, zoom = {"lat": 0.0, "lon": 0.0}, 1.0
    layout["map"] = {
        "style": "white-bg",
        "center": centre,
        "zoom": round(zoom, 2),
        "layers": [
            {
                "sourcetype": "raster",
                "source": [OSM_TILES],
                "sourceattribution": OSM_ATTRIBUTION,
                "below": "traces",
            }
        ],
    }
    return layout
