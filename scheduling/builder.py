"""Translate the business (crews, sites, agreements) into the planner's problem.

The only place where database rows become optimizer data: crews become :class:`Crew` with
per-day shifts, every due visit request of an agreement becomes a :class:`PeriodicJob` whose
patterns are day indices of the horizon (day 0 = the first Monday). Visits that are due but
cannot be planned at all (no coordinates, every allowed day a holiday) never reach the solver;
they come back in :attr:`PlanningProblem.impossible` with their reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

import crm.models  # noqa: F401  (every CRM table must be mapped before the first query)
from crm.agreements import Agreement, AgreementStatus, FrequencyUnit
from crm.crews import Crew as CrewRow
from crm.crews import Holiday
from crm.customers import Site
from optimizer import Break, Location, TimeWindow
from optimizer.matrix import HaversineProvider, MatrixProvider
from optimizer.periodic import ConsistencyWeights, Crew, PeriodicJob, PeriodicProblem
from optimizer.units import MINUTE, cents
from scheduling.job_patterns import day_of, pinned_job, with_extra_visits
from scheduling.models import Plan, PlanStatus, UnplacedVisit
from scheduling.recurrence import WEEK, Calendar, RecurrenceRule, VisitRequest, expand

Mode = Literal["optimize", "as_is"]
#: Unplaced code of visits a bad-day re-plan moved to the next week.
DEFERRED = "deferred"
#: (agreement id, visit index) -> (date, crew id): visits a re-solve must keep where they are
#: (crew None: only the day is kept).
Pins = Mapping[tuple[int, int], tuple[dt.date, int | None]]


@dataclass(frozen=True)
class TravelModel:
    """How the company's travel is estimated without a road network.

    The defaults are those the sample company was sized with: 45 km/h door to door on roads
    1.3 times longer than the straight line, plus a setup of 2 minutes per visit (parking,
    walking to the gate), which is added to the time on site.
    """

    speed_kmh: float = 45.0
    detour: float = 1.3
    setup_min: int = 2

    def provider(self) -> MatrixProvider:
        return HaversineProvider(speed_kmh=self.speed_kmh, detour=self.detour)


@dataclass(frozen=True)
class Horizon:
    """``weeks`` weeks from ``first_monday``; day index 0 is that Monday."""

    first_monday: dt.date
    weeks: int = 1

    def __post_init__(self) -> None:
        if self.first_monday.weekday() != 0:
            raise ValueError(f"first_monday: {self.first_monday} is a {self.first_monday:%A}")
        if not 1 <= self.weeks <= 4:
            raise ValueError(f"weeks: {self.weeks} is not in 1..4")

    @property
    def days(self) -> int:
        return 7 * self.weeks

    def date(self, day: int) -> dt.date:
        return self.first_monday + dt.timedelta(days=day)

    def day(self, date: dt.date) -> int:
        return (date - self.first_monday).days


@dataclass(frozen=True)
class Impossible:
    """A due visit that cannot be planned, with the reason a dispatcher reads."""

    agreement_id: int
    week_start: dt.date
    code: str
    reason: str


@dataclass(frozen=True)
class PlanningProblem:
    """The planner's problem plus the keys to translate its answer back to rows."""

    horizon: Horizon
    problem: PeriodicProblem
    job_agreement: Mapping[str, int]
    job_week: Mapping[str, dt.date]
    crew_row: Mapping[str, int]
    impossible: Sequence[Impossible] = field(default_factory=tuple)


def rule_of(agreement: Agreement) -> RecurrenceRule:
    """The calendar rule of an agreement row."""
    season = None
    if agreement.season_start and agreement.season_end:
        season = (agreement.season_start, agreement.season_end)
    return RecurrenceRule(
        unit="month" if agreement.frequency_unit is FrequencyUnit.MONTH else "week",
        interval=agreement.frequency_interval,
        visits_per_period=agreement.visits_per_period,
        day_patterns=tuple(frozenset(p) for p in agreement.day_patterns),
        min_spacing_days=agreement.min_spacing_days,
        anchor=agreement.anchor_date,
        season=season,
        start_date=agreement.start_date,
        end_date=agreement.end_date,
    )


