"""Route-aware quotes: where a new recurring visit fits into the published week, and at what cost.

For a prospect's point, a service and a number of visits a week, every crew with the
service's skill is tried on every evenly spaced day pattern it works (Mon/Thu, Tue/Fri,
Wed/Sat for two visits): on each day of the pattern the new visit goes to the cheapest
*feasible* position of that crew-day's published route (every window, the shift and the lunch
kept; :mod:`optimizer.insertion`, exact, ``O(1)`` per position), and the pattern costs the sum
of those extra drives. Nothing is re-solved: the quote prices the plan the crews drive today,
so it is honest about what a new customer costs *now*; a re-plan may later do better.

Travel is the company's :class:`~scheduling.builder.TravelModel` (haversine x 1.3 at 45 km/h,
2 min setup per visit on site) over only the points needed: the crews' yards, the week's
planned stops and the new point. Times are seconds after midnight of each day.

Functions take a session, read only, and never commit.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

import crm.models  # noqa: F401  (every CRM table must be mapped before the first query)
from crm.agreements import Agreement
from crm.catalog import WEEKDAYS
from crm.crews import Crew, CrewShift, Holiday
from crm.customers import Site
from crm.services import ServiceType
from optimizer import Break, Location, TimeWindow
from optimizer.insertion import Insertion, InsertionJob, InsertionRoute, cheapest_insertions
from optimizer.units import MINUTE, hhmm
from scheduling.builder import TravelModel
from scheduling.models import Plan, PlannedVisit, PlanStatus
from scheduling.recurrence import week_start as monday_of

DEFAULT_CREW_COST_PER_HOUR = Decimal("55.00")
"""Cost of a crew hour when a crew has no ``hourly_cost``: the sample generator's default."""

CENT = Decimal("0.01")


@dataclass(frozen=True)
class SlotQuote:
    """One crew on one day pattern: the extra drive per week and where the visit would go."""

    crew_id: int
    crew_name: str
    weekday: int  # 0 = Monday (for k visits/week: the first day of the pattern)
    days: tuple[int, ...]  # the pattern's weekdays, e.g. (0, 3) for Mon/Thu
    extra_drive_s: int  # extra drive seconds PER WEEK the slot adds to the published plan
    extra_distance_m: int
    start_s: int  # the time of day the visit would start on the first day (0 if not fits)
    fits: bool  # False when no position fits windows/shift (then a reason)
    reason: str | None


@dataclass(frozen=True)
class Quote:
    """The best slots, best first, and what they were priced against."""

    week_start: dt.date  # the published plan's week the quote is priced against
    plan_id: int | None  # None when there is no plan at all (then quotes use empty routes)
    slots: tuple[SlotQuote, ...]  # best first (fits first, then least extra_drive_s)
    drive_cost_per_hour: Decimal  # company/crew cost of a driving hour used for the margin
    elapsed_s: float
    plan_status: str | None = None  # "published", or "draft" when no week is published yet


@dataclass(frozen=True)
class QuoteCrew:
    """What a quote needs of a crew, read with plain column queries (no ORM objects)."""

    id: int
    name: str
    hourly_cost: Decimal | None
    region: str | None
    yard: tuple[float, float]
    end: tuple[float, float]
    lunch: Break | None
    shifts: dict[int, TimeWindow]  # weekday -> shift, seconds after midnight


@dataclass(frozen=True)
class CrewDay:
    """One crew's route on one day of the week, and the new visit's best place in it."""

    crew_id: int
    weekday: int
    route: InsertionRoute
    insertion: Insertion
    alone: Insertion  # the new visit on an empty day of that crew: tells "full" from "never"


@dataclass(frozen=True)
class PricedWeek:
    """Every working crew-day of the week priced for the new visit (the quote's raw material)."""

    week_start: dt.date
    plan_id: int | None
    crews: tuple[QuoteCrew, ...]
    days: dict[tuple[int, int], CrewDay]
    job: InsertionJob
    durations: np.ndarray
    distances: np.ndarray
    plan_status: str | None = None


