"""What a crew takes on the road: one day's route from the published plan, as data, CSV, iCal.

Crews work only from the *published* plan of a week (drafts change under the dispatcher's
hands), so everything here reads published plans and nothing else. :func:`route_sheet` turns
the planned visits of one crew on one day into plain frozen dataclasses, so the HTML page, the
CSV and the calendar feed all show the same order, times and notes, and templates never
lazy-load from a closed session.

Times in the plan are seconds after midnight of the visit's date, on the company's wall clock;
the calendar builder attaches the company's time zone to them, so a phone in another zone
still shows the right moment. The CSV and calendar outputs live in :mod:`scheduling.sheet_exports`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm.agreements import Agreement
from crm.crews import Crew
from crm.customers import Site
from optimizer import Location
from scheduling.builder import TravelModel
from scheduling.models import Plan, PlannedVisit, PlanStatus

#: Horizons are at most four weeks (``Horizon.weeks``): a plan covering a date starts at most
#: this many days before it.
MAX_HORIZON_DAYS = 28

OSM_DIRECTIONS = "https://www.openstreetmap.org/directions"
OSM_ENGINE = "fossgis_osrm_car"



def hhmm_s(seconds: int | None) -> str:
    """Seconds after midnight as ``HH:MM`` (rounded down to the minute); empty for None.

    Past midnight counts on (``25:10``) rather than wrapping, so a late return to the depot
    is never mistaken for an early morning.
    """
    if seconds is None:
        return ""
    minutes = seconds // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def directions_url(origin: tuple[float, float] | None, target: tuple[float, float]) -> str:
    """An OpenStreetMap car route from ``origin`` to ``target`` (just the target without one).

    OpenStreetMap's directions page takes two points, so each stop links the leg that leads
    to it: from the depot or the previous stop. It needs no account or API key.
    """

    def point(p: tuple[float, float]) -> str:
        return f"{p[0]:.6f},{p[1]:.6f}"

    if origin is None:
        query = {"to": point(target)}
    else:
        query = {"engine": OSM_ENGINE, "route": f"{point(origin)};{point(target)}"}
    return f"{OSM_DIRECTIONS}?{urlencode(query)}"


def geo_url(lat: float, lon: float) -> str:
    """A ``geo:`` URI (RFC 5870): phones open it in whatever maps app the crew uses."""
    return f"geo:{lat:.6f},{lon:.6f}"


@dataclass(frozen=True)
class SheetStop:
    """One visit of a crew's day, with everything the crew needs at the door."""

    order: int  # 1-based position in the route
    agreement_external_id: str
    visit_index: int
    date: dt.date
    arrival_s: int
    start_s: int
    end_s: int
    travel_s: int  # drive from the previous stop (or the depot)
    distance_m: int
    customer: str
    address: str
    lat: float | None
    lon: float | None
    window_start_min: int | None
    window_end_min: int | None
    access_notes: str | None
    service: str
    duration_min: int
    map_url: str | None
    geo_url: str | None

    @property
    def wait_s(self) -> int:
        """Time between arriving and starting (early for a time window)."""
        return self.start_s - self.arrival_s

    @property
    def uid(self) -> str:
        """Stable calendar UID: the same visit keeps it when a plan is re-published.

        Built from the agreement, the date and the visit's index (an agreement may be visited
        twice a week), not from database ids that change with every plan version; a visit moved
        to another day gets a new UID (the old event disappears, a new one appears).
        """
        return (
            f"visit-{self.agreement_external_id}-{self.date.isoformat()}-{self.visit_index}@rounds"
        )


