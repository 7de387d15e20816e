"""Re-timing a crew-day after an edit: the solver's timing model (lunch in a drive or after the
last visit, never in a visit), the same feasibility as the quotes' insertion, and the solver's
own times on its own routes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import select, update

from crm.agreements import Agreement, AgreementStatus
from crm.crews import Crew, CrewShift
from crm.customers import Site
from crm.db import make_engine, make_session_factory
from dashboard.demo import load_demo
from optimizer import Break, TimeWindow
from optimizer.insertion import InsertionJob, InsertionRoute, RouteTimes
from optimizer.route_timing import schedule_route
from scheduling.models import PlannedVisit
from scheduling.planning import plan_week
from scheduling.plans import load_plan
from scheduling.retime import time_day
from tests.scheduling.test_plans import PARAMS, WEEK_49

YARD = (27.95, -82.45)


def _crew(shift_end_min: int, lunch: tuple[int, int]) -> Crew:
    return Crew(name="Test Crew", start_lat=YARD[0], start_lon=YARD[1], end_lat=YARD[0],
                end_lon=YARD[1], lunch_min=30, lunch_start_min=lunch[0], lunch_end_min=lunch[1],
                shifts=[CrewShift(weekday=0, start_min=8 * 60, end_min=shift_end_min)])  # fmt: skip


def _visit(name: str, minutes: int, window: tuple[int, int] | None = None) -> Agreement:
    """A visit at the yard (no travel) of ``minutes`` on site, 2 of them setup."""
    start, end = window or (None, None)
    return Agreement(external_id=name, duration_min=minutes - 2, tw_start_min=start,
                     tw_end_min=end, site=Site(lat=YARD[0], lon=YARD[1]))  # fmt: skip


def _hours(day) -> list[tuple[float, float, float]]:  # type: ignore[no-untyped-def]
    return [(s.arrival_s / 3600, s.start_s / 3600, s.end_s / 3600) for s in day.stops]


def test_lunch_after_the_last_visit_keeps_every_window() -> None:
    """Shift 08:00-13:00, lunch 30 min starting 11:30-13:30: A 08:00-11:00, B waits for its
    11:30 window, 11:30-12:30, C 12:30-13:00 inside its window (ends 12:50), back at 13:00,
    lunch from 13:00. No warning: the solver would accept this day (the old walk took the
    lunch before C and warned twice)."""
    day = time_day(_crew(13 * 60, (690, 810)), WEEK_49, [
        _visit("A", 180), _visit("B", 60, (690, 720)), _visit("C", 30, (480, 770))])  # fmt: skip
    assert _hours(day) == [(8, 8, 11), (11, 11.5, 12.5), (12.5, 12.5, 13)]
    assert day.lunch_start_s == 13 * 3600 and day.warnings == ()


def test_lunch_fills_the_wait_for_a_window() -> None:
    """Lunch 11:00-12:00 (start): A 08:00-10:00; lunch from 11:00 while waiting for B's 12:30
    window; B 12:30-13:30; C 13:30-14:00: the wait holds the lunch, nothing moves later."""
    day = time_day(_crew(17 * 60, (660, 720)), WEEK_49, [
        _visit("A", 120), _visit("B", 60, (750, 780)), _visit("C", 30)])  # fmt: skip
    assert _hours(day) == [(8, 8, 10), (11.5, 12.5, 13.5), (13.5, 13.5, 14)]
    assert day.lunch_start_s == 11 * 3600 and day.warnings == ()


def test_broken_rules_come_back_as_warnings() -> None:
    """Shift to 12:50 with the first day: back at 13:00 is the least broken schedule (one
    rule, 10 minutes). A lunch that must start by 11:45 behind a 4-hour visit from 08:00, on
    a shift to 16:00: waiting for it before the visit ends the day at 16:30, so the least
    late schedule starts it at 12:00, after the visit."""
    crew = _crew(12 * 60 + 50, (690, 810))
    day = time_day(crew, WEEK_49, [
        _visit("A", 180), _visit("B", 60, (690, 720)), _visit("C", 30, (480, 770))])  # fmt: skip
    assert day.warnings == (
        "Test Crew, Mon 30 Nov: the route ends 13:00, after the shift ends 12:50",)
    day = time_day(_crew(16 * 60, (690, 705)), WEEK_49, [_visit("A", 240), _visit("B", 30)])
    assert _hours(day) == [(8, 8, 12), (12.5, 12.5, 13)]
    assert day.warnings == (
        "Test Crew, Mon 30 Nov: no room for the lunch before 11:45; it starts 12:00",)


def _random_route(rng: np.random.Generator, size: int) -> InsertionRoute:
    stops = []
    for location in rng.integers(2, size, rng.integers(0, 7)):
        window = None
        if rng.random() < 0.5:
            start = int(rng.integers(8, 15)) * 3600
            window = TimeWindow(start, start + int(rng.integers(1, 4)) * 3600)
        stops.append(InsertionJob(int(location), int(rng.integers(10, 90)) * 60, window))
    lunch = None
    if rng.random() < 0.8:
        open_ = int(rng.integers(10, 14)) * 3600
        lunch = Break(1800, TimeWindow(open_, open_ + int(rng.integers(0, 3)) * 3600))
    shift = TimeWindow(8 * 3600, int(rng.integers(12, 18)) * 3600)
    return InsertionRoute(0, 1, shift, tuple(stops), lunch)


def test_schedule_is_feasible_exactly_when_the_insertion_model_says_so() -> None:
    """On 400 random routes (windows, lunches, short shifts) the schedule keeps every rule
    exactly when the quotes' Savelsbergh passes find the route feasible; a feasible one
    keeps the windows, the shift, the lunch window and the lunch's room in its leg."""
    rng = np.random.default_rng(7)
    size = 8
    durations = rng.integers(0, 3600, (size, size))
    np.fill_diagonal(durations, 0)
    routes = [_random_route(rng, size) for _ in range(400)]
    feasible = RouteTimes(routes, durations).route_feasible
    assert 50 < int(feasible.sum()) < 350  # both kinds are exercised
    for route, expected in zip(routes, feasible.tolist(), strict=True):
        schedule = schedule_route(route, durations)
        assert schedule.feasible == expected
        if not expected:
            continue
        finish, here = route.shift.start, route.start
        for leg, stop in enumerate([*route.stops, None]):
            there = route.end if stop is None else stop.location
            reach = finish + int(durations[here, there])
            if route.lunch is not None and leg == schedule.lunch_leg:
                assert route.lunch.window.start <= schedule.lunch_start <= route.lunch.window.end
                reach = max(reach, route.lunch.window.start) + route.lunch.duration
            if stop is None:
                assert schedule.back == reach <= route.shift.end
                break
            timed = schedule.stops[leg]
            opens, closes = (stop.window.start, stop.window.end) if stop.window else (0, 2**40)
            assert timed.arrival == reach and timed.start == max(reach, opens)
            assert timed.start <= closes and timed.end == timed.start + stop.service
            finish, here = timed.end, there