def _crew_of(
    row: CrewRow, horizon: Horizon, holidays: Collection[dt.date], start: int, end: int
) -> Crew:
    shifts = {}
    by_weekday = {s.weekday: s for s in row.shifts}
    for day in range(horizon.days):
        date = horizon.date(day)
        shift = by_weekday.get(date.weekday())
        if shift is not None and date not in holidays:
            shifts[day] = TimeWindow(shift.start_min * MINUTE, shift.end_min * MINUTE)
    lunch = None
    if row.lunch_min:
        lunch = Break(
            row.lunch_min * MINUTE,
            TimeWindow(row.lunch_start_min * MINUTE, row.lunch_end_min * MINUTE),
        )
    return Crew(
        id=row.external_id,
        start=start,
        end=end,
        skills=frozenset(row.skills),
        shifts=shifts,
        lunch=lunch,
        cost_per_hour=cents(float(row.hourly_cost)) if row.hourly_cost is not None else 0,
    )


def _patterns(request: VisitRequest, horizon: Horizon) -> tuple[frozenset[int], ...]:
    return tuple(frozenset(horizon.day(d) for d in p) for p in request.patterns)


def _as_is_pattern(
    agreement: Agreement, request: VisitRequest, horizon: Horizon
) -> tuple[frozenset[int], ...]:
    """Today's weekdays in this week, if they are still allowed; else the allowed patterns."""
    wanted = frozenset(
        horizon.day(request.week_start + dt.timedelta(days=wd)) for wd in agreement.current_days
    )
    allowed = _patterns(request, horizon)
    if wanted in allowed:
        return (wanted,)
    return allowed