@dataclass(frozen=True)
class RouteSheet:
    """A crew's published route on one day; ``stops`` is empty on a day without visits."""

    crew_id: int
    crew_name: str
    crew_external_id: str
    date: dt.date
    plan_id: int
    plan_version: int
    published_at: dt.datetime | None
    depot_start: tuple[float, float]
    depot_end: tuple[float, float]
    stops: tuple[SheetStop, ...]
    return_travel_s: int  # last stop back to the depot (estimated, see route_sheet)
    return_distance_m: int

    @property
    def leave_depot_s(self) -> int | None:
        """When the crew leaves the depot: the first arrival minus the drive to it."""
        if not self.stops:
            return None
        return self.stops[0].arrival_s - self.stops[0].travel_s

    @property
    def back_at_depot_s(self) -> int | None:
        """When the crew is back at the depot after the last visit."""
        if not self.stops:
            return None
        return self.stops[-1].end_s + self.return_travel_s

    @property
    def total_travel_s(self) -> int:
        """Drive time of the whole day, depot to depot."""
        return sum(s.travel_s for s in self.stops) + (self.return_travel_s if self.stops else 0)

    @property
    def total_distance_m(self) -> int:
        return sum(s.distance_m for s in self.stops) + (self.return_distance_m if self.stops else 0)

    @property
    def total_service_min(self) -> int:
        return sum(s.duration_min for s in self.stops)

    @property
    def return_map_url(self) -> str | None:
        """Directions from the last stop back to the depot."""
        last = self.stops[-1] if self.stops else None
        if last is None or last.lat is None or last.lon is None:
            return None
        return directions_url((last.lat, last.lon), self.depot_end)


def published_plan_for(session: Session, date: dt.date) -> Plan | None:
    """The published plan whose horizon holds ``date``, if any.

    A week has at most one published plan, but a multi-week horizon starts before the week of
    ``date``; so plans that start up to :data:`MAX_HORIZON_DAYS` earlier are considered and the
    latest one that covers the date wins.
    """
    candidates = session.scalars(
        select(Plan)
        .where(
            Plan.status == PlanStatus.PUBLISHED,
            Plan.week_start <= date,
            Plan.week_start > date - dt.timedelta(days=MAX_HORIZON_DAYS),
        )
        .order_by(Plan.week_start.desc())
    )
    for plan in candidates:
        if date < plan.week_start + dt.timedelta(days=plan.days):
            return plan
    return None


def next_work_day(session: Session, crew_id: int, after: dt.date) -> dt.date | None:
    """The first day after ``after`` on which a published plan gives the crew visits, so that
    a sheet with no work can point the crew to its next one (a plan published for next week
    leaves today's sheet empty)."""
    dates = session.scalars(
        select(PlannedVisit.date)
        .join(Plan, Plan.id == PlannedVisit.plan_id)
        .where(
            Plan.status == PlanStatus.PUBLISHED,
            PlannedVisit.crew_id == crew_id,
            PlannedVisit.date > after,
            PlannedVisit.date <= after + dt.timedelta(days=MAX_HORIZON_DAYS),
        )
        .distinct()
        .order_by(PlannedVisit.date)
    )
    for date in dates:  # a later plan covering the date may have left the crew out
        plan = published_plan_for(session, date)
        if plan is not None and _visits(session, plan.id, crew_id, date):
            return date
    return None


def _visits(session: Session, plan_id: int, crew_id: int, date: dt.date) -> list[PlannedVisit]:
    return list(
        session.scalars(
            select(PlannedVisit)
            .where(
                PlannedVisit.plan_id == plan_id,
                PlannedVisit.crew_id == crew_id,
                PlannedVisit.date == date,
            )
            .order_by(PlannedVisit.sequence)
            .options(
                selectinload(PlannedVisit.agreement).selectinload(Agreement.service_type),
                selectinload(PlannedVisit.agreement)
                .selectinload(Agreement.site)
                .selectinload(Site.customer),
            )
        )
    )


def _return_leg(
    last: SheetStop | None, depot: tuple[float, float], travel: TravelModel
) -> tuple[int, int]:
    """Drive time (s) and distance (m) from the last stop back to the depot.

    The plan stores each stop's inbound leg but not the way home, so it is estimated with
    the same travel model the planner uses by default; with a road-network matrix the
    planned legs are exact and only this one is an estimate.
    """
    if last is None or last.lat is None or last.lon is None:
        return 0, 0
    durations, distances = travel.provider().matrices(
        [Location("last", last.lat, last.lon), Location("depot", depot[0], depot[1])]
    )
    return int(durations[0, 1]), int(distances[0, 1])


