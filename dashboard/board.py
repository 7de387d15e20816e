"""The week board's view model: a plan's visits as crews x days, with utilization and filters.

Built in Python from the plain rows of :mod:`dashboard.plan_rows` (a few queries whatever the
week's size); the result is frozen dataclasses the template only reads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dashboard.plan_rows import (
    BoardUnplaced,
    BoardVisit,
    CrewInfo,
    category_colour,
    category_slug,
    load_crews,
    load_unplaced,
    load_visits,
)
from scheduling.models import Plan


@dataclass(frozen=True)
class Filters:
    """What the dispatcher narrowed the board to (query string); empty means everything."""

    crew_id: int | None = None
    service: str = ""  # a service type code
    region: str = ""

    @property
    def active(self) -> bool:
        return bool(self.crew_id or self.service or self.region)

    def as_args(self) -> dict[str, str]:
        args = {"crew": str(self.crew_id) if self.crew_id else "", "service": self.service}
        args["region"] = self.region
        return {k: v for k, v in args.items() if v}


@dataclass(frozen=True)
class CrewDay:
    """A crew's route on one day: its visits in order and how full the shift is."""

    crew_id: int
    date: dt.date
    visits: tuple[BoardVisit, ...]
    shift_s: int  # length of the crew's shift that weekday (0: not working)
    service_s: int  # work on site, all visits of the day (filters do not change it)
    travel_s: int
    visit_count: int  # all visits of the day, shown or not

    @property
    def utilization(self) -> float:
        """Service hours over shift hours (may exceed 1 after manual moves)."""
        return self.service_s / self.shift_s if self.shift_s else 0.0

    @property
    def bar_percent(self) -> int:
        return min(100, round(self.utilization * 100))

    @property
    def load(self) -> str:
        """``low``, ``ok``, ``high`` or ``over``: the bar's colour."""
        u = self.utilization
        if self.shift_s and self.service_s + self.travel_s > self.shift_s:
            return "over"
        return "low" if u < 0.5 else "ok" if u < 0.85 else "high"


@dataclass(frozen=True)
class CrewRow:
    id: int
    name: str
    colour: str
    region: str
    active: bool
    days: tuple[CrewDay, ...]

    @property
    def visit_count(self) -> int:
        return sum(d.visit_count for d in self.days)

    @property
    def service_s(self) -> int:
        return sum(d.service_s for d in self.days)

    @property
    def shift_s(self) -> int:
        return sum(d.shift_s for d in self.days)

    @property
    def utilization(self) -> float:
        return self.service_s / self.shift_s if self.shift_s else 0.0


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Board:
    """Everything the board page shows; ``rows`` and ``unplaced`` already filtered."""

    plan_id: int
    days: tuple[dt.date, ...]
    rows: tuple[CrewRow, ...]
    unplaced: tuple[BoardUnplaced, ...]
    filters: Filters
    crews: tuple[Option, ...]
    services: tuple[Option, ...]
    regions: tuple[str, ...]
    categories: tuple[tuple[str, str, str], ...]  # (category, slug, colour) in the plan
    total_visits: int
    shown_visits: int
    travel_s: int = 0
    days_with_work: frozenset[dt.date] = field(default_factory=frozenset)


def _shift_seconds(crew: CrewInfo) -> dict[int, int]:
    return {s.weekday: (s.end_min - s.start_min) * 60 for s in crew.shifts}


def _matches(visit: BoardVisit | BoardUnplaced, filters: Filters) -> bool:
    if filters.service and visit.service_code != filters.service:
        return False
    return not (filters.region and visit.region != filters.region)


def build_board(
    plan: Plan,
    visits: list[BoardVisit],
    unplaced: list[BoardUnplaced],
    crews: list[CrewInfo],
    filters: Filters,
) -> Board:
    """Arrange ``visits`` into crew rows and day columns and apply ``filters``.

    A crew row is shown when the crew is active or has visits in the plan (and, when the board
    is narrowed to a service or region, has visits of it); utilization counts every visit of a
    crew-day, so narrowing the board to one service does not change it.
    """
    working = {s.weekday for c in crews if c.active for s in c.shifts}
    visit_dates = {v.date for v in visits}
    days = tuple(
        d
        for d in (plan.week_start + dt.timedelta(days=i) for i in range(plan.days))
        if d.weekday() in working or d in visit_dates
    )
    by_cell: dict[tuple[int, dt.date], list[BoardVisit]] = defaultdict(list)
    for visit in visits:
        by_cell[(visit.crew_id, visit.date)].append(visit)
    planned_crews = {v.crew_id for v in visits}
    rows = []
    shown = 0
    for crew in crews:
        if not crew.active and crew.id not in planned_crews:
            continue
        if filters.crew_id and crew.id != filters.crew_id:
            continue
        shifts = _shift_seconds(crew)
        cells = []
        for date in days:
            day_visits = by_cell.get((crew.id, date), [])
            kept = tuple(v for v in day_visits if _matches(v, filters))
            shown += len(kept)
            cells.append(
                CrewDay(
                    crew_id=crew.id,
                    date=date,
                    visits=kept,
                    shift_s=shifts.get(date.weekday(), 0),
                    service_s=sum(v.service_s for v in day_visits),
                    travel_s=sum(v.travel_s for v in day_visits),
                    visit_count=len(day_visits),
                )
            )
        if (filters.service or filters.region) and not any(c.visits for c in cells):
            continue  # narrowed to a service or region this crew has no visit of
        rows.append(
            CrewRow(crew.id, crew.name, crew.colour, crew.region or "", crew.active, tuple(cells))
        )
    services = sorted(
        {(v.service_code, v.service) for v in visits}
        | {(u.service_code, u.service) for u in unplaced},
        key=lambda s: s[1],
    )
    categories = sorted({v.category for v in visits} | {u.category for u in unplaced})
    regions = sorted(
        {v.region for v in visits if v.region} | {u.region for u in unplaced if u.region}
    )
    return Board(
        plan_id=plan.id,
        days=days,
        rows=tuple(rows),
        unplaced=tuple(u for u in unplaced if _matches(u, filters)),
        filters=filters,
        crews=tuple(Option(str(c.id), c.name) for c in crews if c.active or c.id in planned_crews),
        services=tuple(Option(code, name) for code, name in services),
        regions=tuple(regions),
        categories=tuple((c, category_slug(c), category_colour(c)) for c in categories),
        total_visits=len(visits),
        shown_visits=shown,
        travel_s=sum(v.travel_s for v in visits),
        days_with_work=frozenset(visit_dates),
    )


def board_for(session: Session, plan: Plan, filters: Filters) -> Board:
    """Load and build the board of ``plan`` (four queries whatever the plan's size)."""
    return build_board(
        plan,
        load_visits(session, plan.id),
        load_unplaced(session, plan.id),
        load_crews(session),
        filters,
    )