def day_patterns(visits_per_week: int) -> tuple[tuple[int, ...], ...]:
    """Evenly spaced weekday patterns: ``7 // k`` days apart, every possible first day.

    1 visit: every day; 2: Mon/Thu, Tue/Fri, Wed/Sat, Thu/Sun; 3: Mon/Wed/Fri, Tue/Thu/Sat,
    Wed/Fri/Sun; 4 or more: consecutive days. The sample's twice-weekly agreements use
    ``Mon+Thu|Tue+Fri``, and each of these patterns keeps the importer's default spacing of
    2 days for several visits a week (for up to 3 visits).
    """
    if not 1 <= visits_per_week <= 7:
        raise ValueError(f"visits_per_week: {visits_per_week} is not in 1..7")
    step = 7 // visits_per_week
    last_first = 6 - (visits_per_week - 1) * step
    return tuple(
        tuple(first + i * step for i in range(visits_per_week)) for first in range(last_first + 1)
    )


def margin_per_visit(
    price: Decimal, service_duration_s: int, extra_drive_s_per_visit: int,
    crew_cost_per_hour: Decimal,
) -> Decimal:  # fmt: skip
    """Price minus crew cost of time on site plus the extra drive, Decimal half-up to cents."""
    seconds = Decimal(int(service_duration_s) + int(extra_drive_s_per_visit))
    cost = Decimal(crew_cost_per_hour) * seconds / Decimal(3600)
    return (Decimal(price) - cost).quantize(CENT, rounding=ROUND_HALF_UP)


def find_published_plan(
    session: Session, week_start: dt.date | None, today: dt.date | None = None
) -> Plan | None:
    """The given week's published plan; without a week, the latest published week that has
    not ended yet (on or after this Monday), else the latest published week at all."""
    published = select(Plan).where(Plan.status == PlanStatus.PUBLISHED)
    if week_start is not None:
        return session.scalar(published.where(Plan.week_start == monday_of(week_start)))
    this_monday = monday_of(today or dt.date.today())
    latest = published.order_by(Plan.week_start.desc()).limit(1)
    return session.scalar(latest.where(Plan.week_start >= this_monday)) or session.scalar(latest)


def find_plan(
    session: Session, week_start: dt.date | None, today: dt.date | None = None
) -> Plan | None:
    """The published plan :func:`find_published_plan` picks; when no week was ever published
    (a new company), the newest draft of a week not yet over, so that the first quotes are
    priced against the routes the dispatcher is about to publish rather than empty ones."""
    plan = find_published_plan(session, week_start, today)
    if plan is not None or session.scalar(
        select(Plan.id).where(Plan.status != PlanStatus.DRAFT).limit(1)
    ):
        return plan
    drafts = select(Plan).where(Plan.status == PlanStatus.DRAFT)
    if week_start is not None:
        drafts = drafts.where(Plan.week_start == monday_of(week_start))
    else:
        drafts = drafts.where(Plan.week_start >= monday_of(today or dt.date.today()))
    return session.scalar(drafts.order_by(Plan.week_start, Plan.version.desc()).limit(1))


def load_crews(session: Session, skill: str | None) -> tuple[QuoteCrew, ...]:
    """Active crews with ``skill`` (any crew when None), by external id, with their shifts."""
    rows = session.execute(
        select(Crew.id, Crew.name, Crew.skills, Crew.hourly_cost, Crew.region, Crew.start_lat,
               Crew.start_lon, Crew.end_lat, Crew.end_lon, Crew.lunch_min, Crew.lunch_start_min,
               Crew.lunch_end_min)
        .where(Crew.active).order_by(Crew.external_id)
    ).all()  # fmt: skip
    rows = [r for r in rows if skill is None or skill in r.skills]
    shifts: dict[int, dict[int, TimeWindow]] = {r.id: {} for r in rows}
    if rows:
        for crew_id, weekday, start_min, end_min in session.execute(
            select(CrewShift.crew_id, CrewShift.weekday, CrewShift.start_min, CrewShift.end_min)
            .where(CrewShift.crew_id.in_(list(shifts)))
        ):  # fmt: skip
            shifts[crew_id][weekday] = TimeWindow(start_min * MINUTE, end_min * MINUTE)
    return tuple(
        QuoteCrew(
            id=r.id, name=r.name, hourly_cost=r.hourly_cost, region=r.region,
            yard=(r.start_lat, r.start_lon), end=(r.end_lat, r.end_lon),
            lunch=_lunch(r.lunch_min, r.lunch_start_min, r.lunch_end_min), shifts=shifts[r.id],
        )  # fmt: skip
        for r in rows
    )


