"""Owner analytics over stored plans: how well each crew's paid time is used, and what it earns.

This module is the arithmetic, on small frozen records (:class:`VisitFact`,
:class:`CrewInfo`), so it is tested with hand-computed numbers and no database;
:mod:`scheduling.analytics_report` loads those records from stored plans.

Definitions (per crew-day with at least one visit, summed over a crew and a plan):

- **service**: time on site as planned, ``end_s - start_s`` of each visit (the agreement's
  minutes plus the planner's setup minutes).
- **drive**: each visit's inbound leg (``travel_s``) plus the way back to the depot after the
  last visit, which plans do not store and is estimated with the planner's travel model
  (as the route sheet does).
- **paid**: the shift of the days worked, start to end (lunch included), plus overtime.
  Days without visits are not counted (the crew is off or on other work), so utilization
  reads "of the days this plan sends the crew out". A day worked on a weekday without a
  shift is paid from leaving the depot to being back, all of it overtime.
- **overtime**: time back at the depot after the shift's end.
- **revenue**: the agreement's price for every planned visit (``price`` is per visit,
  see ``data/README.md``); **revenue per crew-hour** is revenue over paid hours.
- **utilization** = service / paid; **drive share** = drive / paid.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from optimizer.matrix import EARTH_RADIUS_M
from scheduling.builder import TravelModel
from scheduling.models import PlanStatus

LatLon = tuple[float, float]
#: ``return_leg(last_stop, depot)`` -> seconds of driving.
ReturnLeg = Callable[[LatLon, LatLon], int]


@dataclass(frozen=True)
class VisitTiming:
    """Where a planned visit sits on its crew's route, and when (seconds after midnight).

    Shared by analytics and the planning pages, which read the same stored columns
    (:data:`scheduling.analytics_report.VISIT_TIMING_COLUMNS`, in this order).
    """

    crew_id: int
    date: dt.date
    sequence: int
    arrival_s: int
    start_s: int
    end_s: int
    travel_s: int

    @property
    def service_s(self) -> int:
        """Time on site as planned (the agreement's minutes plus setup)."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class VisitFact(VisitTiming):
    """The columns of one planned visit that analytics need: its timing, price and place."""

    price: Decimal
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class CrewInfo:
    """A crew's name, colour, depot and shifts (weekday -> (start_s, end_s))."""

    id: int
    name: str
    colour: str = "#4C78A8"
    depot_end: LatLon = (0.0, 0.0)
    shifts: Mapping[int, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class CrewDay:
    """One crew's route on one day, reduced to the figures analytics sum."""

    crew_id: int
    date: dt.date
    visits: int
    service_s: int
    drive_s: int
    leave_s: int
    back_s: int
    paid_s: int
    overtime_s: int
    revenue: Decimal


@dataclass(frozen=True)
class CrewSummary:
    """Sums over a crew's days of one plan (or over every crew: the company line)."""

    crew_id: int | None
    name: str
    colour: str
    days: int
    visits: int
    service_s: int
    drive_s: int
    paid_s: int
    overtime_s: int
    revenue: Decimal

    @property
    def utilization(self) -> float:
        """Service over paid time (0 when nothing is paid)."""
        return self.service_s / self.paid_s if self.paid_s else 0.0

    @property
    def drive_share(self) -> float:
        """Drive over paid time."""
        return self.drive_s / self.paid_s if self.paid_s else 0.0

    @property
    def visits_per_day(self) -> float:
        return self.visits / self.days if self.days else 0.0

    @property
    def revenue_per_hour(self) -> float:
        """Revenue per paid crew-hour."""
        return float(self.revenue) * 3600 / self.paid_s if self.paid_s else 0.0

    @property
    def paid_h(self) -> float:
        return self.paid_s / 3600

    @property
    def service_h(self) -> float:
        return self.service_s / 3600

    @property
    def drive_h(self) -> float:
        return self.drive_s / 3600

    @property
    def overtime_h(self) -> float:
        return self.overtime_s / 3600


@dataclass(frozen=True)
class PlanAnalytics:
    """A plan's figures per crew and for the company."""

    plan_id: int
    week_start: dt.date
    days: int
    version: int
    status: PlanStatus
    mode: str
    unplaced: int
    crews: tuple[CrewSummary, ...]
    total: CrewSummary


@dataclass(frozen=True)
class AsIsComparison:
    """Today's book (as-is plan) against the optimized plan of the same week."""

    week_start: dt.date
    as_is: PlanAnalytics
    optimized: PlanAnalytics

    @property
    def drive_saved_s(self) -> int:
        return self.as_is.total.drive_s - self.optimized.total.drive_s

    @property
    def drive_reduction(self) -> float:
        """Share of the as-is drive time that the optimized plan saves (negative: drives more)."""
        base = self.as_is.total.drive_s
        return self.drive_saved_s / base if base else 0.0


# --- the arithmetic ------------------------------------------------------------------------


def travel_return_leg(travel: TravelModel | None = None) -> ReturnLeg:
    """The planner's travel estimate from the last stop to the depot, in seconds.

    The formula of :func:`optimizer.matrix.haversine_matrices` (chord on the unit sphere,
    times the detour, at the model's speed) for one pair, without building a matrix: the
    owner page asks for one leg per crew-day, hundreds per page.
    """
    travel = travel or TravelModel()
    metres = 2.0 * EARTH_RADIUS_M * travel.detour
    seconds_per_metre = 3.6 / travel.speed_kmh

    def unit(point: LatLon) -> tuple[float, float, float]:
        phi, lam = math.radians(point[0]), math.radians(point[1])
        return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)

    def leg(last: LatLon, depot: LatLon) -> int:
        p, q = unit(last), unit(depot)
        chord2 = min(4.0, max(0.0, 2.0 - 2.0 * (p[0] * q[0] + p[1] * q[1] + p[2] * q[2])))
        return round(math.asin(math.sqrt(chord2) * 0.5) * metres * seconds_per_metre)

    return leg


def crew_day(visits: Sequence[VisitFact], crew: CrewInfo, return_leg: ReturnLeg) -> CrewDay:
    """Figures of one crew-day; ``visits`` are that crew's visits of one date, any order."""
    ordered = sorted(visits, key=lambda v: v.sequence)
    first, last = ordered[0], ordered[-1]
    back_leg = 0
    if last.lat is not None and last.lon is not None:
        back_leg = return_leg((last.lat, last.lon), crew.depot_end)
    leave_s = first.arrival_s - first.travel_s
    back_s = last.end_s + back_leg
    shift = crew.shifts.get(first.date.weekday())
    if shift is None:
        paid_s = overtime_s = back_s - leave_s
    else:
        overtime_s = max(0, back_s - shift[1])
        paid_s = shift[1] - shift[0] + overtime_s
    return CrewDay(
        crew_id=crew.id,
        date=first.date,
        visits=len(ordered),
        service_s=sum(v.service_s for v in ordered),
        drive_s=sum(v.travel_s for v in ordered) + back_leg,
        leave_s=leave_s,
        back_s=back_s,
        paid_s=paid_s,
        overtime_s=overtime_s,
        revenue=sum((v.price for v in ordered), Decimal(0)),
    )


def crew_days(
    visits: Iterable[VisitFact], crews: Mapping[int, CrewInfo], return_leg: ReturnLeg
) -> list[CrewDay]:
    """Every crew-day of ``visits``, by crew then date."""
    grouped: dict[tuple[int, dt.date], list[VisitFact]] = defaultdict(list)
    for visit in visits:
        grouped[(visit.crew_id, visit.date)].append(visit)
    return [
        crew_day(grouped[key], crews.get(key[0]) or CrewInfo(key[0], f"crew {key[0]}"), return_leg)
        for key in sorted(grouped)
    ]


def summarize(
    days: Iterable[CrewDay], crew: CrewInfo | None, *, name: str | None = None
) -> CrewSummary:
    """Sum crew-days into one line; ``crew`` None gives the company line."""
    days = list(days)
    return CrewSummary(
        crew_id=crew.id if crew else None,
        name=name or (crew.name if crew else "All crews"),
        colour=crew.colour if crew else "#1f5f8b",
        days=len(days),
        visits=sum(d.visits for d in days),
        service_s=sum(d.service_s for d in days),
        drive_s=sum(d.drive_s for d in days),
        paid_s=sum(d.paid_s for d in days),
        overtime_s=sum(d.overtime_s for d in days),
        revenue=sum((d.revenue for d in days), Decimal(0)),
    )


def crew_summaries(
    visits: Iterable[VisitFact], crews: Mapping[int, CrewInfo], return_leg: ReturnLeg
) -> tuple[tuple[CrewSummary, ...], CrewSummary]:
    """Per-crew lines (crews without visits left out, by name) and the company line."""
    days = crew_days(visits, crews, return_leg)
    by_crew: dict[int, list[CrewDay]] = defaultdict(list)
    for day in days:
        by_crew[day.crew_id].append(day)
    lines = [
        summarize(crew_days_, crews.get(crew_id) or CrewInfo(crew_id, f"crew {crew_id}"))
        for crew_id, crew_days_ in by_crew.items()
    ]
    lines.sort(key=lambda line: (line.name, line.crew_id or 0))
    return tuple(lines), summarize(days, None)