def _stops(visits: Sequence[PlannedVisit], depot: tuple[float, float]) -> list[SheetStop]:
    stops = []
    previous: tuple[float, float] | None = depot
    for order, visit in enumerate(visits, start=1):
        agreement = visit.agreement
        site = agreement.site
        here = (site.lat, site.lon) if site.lat is not None and site.lon is not None else None
        stops.append(
            SheetStop(
                order=order,
                agreement_external_id=agreement.external_id,
                visit_index=visit.visit_index,
                date=visit.date,
                arrival_s=visit.arrival_s,
                start_s=visit.start_s,
                end_s=visit.end_s,
                travel_s=visit.travel_s,
                distance_m=visit.distance_m,
                customer=site.customer.name,
                address=site.address,
                lat=site.lat,
                lon=site.lon,
                window_start_min=agreement.tw_start_min,
                window_end_min=agreement.tw_end_min,
                access_notes=(site.access_notes or "").strip() or None,
                service=agreement.service_type.name,
                duration_min=agreement.duration_min,
                map_url=directions_url(previous, here) if here else None,
                geo_url=geo_url(*here) if here else None,
            )
        )
        previous = here
    return stops


def route_sheet(
    session: Session,
    crew: Crew,
    date: dt.date,
    *,
    plan: Plan | None = None,
    travel: TravelModel | None = None,
) -> RouteSheet | None:
    """The published route of ``crew`` on ``date``; None when no published plan covers it.

    ``plan`` skips the look-up (the feed reads many days of one plan). A published plan
    without visits for the crew that day gives a sheet with no stops: a day off is an answer,
    a missing plan is not.
    """
    plan = plan or published_plan_for(session, date)
    if plan is None:
        return None
    depot_start = (crew.start_lat, crew.start_lon)
    depot_end = (crew.end_lat, crew.end_lon)
    stops = _stops(_visits(session, plan.id, crew.id, date), depot_start)
    back_s, back_m = _return_leg(stops[-1] if stops else None, depot_end, travel or TravelModel())
    return RouteSheet(
        crew_id=crew.id,
        crew_name=crew.name,
        crew_external_id=crew.external_id,
        date=date,
        plan_id=plan.id,
        plan_version=plan.version,
        published_at=plan.published_at,
        depot_start=depot_start,
        depot_end=depot_end,
        stops=tuple(stops),
        return_travel_s=back_s,
        return_distance_m=back_m,
    )


def crew_sheets(
    session: Session, crew: Crew, since: dt.date, *, travel: TravelModel | None = None
) -> list[RouteSheet]:
    """Every published day of ``crew`` from ``since`` on with at least one visit, by date.

    This is what the calendar feed shows: past days drop out after a while so the feed stays
    small, future published weeks appear as soon as they are published.
    """
    plans = session.scalars(
        select(Plan)
        .where(
            Plan.status == PlanStatus.PUBLISHED,
            Plan.week_start > since - dt.timedelta(days=MAX_HORIZON_DAYS),
        )
        .order_by(Plan.week_start)
    ).all()
    dates_by_plan = {
        plan.id: sorted(
            set(
                session.scalars(
                    select(PlannedVisit.date).where(
                        PlannedVisit.plan_id == plan.id,
                        PlannedVisit.crew_id == crew.id,
                        PlannedVisit.date >= since,
                    )
                )
            )
        )
        for plan in plans
    }
    sheets = []
    for plan in plans:
        for date in dates_by_plan[plan.id]:
            # Horizons of two published plans could overlap; the later start owns the day.
            if published_plan_for(session, date) is plan:
                sheet = route_sheet(session, crew, date, plan=plan, travel=travel)
                if sheet is not None and sheet.stops:
                    sheets.append(sheet)
    return sorted(sheets, key=lambda s: s.date)