def build_problem(
    session: Session,
    horizon: Horizon,
    *,
    mode: Mode = "optimize",
    previous: Mapping[int, Sequence[tuple[dt.date, int]]] | None = None,
    weights: ConsistencyWeights | None = None,
    stability_budget: int | None = None,
    matrix_provider: MatrixProvider | None = None,
    travel: TravelModel = TravelModel(),
    pins: Pins | None = None,
    days_off: Mapping[int, Collection[dt.date]] | None = None,
    not_before: dt.date | None = None,
) -> PlanningProblem:
    """Build the planner's problem for ``horizon`` from the database.

    Parameters
    ----------
    mode
        ``"optimize"`` lets the planner choose day and crew; ``"as_is"`` keeps every
        agreement on today's crew and weekdays (``current_*`` columns) and only orders each
        crew-day, which is what field-service suites do today.
    previous
        Agreement id -> ``(date, crew id)`` of its visits in the previous plan; defaults to
        today's as-is assignment.
    pins
        Visits to keep on their day and crew (a dispatcher's edits, visits already done). A
        job's patterns are cut to those holding its pinned days (or, when none does, the
        pinned days plus other allowed days) and the job is pinned to the crew of its pinned
        visits (the planner pins one crew per job; with pins on several crews the first
        visit's crew wins and the others are only preferred through ``previous``).
    days_off
        Crew id -> extra dates it does not work (a rained-out day).
    not_before
        No unpinned visit is placed before this date (a re-plan in the middle of a week).
    """
    holiday_rows = session.scalars(
        select(Holiday).where(
            Holiday.date >= horizon.first_monday, Holiday.date < horizon.date(horizon.days)
        )
    ).all()
    holidays = {h.date for h in holiday_rows if h.region is None}
    regional: dict[str, set[dt.date]] = {}
    for h in holiday_rows:
        if h.region is not None:
            regional.setdefault(h.region, set()).add(h.date)
    crews = session.scalars(
        select(CrewRow).where(CrewRow.active).options(selectinload(CrewRow.shifts))
        .order_by(CrewRow.external_id)
    ).all()
    agreements = session.scalars(
        select(Agreement)
        .where(Agreement.status == AgreementStatus.ACTIVE)
        .options(
            selectinload(Agreement.site).selectinload(Site.customer),
            selectinload(Agreement.service_type),
            selectinload(Agreement.current_crew),
            selectinload(Agreement.preferred_crew),
        )
        .order_by(Agreement.external_id)
    ).all()
    crew_ext = {c.id: c.external_id for c in crews}

    locations: list[Location] = []
    crew_objs = []
    for row in crews:
        start = len(locations)
        locations.append(Location(f"crew:{row.external_id}:start", row.start_lat, row.start_lon))
        end = start
        if (row.end_lat, row.end_lon) != (row.start_lat, row.start_lon):
            end = len(locations)
            locations.append(Location(f"crew:{row.external_id}:end", row.end_lat, row.end_lon))
        off = holidays | regional.get(row.region or "", set())
        off |= set((days_off or {}).get(row.id, ()))
        crew_objs.append(_crew_of(row, horizon, off, start, end))
    workdays = frozenset(s.weekday for c in crews for s in c.shifts)
    calendar = Calendar(workdays=workdays or frozenset(range(5)), holidays=frozenset(holidays))
    # A site in a region with its own holiday keeps its visits off that day too.
    calendars = {region: replace(calendar, holidays=calendar.holidays | days)
                 for region, days in regional.items()}  # fmt: skip

    site_location: dict[int, int] = {}
    jobs: list[PeriodicJob] = []
    job_agreement: dict[str, int] = {}
    job_week: dict[str, dt.date] = {}
    impossible: list[Impossible] = []
    previous = previous or {}
    pinned_by_agreement: dict[int, list[tuple[int, dt.date, int | None]]] = {}
    for (agreement_id, index), (date, crew_id) in sorted((pins or {}).items()):
        if 0 <= horizon.day(date) < horizon.days:
            pinned_by_agreement.setdefault(agreement_id, []).append((index, date, crew_id))
    first_free = horizon.day(not_before) if not_before else 0
    working = {c.id: frozenset(c.shifts) for c in crew_objs}
    anyone = frozenset(d for days in working.values() for d in days)
    deferred = deferred_visits(session, horizon)
    for agreement in agreements:
        site = agreement.site
        requests = expand(agreement.external_id, rule_of(agreement), horizon.first_monday,
                          horizon.weeks, calendars.get(site.region or "", calendar))
        due_weeks = {r.week_start for r in requests}
        for (agreement_id, monday), count in sorted(deferred.items()):
            if agreement_id == agreement.id and monday not in due_weeks:
                week = tuple(monday + dt.timedelta(days=d) for d in range(7))
                requests.append(VisitRequest(agreement.external_id, monday, 1,
                                             tuple((d,) for d in week if d not in holidays)))
                deferred[(agreement_id, monday)] = count - 1
        for request in requests:
            if site.lat is None or site.lon is None:
                impossible.append(Impossible(agreement.id, request.week_start, "no_coordinates",
                                             f"site {site.external_id} has no coordinates"))
                continue
            if not request.patterns:
                impossible.append(Impossible(agreement.id, request.week_start, "no_day",
                                             request.reason or "no allowed day"))
                continue
            if site.id not in site_location:
                site_location[site.id] = len(locations)
                locations.append(Location(f"site:{site.external_id}", site.lat, site.lon))
            job_id = f"{agreement.external_id}/{request.week_start.isoformat()}"
            job = _job(agreement, request, horizon, mode, job_id, site_location[site.id],
                       crew_ext, previous.get(agreement.id), travel.setup_min)
            if extra := deferred.get((agreement.id, request.week_start), 0):
                job = with_extra_visits(job, extra, horizon.day(request.week_start))
            week_pins = [(horizon.day(d), crew_ext.get(c) if c else None) for _, d, c in
                         pinned_by_agreement.get(agreement.id, ())
                         if d - request.week_start < WEEK and d >= request.week_start]
            if week_pins or first_free:
                crew = next((c for _, c in sorted(week_pins, key=day_of) if c is not None), None)
                kept, missing = pinned_job(job, week_pins, first_free,
                                        horizon.day(request.week_start),
                                        working[crew] if crew in working else anyone)
                if missing:
                    since = not_before or horizon.first_monday
                    reason = (f"no allowed day is left this week from {since:%a %d %b}"
                              if not week_pins else
                              "no allowed day is left this week next to its kept visits")
                    impossible.append(Impossible(agreement.id, request.week_start,
                                                 "no_day_left", reason))
                if kept is None:
                    continue
                job = kept
            jobs.append(job)
            job_agreement[job_id] = agreement.id
            job_week[job_id] = request.week_start

    provider = matrix_provider or travel.provider()
    durations, distances = provider.matrices(locations)
    problem = PeriodicProblem(
        duration_matrix=durations,
        distance_matrix=distances,
        crews=tuple(crew_objs),
        jobs=tuple(jobs),
        days=horizon.days,
        weights=weights or ConsistencyWeights(),
        stability_budget=stability_budget,
        locations=tuple(locations),
    )
    return PlanningProblem(
        horizon=horizon,
        problem=problem,
        job_agreement=job_agreement,
        job_week=job_week,
        crew_row={c.external_id: c.id for c in crews},
        impossible=tuple(impossible),
    )