def _working_days(
    crew: QuoteCrew, monday: dt.date, holidays: Sequence[tuple[dt.date, str | None]]
) -> dict[int, TimeWindow]:
    """Weekday -> shift on the days the crew works that week (its holidays left out)."""
    off = {date for date, region in holidays if region is None or region == crew.region}
    return {
        weekday: shift
        for weekday, shift in crew.shifts.items()
        if monday + dt.timedelta(days=weekday) not in off
    }


def _lunch(minutes: int, start_min: int, end_min: int) -> Break | None:
    if not minutes:
        return None
    return Break(minutes * MINUTE, TimeWindow(start_min * MINUTE, end_min * MINUTE))


@lru_cache(maxsize=1024)
def _window(start_min: int | None, end_min: int | None) -> TimeWindow | None:
    """An agreement's window in seconds (cached: a few distinct windows, many visits)."""
    if start_min is None or end_min is None:
        return None
    return TimeWindow(start_min * MINUTE, end_min * MINUTE)


def price_week(
    session: Session,
    *,
    lat: float,
    lon: float,
    service: ServiceType,
    window: tuple[int, int] | None = None,
    week_start: dt.date | None = None,
    travel: TravelModel | None = None,
    today: dt.date | None = None,
) -> PricedWeek:
    """Load the published week and price the new visit on every working crew-day.

    Without a published plan the routes are empty (the week is the given one, else the
    coming Monday's).
    """
    travel = travel or TravelModel()
    plan = find_plan(session, week_start, today)
    if plan is not None:
        monday = plan.week_start
    elif week_start is not None:
        monday = monday_of(week_start)
    else:
        monday = monday_of(today or dt.date.today()) + dt.timedelta(weeks=1)
    crews = load_crews(session, service.required_skill)
    holidays = session.execute(
        select(Holiday.date, Holiday.region)
        .where(Holiday.date >= monday, Holiday.date < monday + dt.timedelta(7))
    ).all()  # fmt: skip
    points: dict[tuple[float, float], int] = {}  # one matrix row per distinct point

    def index(point: tuple[float, float]) -> int:
        return points.setdefault(point, len(points))

    stops: dict[tuple[int, int], list[InsertionJob]] = {}
    if plan is not None and crews:
        rows = session.execute(
            select(PlannedVisit.crew_id, PlannedVisit.date, Agreement.duration_min,
                   Agreement.tw_start_min, Agreement.tw_end_min, Site.lat, Site.lon)
            .join(Agreement, PlannedVisit.agreement_id == Agreement.id)
            .join(Site, Agreement.site_id == Site.id)
            .where(PlannedVisit.plan_id == plan.id,
                   PlannedVisit.crew_id.in_([c.id for c in crews]),
                   PlannedVisit.date >= monday, PlannedVisit.date < monday + dt.timedelta(7))
            .order_by(PlannedVisit.date, PlannedVisit.crew_id, PlannedVisit.sequence)
        ).all()  # fmt: skip
        for crew_id, date, minutes, tw_start, tw_end, s_lat, s_lon in rows:
            service_s = (minutes + travel.setup_min) * MINUTE
            job = InsertionJob(index((s_lat, s_lon)), service_s, _window(tw_start, tw_end))
            stops.setdefault((crew_id, date.weekday()), []).append(job)
    yards = {crew.id: (index(crew.yard), index(crew.end)) for crew in crews}
    new_visit = InsertionJob(
        index((lat, lon)),
        (service.default_duration_min + travel.setup_min) * MINUTE,
        TimeWindow(*window) if window is not None else None,
    )
    locations = [Location(f"p{i}", p_lat, p_lon) for i, (p_lat, p_lon) in enumerate(points)]
    durations, distances = travel.provider().matrices(locations)

    keys: list[tuple[int, int]] = []
    routes: list[InsertionRoute] = []
    for crew in crews:
        start, end = yards[crew.id]
        for weekday, shift in sorted(_working_days(crew, monday, holidays).items()):
            planned = tuple(stops.get((crew.id, weekday), ()))
            route = InsertionRoute(start, end, shift, planned, crew.lunch)
            keys.append((crew.id, weekday))
            routes += [route, InsertionRoute(start, end, shift, (), route.lunch)]
    found = cheapest_insertions(routes, new_visit, durations, distances)
    days = {
        key: CrewDay(key[0], key[1], routes[2 * i], found[2 * i], found[2 * i + 1])
        for i, key in enumerate(keys)
    }
    return PricedWeek(monday, plan.id if plan else None, crews, days, new_visit,
                      durations, distances, plan.status.value if plan else None)  # fmt: skip


