"""Plain rows the planning pages read: visits, unplaced visits and crews, one query each.

The board, the map and the visit page of a 1,000-visit week must not build ORM objects per
visit (nor lazy-load in templates), so these loaders select plain columns over the joins
they need and return frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from crm.agreements import Agreement
from crm.crews import Crew, CrewShift, Holiday
from crm.customers import Customer, Site
from crm.services import ServiceType
from scheduling.analytics import VisitTiming
from scheduling.analytics_report import VISIT_TIMING_COLUMNS
from scheduling.models import Plan, PlannedVisit, UnplacedVisit
from scheduling.sheets import hhmm_s

#: Colour of each service category on the board and the map; unknown categories get grey.
CATEGORY_COLOURS: dict[str, str] = {
    "window": "#4c78a8",
    "lawn": "#54a24b",
    "pool": "#17becf",
}
DEFAULT_CATEGORY_COLOUR = "#8c8c8c"


def category_colour(category: str) -> str:
    return CATEGORY_COLOURS.get(category, DEFAULT_CATEGORY_COLOUR)


def category_slug(category: str) -> str:
    """A CSS class name part for a category (``"Pool care"`` -> ``"pool-care"``)."""
    return re.sub(r"[^a-z0-9]+", "-", category.lower()).strip("-") or "other"


@dataclass(frozen=True)
class BoardVisit(VisitTiming):
    """One planned visit as a card: when, who, what, and how far it was to drive there."""

    id: int
    distance_m: int
    pinned: bool
    agreement: str
    customer: str
    address: str
    region: str
    lat: float | None
    lon: float | None
    service: str
    service_code: str
    category: str
    window_start_min: int | None
    window_end_min: int | None

    @property
    def colour(self) -> str:
        return category_colour(self.category)

    @property
    def slug(self) -> str:
        return category_slug(self.category)

    @property
    def start_hm(self) -> str:
        return hhmm_s(self.start_s)

    @property
    def travel_min(self) -> int:
        return round(self.travel_s / 60)

    @property
    def late(self) -> bool:
        """Starts after its time window closes (possible after a manual move)."""
        return self.window_end_min is not None and self.start_s > self.window_end_min * 60


@dataclass(frozen=True)
class BoardUnplaced:
    agreement: str
    customer: str
    address: str
    service: str
    service_code: str
    category: str
    region: str
    code: str
    reason: str

    @property
    def colour(self) -> str:
        return category_colour(self.category)


#: A :class:`BoardVisit`'s columns, labelled with its field names.
_VISIT_COLUMNS = (
    *VISIT_TIMING_COLUMNS,
    PlannedVisit.id,
    PlannedVisit.distance_m,
    PlannedVisit.pinned,
    Agreement.external_id.label("agreement"),
    Customer.name.label("customer"),
    Site.address,
    func.coalesce(Site.region, "").label("region"),
    Site.lat,
    Site.lon,
    ServiceType.name.label("service"),
    ServiceType.code.label("service_code"),
    ServiceType.category,
    Agreement.tw_start_min.label("window_start_min"),
    Agreement.tw_end_min.label("window_end_min"),
)

#: A :class:`BoardUnplaced`'s columns, labelled with its field names.
_UNPLACED_COLUMNS = (
    Agreement.external_id.label("agreement"),
    Customer.name.label("customer"),
    Site.address,
    ServiceType.name.label("service"),
    ServiceType.code.label("service_code"),
    ServiceType.category,
    func.coalesce(Site.region, "").label("region"),
    UnplacedVisit.code,
    UnplacedVisit.reason,
)


def _with_agreement(query: Select[Any], agreement_id: Any) -> Select[Any]:
    """``query`` with the agreement ``agreement_id`` names, its site, customer and service."""
    return (
        query.join(Agreement, agreement_id == Agreement.id)
        .join(Site, Agreement.site_id == Site.id)
        .join(Customer, Site.customer_id == Customer.id)
        .join(ServiceType, Agreement.service_type_id == ServiceType.id)
    )


def plan_visits_query(plan_id: int, *columns: Any) -> Select[Any]:
    """``columns`` of a plan's visits, with their agreement, site, customer and service
    joined in, in route order (date, crew, sequence)."""
    return (
        _with_agreement(select(*columns), PlannedVisit.agreement_id)
        .where(PlannedVisit.plan_id == plan_id)
        .order_by(PlannedVisit.date, PlannedVisit.crew_id, PlannedVisit.sequence)
    )


def load_visits(session: Session, plan_id: int, visit_id: int | None = None) -> list[BoardVisit]:
    """Every visit of the plan in route order (or just ``visit_id``), in one query."""
    query = plan_visits_query(plan_id, *_VISIT_COLUMNS)
    if visit_id is not None:
        query = query.where(PlannedVisit.id == visit_id)
    return [BoardVisit(**row._mapping) for row in session.execute(query)]


def load_unplaced(session: Session, plan_id: int) -> list[BoardUnplaced]:
    rows = session.execute(
        _with_agreement(select(*_UNPLACED_COLUMNS), UnplacedVisit.agreement_id)
        .where(UnplacedVisit.plan_id == plan_id)
        .order_by(Customer.name, UnplacedVisit.id)
    )
    return [BoardUnplaced(**row._mapping) for row in rows]


@dataclass(frozen=True)
class CrewShiftInfo:
    weekday: int
    start_min: int
    end_min: int


@dataclass(frozen=True)
class CrewInfo:
    """What the planning pages show of a crew (plain columns: no ORM objects per request)."""

    id: int
    name: str
    colour: str
    region: str | None
    active: bool
    start_lat: float
    start_lon: float
    end_lat: float
    end_lon: float
    shifts: tuple[CrewShiftInfo, ...]


def load_crews(session: Session) -> list[CrewInfo]:
    """Every crew with its shifts, active first then by name (two plain queries)."""
    shifts: dict[int, list[CrewShiftInfo]] = defaultdict(list)
    for crew_id, weekday, start, end in session.execute(
        select(
            CrewShift.crew_id, CrewShift.weekday, CrewShift.start_min, CrewShift.end_min
        ).order_by(CrewShift.crew_id, CrewShift.weekday)
    ):
        shifts[crew_id].append(CrewShiftInfo(weekday, start, end))
    rows = session.execute(
        select(
            Crew.id,
            Crew.name,
            Crew.colour,
            Crew.region,
            Crew.active,
            Crew.start_lat,
            Crew.start_lon,
            Crew.end_lat,
            Crew.end_lon,
        ).order_by(Crew.active.desc(), Crew.name)
    )
    return [CrewInfo(*row, shifts=tuple(shifts.get(row[0], ()))) for row in rows]


def working_days(session: Session, plan: Plan) -> dict[str, list[dt.date]]:
    """Active crew id (as the move form's option value) -> the plan's days that crew works.

    A day counts when the crew has a shift that weekday and it is no holiday, neither
    company-wide (no region) nor of the crew's region: the days the planner gives it. The
    move form marks the other days "(off)"; moving there stays possible, with a warning.
    One query (shifts joined with the week's holidays), so the board's dialog costs one.
    """
    days = [plan.week_start + dt.timedelta(days=i) for i in range(plan.days)]
    if not days:
        return {}
    rows = session.execute(
        select(CrewShift.crew_id, CrewShift.weekday, Holiday.date)
        .join(Crew, Crew.id == CrewShift.crew_id)
        .outerjoin(Holiday, and_(Holiday.date.between(days[0], days[-1]),
                                 or_(Holiday.region.is_(None), Holiday.region == Crew.region)))
        .where(Crew.active)
    ).all()
    weekdays: dict[int, set[int]] = defaultdict(set)
    off: dict[int, set[dt.date]] = defaultdict(set)
    for crew_id, weekday, holiday in rows:
        weekdays[crew_id].add(weekday)
        if holiday is not None:
            off[crew_id].add(holiday)
    return {
        str(crew_id): [d for d in days if d.weekday() in works and d not in off[crew_id]]
        for crew_id, works in weekdays.items()
    }
