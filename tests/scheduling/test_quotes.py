"""Route-aware quotes: slots, patterns, holidays, margins, and exactness against the core."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks.quote import core_route_travel, verify_slot
from crm.agreements import Agreement
from crm.crews import Crew, Holiday
from crm.services import ServiceType
from optimizer import Location, SolveParams
from optimizer.insertion import RouteTimes, insertion_table
from optimizer.matrix import haversine_matrices
from scheduling.builder import TravelModel
from scheduling.models import Plan, PlannedVisit, PlanStatus
from scheduling.planning import plan_week
from scheduling.plans import publish
from scheduling.quotes import (
    day_patterns,
    find_published_plan,
    margin_per_visit,
    price_week,
    quote_site,
)

WEEK_49 = dt.date(2026, 11, 30)
TUESDAY = WEEK_49 + dt.timedelta(days=1)
NEAR_S2 = (27.9420, -82.4690)  # a prospect 250 m from site S2, 2 km from C1's yard


def _service(session: Session, code: str) -> ServiceType:
    return session.scalars(select(ServiceType).where(ServiceType.code == code)).one()


def _publish_full_tuesday(session: Session, crew_id: int) -> Plan:
    """A published plan where C1's Tuesday holds five 90-minute window cleans at S2.

    5 x (90 + 2 setup) = 460 min + 30 min lunch + the drives fill most of 07:30-16:00
    (510 min): a sixth 92-minute visit cannot fit.
    """
    a2 = session.scalars(select(Agreement).where(Agreement.external_id == "A2")).one()
    plan = Plan(week_start=WEEK_49, version=1, status=PlanStatus.PUBLISHED)
    for i in range(5):
        start = 8 * 3600 + i * 92 * 60
        plan.visits.append(PlannedVisit(
            agreement_id=a2.id, visit_index=i, date=TUESDAY, crew_id=crew_id, sequence=i,
            arrival_s=start, start_s=start, end_s=start + 92 * 60,
        ))  # fmt: skip
    session.add(plan)
    session.commit()
    return plan


# --- pure parts ----------------------------------------------------------------------------


def test_day_patterns_are_evenly_spaced() -> None:
    """One visit: any day; two: three days apart (the sample's Mon+Thu, Tue+Fri, and on);
    three: every other day; outside 1..7 is an error."""
    assert day_patterns(1) == tuple((d,) for d in range(7))
    assert day_patterns(2) == ((0, 3), (1, 4), (2, 5), (3, 6))
    assert day_patterns(3) == ((0, 2, 4), (1, 3, 5), (2, 4, 6))
    with pytest.raises(ValueError, match="visits_per_week"):
        day_patterns(0)


def test_margin_per_visit_rounds_half_up_to_cents() -> None:
    """40.00 - 48.00/h x (1920 s + 600 s) = 40.00 - 33.60 = 6.40; 10 - 54/h x 1 s = 9.985,
    which rounds half-up to 9.99 (half-even would give 9.98)."""
    assert margin_per_visit(Decimal("40.00"), 1920, 600, Decimal("48.00")) == Decimal("6.40")
    assert margin_per_visit(Decimal("10"), 1, 0, Decimal("54")) == Decimal("9.99")


# --- the tiny company ----------------------------------------------------------------------


def test_quote_without_a_plan_prices_a_round_trip_from_the_yard(
    session: Session, tiny_company: dict[str, int]
) -> None:
    """No published plan: every working day of the ladder crew is an empty route, so each
    slot costs the drive yard -> prospect -> yard, and the week is the coming one."""
    service = _service(session, "window_clean")
    today = dt.date(2026, 11, 25)
    quote = quote_site(session, lat=NEAR_S2[0], lon=NEAR_S2[1], service_id=service.id,
                       week_start=None, limit=10)  # fmt: skip
    assert quote.plan_id is None
    c1 = session.get(Crew, tiny_company["C1"])
    assert c1 is not None
    durations, distances = haversine_matrices(
        [Location("yard", c1.start_lat, c1.start_lon), Location("new", *NEAR_S2)],
        TravelModel().speed_kmh, TravelModel().detour,
    )
    trip = int(durations[0, 1] + durations[1, 0])
    assert [s.days for s in quote.slots] == [(d,) for d in range(5)]  # C1 works Mon-Fri
    assert {(s.crew_id, s.extra_drive_s, s.fits) for s in quote.slots} == {
        (c1.id, trip, True)
    }
    assert quote.slots[0].start_s == 7 * 3600 + 30 * 60 + int(durations[0, 1])
    assert quote.drive_cost_per_hour == Decimal("42.50")
    assert find_published_plan(session, None, today) is None
    assert price_week(session, lat=0.0, lon=0.0, service=service, today=today).week_start == (
        WEEK_49
    )


def test_quote_names_a_full_day_and_ranks_it_last(
    session: Session, tiny_company: dict[str, int]
) -> None:
    """C1's published Tuesday is full: its slot comes last with fits False and a reason;
    the empty days fit."""
    _publish_full_tuesday(session, tiny_company["C1"])
    service = _service(session, "window_clean")
    quote = quote_site(session, lat=NEAR_S2[0], lon=NEAR_S2[1], service_id=service.id,
                       week_start=WEEK_49, limit=10)  # fmt: skip
    assert quote.plan_id is not None and quote.week_start == WEEK_49
    assert [s.fits for s in quote.slots] == [True] * 4 + [False]
    last = quote.slots[-1]
    assert last.days == (1,) and last.start_s == 0
    assert last.reason is not None and last.reason.startswith("Tue: full (no position")
    # Inserted beside the stops at S2 it would add less drive than a round trip: the
    # ranking puts fitting slots first even so.
    assert last.extra_drive_s < quote.slots[0].extra_drive_s


def test_quote_skips_holidays_of_the_crew(session: Session, tiny_company: dict[str, int]) -> None:
    """A company holiday on Wednesday and a holiday of another region on Thursday: only
    Wednesday disappears from C1's slots."""
    session.add_all([
        Holiday(date=WEEK_49 + dt.timedelta(days=2), name="Company day"),
        Holiday(date=WEEK_49 + dt.timedelta(days=3), name="Elsewhere", region="Orlando"),
    ])  # fmt: skip
    session.commit()
    service = _service(session, "window_clean")
    quote = quote_site(session, lat=NEAR_S2[0], lon=NEAR_S2[1], service_id=service.id,
                       week_start=WEEK_49, limit=10)  # fmt: skip
    assert sorted(s.weekday for s in quote.slots) == [0, 1, 3, 4]
    twice = quote_site(session, lat=NEAR_S2[0], lon=NEAR_S2[1], service_id=service.id,
                       visits_per_week=2, week_start=WEEK_49)  # fmt: skip
    # Mon/Thu and Tue/Fri; Wed/Sat is out (holiday, and C1 never works Saturdays)
    assert sorted(s.days for s in twice.slots) == [(0, 3), (1, 4)]


def test_quote_respects_the_asked_window(session: Session, tiny_company: dict[str, int]) -> None:
    """A window that closes before C1 can arrive makes every slot unfit, with the reason."""
    service = _service(session, "window_clean")
    quote = quote_site(session, lat=NEAR_S2[0], lon=NEAR_S2[1], service_id=service.id,
                       window=(6 * 3600, 7 * 3600), week_start=WEEK_49)  # fmt: skip
    assert quote.slots and not any(s.fits for s in quote.slots)
    assert "06:00-07:00 window cannot be reached" in (quote.slots[0].reason or "")


def test_quote_rejects_bad_input(session: Session, tiny_company: dict[str, int]) -> None:
    """Unknown services, impossible frequencies and inverted windows are errors."""
    service = _service(session, "window_clean")
    with pytest.raises(ValueError, match="no service"):
        quote_site(session, lat=27.9, lon=-82.4, service_id=10_000)
    with pytest.raises(ValueError, match="visits_per_week"):
        quote_site(session, lat=27.9, lon=-82.4, service_id=service.id, visits_per_week=8)
    with pytest.raises(ValueError, match="window"):
        quote_site(session, lat=27.9, lon=-82.4, service_id=service.id, window=(50, 10))


def test_find_published_plan_prefers_the_latest_week_not_over(session: Session) -> None:
    """Published weeks 47 and 49, a draft of week 50: from week 48 the quote uses week 49;
    once week 49 is over it still falls back to it; a given week is taken as asked."""
    for week, status in ((47, PlanStatus.PUBLISHED), (49, PlanStatus.PUBLISHED),
                         (50, PlanStatus.DRAFT)):  # fmt: skip
        session.add(Plan(week_start=dt.date.fromisocalendar(2026, week, 1), version=1,
                         status=status))  # fmt: skip
    session.commit()
    w47, w49 = dt.date.fromisocalendar(2026, 47, 1), WEEK_49
    assert find_published_plan(session, None, dt.date(2026, 11, 25)).week_start == w49
    assert find_published_plan(session, None, dt.date(2027, 1, 6)).week_start == w49
    assert find_published_plan(session, w47 + dt.timedelta(days=3)).week_start == w47
    assert find_published_plan(session, dt.date.fromisocalendar(2026, 50, 1)) is None


def test_find_plan_falls_back_to_a_draft_only_before_the_first_publish(session: Session) -> None:
    """A new company has drafts only: quotes use the newest draft of the coming week; once any
    week is published, drafts are never priced against."""
    from scheduling.quotes import find_plan

    w50 = dt.date.fromisocalendar(2026, 50, 1)
    for version in (1, 2):
        session.add(Plan(week_start=w50, version=version, status=PlanStatus.DRAFT))
    session.commit()
    found = find_plan(session, None, dt.date(2026, 11, 25))
    assert (found.week_start, found.version) == (w50, 2)
    assert find_plan(session, None, dt.date(2027, 1, 6)) is None  # that draft's week is over
    session.add(Plan(week_start=WEEK_49, version=1, status=PlanStatus.PUBLISHED))
    session.commit()
    assert find_plan(session, None, dt.date(2026, 11, 25)).week_start == WEEK_49
    assert find_plan(session, w50) is None


# --- exactness on a planned week -------------------------------------------------------------


@pytest.fixture
def planned_company(sample_company):  # type: ignore[no-untyped-def]
    """The sample company's first 40 active agreements, planned for week 49 (solution
    limit, no clock) and published."""
    factory = sample_company(active=40)
    plan_id = plan_week(factory, WEEK_49, SolveParams(time_limit_s=None, solution_limit=10))
    with factory.begin() as session:
        publish(session, plan_id)
    return factory


@pytest.mark.parametrize("per_week", [1, 2])
def test_quote_extra_drive_equals_the_core_re_timing(planned_company, per_week: int) -> None:  # type: ignore[no-untyped-def]
    """For every fitting slot of quotes at a few points, inserting the visit at the chosen
    position and letting OR-Tools time each crew-day (stops pinned in order) serves every
    stop and adds exactly the quoted drive seconds and metres."""
    points = [(27.96, -82.48), (28.03, -82.50), (27.94, -82.33)]
    checked = 0
    with planned_company() as session:
        for code in ("pool_service", "lawn_mow"):
            service = _service(session, code)
            for lat, lon in points:
                quote = quote_site(session, lat=lat, lon=lon, service_id=service.id,
                                   visits_per_week=per_week, limit=3)  # fmt: skip
                assert quote.plan_id is not None
                keys = [(not s.fits, s.extra_drive_s) for s in quote.slots]
                assert keys == sorted(keys)
                for slot in quote.slots:
                    if slot.fits:
                        checked += verify_slot(session, lat, lon, service, slot)
    assert checked >= 6 * per_week


def test_quote_position_is_the_cheapest_the_core_accepts(planned_company) -> None:  # type: ignore[no-untyped-def]
    """On the busiest crew-day, the quoted position is the cheapest of all positions OR-Tools
    can serve in that order, and every position it rejects is one the quote rejects too."""
    with planned_company() as session:
        service = _service(session, "pool_service")
        priced = price_week(session, lat=27.96, lon=-82.48, service=service)
        day = max(priced.days.values(), key=lambda d: len(d.route.stops))
        assert len(day.route.stops) >= 3
        before = core_route_travel(day.route, priced.durations, priced.distances)
        assert before is not None
        accepted = []
        for p in range(len(day.route.stops) + 1):
            stops = (*day.route.stops[:p], priced.job, *day.route.stops[p:])
            after = core_route_travel(replace(day.route, stops=stops), priced.durations,
                                      priced.distances)  # fmt: skip
            if after is not None:
                accepted.append((after[0] - before[0], after[1] - before[1], p))
        assert accepted, "the core fits the visit nowhere; pick another point"
        times = RouteTimes([day.route], priced.durations)
        table = insertion_table(times, priced.job, priced.distances)
        ours = [p for p in range(len(day.route.stops) + 1) if table.feasible[0, p]]
        assert ours == [p for _, _, p in accepted]
        assert day.insertion.feasible
        assert min(accepted) == (
            day.insertion.added_duration, day.insertion.added_distance, day.insertion.position
        )