def _reason(days: list[CrewDay], window: TimeWindow | None) -> str | None:
    """Why the days that do not fit do not, grouped: "Mon+Thu full: ..."."""
    groups: dict[str, list[str]] = {}
    for day in days:
        if day.insertion.feasible:
            continue
        if not day.insertion.route_feasible:
            why = "the published route no longer fits its shift (re-plan the week)"
        elif not day.alone.feasible:
            wanted = f"the {hhmm(window.start)}-{hhmm(window.end)} window" if window else "a visit"
            why = f"{wanted} cannot be reached and served inside the shift"
        else:
            why = (f"full (no position keeps every window, the lunch and the "
                   f"{hhmm(day.route.shift.end)} shift end)")  # fmt: skip
        groups.setdefault(why, []).append(WEEKDAYS[day.weekday])
    return "; ".join(f"{'+'.join(names)}: {why}" for why, names in groups.items()) or None


def _slot(
    crew: QuoteCrew, pattern: tuple[int, ...], days: list[CrewDay], job: InsertionJob
) -> SlotQuote:
    fits = all(d.insertion.feasible for d in days)
    first = days[0].insertion
    return SlotQuote(
        crew_id=crew.id,
        crew_name=crew.name,
        weekday=pattern[0],
        days=pattern,
        extra_drive_s=sum(d.insertion.added_duration for d in days),
        extra_distance_m=sum(d.insertion.added_distance for d in days),
        start_s=first.start if fits and first.start is not None else 0,
        fits=fits,
        reason=_reason(days, job.window),
    )


def slots_of(priced: PricedWeek, visits_per_week: int) -> list[SlotQuote]:
    """Every (crew, pattern) whose days the crew works that week, best first."""
    slots = []
    for crew in priced.crews:
        for pattern in day_patterns(visits_per_week):
            days = [priced.days.get((crew.id, weekday)) for weekday in pattern]
            if all(d is not None for d in days):
                slots.append(_slot(crew, pattern, [d for d in days if d], priced.job))
    slots.sort(key=lambda s: (not s.fits, s.extra_drive_s, s.extra_distance_m, s.crew_name,
                              s.days))  # fmt: skip
    return slots


def quote_site(
    session: Session, *, lat: float, lon: float, service_id: int, visits_per_week: int = 1,
    window: tuple[int, int] | None = None, week_start: dt.date | None = None, limit: int = 5,
) -> Quote:  # fmt: skip
    """Best crew/weekday slots for a new recurring visit at (lat, lon) against the latest
    published plan (week_start=None: the latest published week on or after today, else the
    latest published). Exact cheapest insertion per crew-day (all positions, windows, shift
    end and breaks respected), summed over the pattern's days.

    Parameters
    ----------
    window
        Earliest and latest service start, seconds after midnight (``None``: any time).
    limit
        Most slots returned.

    Raises
    ------
    ValueError
        Unknown ``service_id``, ``visits_per_week`` outside 1..7, or a bad window.
    """
    started = time.perf_counter()
    service = session.get(ServiceType, service_id)
    if service is None:
        raise ValueError(f"service_id: there is no service {service_id}")
    day_patterns(visits_per_week)  # validates before any work
    if window is not None and not 0 <= window[0] <= window[1]:
        raise ValueError(f"window: {window} is not a (start, end) pair of seconds")
    priced = price_week(session, lat=lat, lon=lon, service=service, window=window,
                        week_start=week_start)  # fmt: skip
    slots = slots_of(priced, visits_per_week)[: max(limit, 0)]
    cost = DEFAULT_CREW_COST_PER_HOUR
    if slots:
        best = next(c for c in priced.crews if c.id == slots[0].crew_id)
        cost = best.hourly_cost if best.hourly_cost is not None else cost
    return Quote(
        week_start=priced.week_start,
        plan_id=priced.plan_id,
        slots=tuple(slots),
        drive_cost_per_hour=Decimal(cost),
        elapsed_s=time.perf_counter() - started,
        plan_status=priced.plan_status,
    )
