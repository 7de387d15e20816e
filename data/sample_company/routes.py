"""Day routes of the as-is plan in the sample week, as a crew would drive them.

While the office books agreements, each crew-day of the sample week keeps an ordered list of
stops; a new visit goes where it adds the least driving and the day still works out: every time
window met, lunch taken, back at the yard by the end of the shift. This keeps the as-is plan
honest (no crew-day that could not be driven) without making it good: which customers share a
day is still decided by history, not geography.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .geography import DETOUR_FACTOR, EARTH_RADIUS_M, SPEED_KMH, STOP_OVERHEAD_MIN
from .model import Agreement, Crew

_M_PER_MIN = SPEED_KMH * 1000 / 60


def minutes(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Scalar twin of geography.drive_minutes, fast enough for the insertion loop."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    road_m = 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a)) * DETOUR_FACTOR
    return STOP_OVERHEAD_MIN + road_m / _M_PER_MIN


@dataclass(frozen=True)
class Timing:
    feasible: bool
    end: float  # back at the yard, minutes after midnight
    drive: float
    service: float
    late: int  # visits starting after their window


def simulate(crew: Crew, weekday: int, stops: list[Agreement]) -> Timing:
    """Drive `stops` in order from the crew's start; lunch after the first stop ending at or
    after the lunch window opens (or at the end of a short day)."""
    start, end = crew.shifts[weekday]
    t, lat, lon = float(start), crew.lat, crew.lon
    drive = service = 0.0
    late = 0
    lunch = crew.lunch_min == 0
    for a in stops:
        leg = minutes(lat, lon, a.lat, a.lon)
        drive += leg
        t += leg
        if a.time_window is not None:
            t = max(t, float(a.time_window[0]))
            late += t > a.time_window[1]
        t += a.duration_min
        service += a.duration_min
        lat, lon = a.lat, a.lon
        if not lunch and t >= crew.lunch_window[0]:
            t += crew.lunch_min
            lunch = True
    leg = minutes(lat, lon, crew.lat, crew.lon) if stops else 0.0
    drive += leg
    t += leg
    if not lunch:
        t += crew.lunch_min
    return Timing(late == 0 and t <= end, t, drive, service, late)


def insert(crew: Crew, weekday: int, route: list[Agreement], stop: Agreement):
    """`route` with `stop` at its cheapest feasible position, or None if nowhere works."""
    pts = [(crew.lat, crew.lon)] + [(a.lat, a.lon) for a in route] + [(crew.lat, crew.lon)]
    costs = []
    for i in range(len(pts) - 1):
        (la, lo), (lb, lob) = pts[i], pts[i + 1]
        extra = (
            minutes(la, lo, stop.lat, stop.lon)
            + minutes(stop.lat, stop.lon, lb, lob)
            - minutes(la, lo, lb, lob)
        )
        costs.append((extra, i))
    costs.sort()
    for _, i in costs:
        trial = route[:i] + [stop] + route[i:]
        if simulate(crew, weekday, trial).feasible:
            return trial
    return None