@pytest.fixture
def solver_week(database_url: str):  # type: ignore[no-untyped-def]
    """A solver's week on the sample company's first 250 agreements (many full days)."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        load_demo(session)
        keep = session.scalars(select(Agreement.id).where(
            Agreement.status == AgreementStatus.ACTIVE).order_by(Agreement.external_id).limit(250)
        ).all()  # fmt: skip
        session.execute(update(Agreement).where(Agreement.id.not_in(keep))
                        .values(status=AgreementStatus.PAUSED))  # fmt: skip
    plan_id = plan_week(factory, WEEK_49, PARAMS)
    yield factory, plan_id
    engine.dispose()


def test_retiming_the_solvers_routes_gives_its_times(solver_week) -> None:  # type: ignore[no-untyped-def]
    """Every stop of the solver's own routes, re-timed in order, starts when the solver has
    it start, or earlier only on a route the solver leaves the yard after the shift start
    (its finalizer starts a route as late as its end allows; re-timing leaves at the shift
    start): never later, never with a warning, and with its travel."""
    factory, plan_id = solver_week
    with factory() as session:
        plan = load_plan(session, plan_id)
        routes: dict[tuple[int, dt.date], list[PlannedVisit]] = {}
        for visit in plan.visits:
            routes.setdefault((visit.crew_id, visit.date), []).append(visit)
        travel = equal = in_a_drive = 0
        for (crew_id, date), route in sorted(routes.items()):
            route.sort(key=lambda v: v.sequence)
            crew = session.get_one(Crew, crew_id)
            day = time_day(crew, date, [v.agreement for v in route])
            assert day.warnings == ()
            travel += day.travel_s
            lunch = day.lunch_start_s
            in_a_drive += lunch is not None and lunch < day.stops[-1].end_s
            shift_start = next(s.start_min * 60 for s in crew.shifts
                               if s.weekday == date.weekday())  # fmt: skip
            leaves_late = route[0].arrival_s - route[0].travel_s > shift_start
            for visit, stop in zip(route, day.stops, strict=True):
                assert stop.start_s <= visit.start_s
                assert stop.start_s == visit.start_s or leaves_late
                equal += stop.start_s == visit.start_s
        assert travel == plan.kpis["travel_s"]
        assert in_a_drive > 5 and equal > len(plan.visits) * 0.8