def deferred_visits(session: Session, horizon: Horizon) -> dict[tuple[int, dt.date], int]:
    """(agreement id, Monday) -> visits deferred into that week of the horizon.

    A bad-day re-plan stores the visits it could not fit as ``deferred`` unplaced rows whose
    ``week_start`` is the next week; they count once the re-planned draft is published (the
    published plan of the week before), so an abandoned draft defers nothing.
    """
    mondays = [horizon.first_monday + k * WEEK for k in range(horizon.weeks)]
    rows = session.execute(
        select(UnplacedVisit.agreement_id, UnplacedVisit.week_start, Plan.week_start)
        .join(Plan, UnplacedVisit.plan_id == Plan.id)
        .where(UnplacedVisit.code == DEFERRED, UnplacedVisit.week_start.in_(mondays),
               Plan.status == PlanStatus.PUBLISHED)
    ).all()
    counts: dict[tuple[int, dt.date], int] = {}
    for agreement_id, monday, plan_week in rows:
        if plan_week + WEEK == monday:
            counts[(agreement_id, monday)] = counts.get((agreement_id, monday), 0) + 1
    return counts


def _job(
    agreement: Agreement,
    request: VisitRequest,
    horizon: Horizon,
    mode: Mode,
    job_id: str,
    location: int,
    crew_ext: Mapping[int, str],
    previous: Sequence[tuple[dt.date, int]] | None,
    setup_min: int,
) -> PeriodicJob:
    """One agreement's visits of one week as a planner job."""
    service = agreement.service_type
    skills = set(agreement.site.required_skills)
    if service.required_skill:
        skills.add(service.required_skill)
    windows = ()
    if agreement.tw_start_min is not None and agreement.tw_end_min is not None:
        windows = (TimeWindow(agreement.tw_start_min * MINUTE, agreement.tw_end_min * MINUTE),)
    current_crew = crew_ext.get(agreement.current_crew_id) if agreement.current_crew_id else None
    if previous is None:
        previous_pairs = tuple(
            (horizon.day(request.week_start + dt.timedelta(days=wd)), current_crew)
            for wd in sorted(agreement.current_days)
            if current_crew is not None
        )
    else:
        previous_pairs = tuple(
            (horizon.day(date), crew_ext[crew]) for date, crew in previous
            if crew in crew_ext and 0 <= horizon.day(date) < horizon.days
        )
    patterns = _patterns(request, horizon)
    pinned = None
    if mode == "as_is":
        patterns = _as_is_pattern(agreement, request, horizon)
        pinned = (None, current_crew) if current_crew else None
    preferred_days = frozenset()
    if agreement.preferred_weekday is not None:
        preferred_days = frozenset({horizon.day(request.week_start) + agreement.preferred_weekday})
    return PeriodicJob(
        id=job_id,
        location=location,
        service=(agreement.duration_min + setup_min) * MINUTE,
        windows=windows,
        skills=frozenset(skills),
        priority=agreement.priority,
        patterns=patterns,
        pinned_day_crew=pinned,
        preferred_crew=crew_ext.get(agreement.preferred_crew_id)
        if agreement.preferred_crew_id
        else None,
        preferred_days=preferred_days,
        previous=previous_pairs,
    )
