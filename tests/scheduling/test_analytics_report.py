"""Owner analytics from stored plans: prices and shifts read from the database, one plan per
week, as-is against optimized. Figures are hand-computed in the docstrings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.agreements import Agreement
from scheduling.analytics_report import owner_report, plan_analytics, representative_plan
from scheduling.models import Plan, PlannedVisit, PlanStatus, UnplacedVisit

MONDAY = dt.date(2026, 11, 30)
TUESDAY = MONDAY + dt.timedelta(days=1)
H, MIN = 3600, 60


@pytest.fixture
def tiny(tiny_company: dict[str, int]) -> dict[str, int]:
    """The tiny company (two crews, three agreements); crew ids by external id."""
    return tiny_company


def no_return(_last: tuple[float, float], _depot: tuple[float, float]) -> int:
    return 0


def _plan(session: Session, crews: dict[str, int], version: int, status: PlanStatus,
          mode: str, travel_scale: int = 1) -> Plan:
    """The tiny company's week: Blue Crew does A1 then A2 on Tuesday, Green Crew A3 on Friday."""
    ids = {a.external_id: a.id for a in session.scalars(select(Agreement))}
    plan = Plan(week_start=MONDAY, version=version, status=status, params={"mode": mode})
    friday = MONDAY + dt.timedelta(days=4)
    plan.visits = [
        PlannedVisit(agreement_id=ids["A1"], date=TUESDAY, crew_id=crews["C1"], sequence=0,
                     arrival_s=7 * H + 40 * MIN, start_s=8 * H, end_s=8 * H + 47 * MIN,
                     travel_s=600 * travel_scale, distance_m=4000),
        PlannedVisit(agreement_id=ids["A2"], date=TUESDAY, crew_id=crews["C1"], sequence=1,
                     arrival_s=9 * H, start_s=9 * H, end_s=10 * H, travel_s=780 * travel_scale,
                     distance_m=6500),
        PlannedVisit(agreement_id=ids["A3"], date=friday, crew_id=crews["C2"], sequence=0,
                     arrival_s=7 * H + 15 * MIN, start_s=7 * H + 15 * MIN, end_s=8 * H,
                     travel_s=900 * travel_scale, distance_m=7000),
    ]
    session.add(plan)
    session.flush()
    return plan


def test_plan_analytics_reads_prices_and_shifts(
    session: Session, tiny: dict[str, int]
) -> None:
    """Blue: 47 + 60 min on site, 1,380 s drive, 8.5 h shift, 120 + 150 revenue."""
    plan = _plan(session, tiny, 1, PlanStatus.DRAFT, "optimize")
    session.add(UnplacedVisit(plan_id=plan.id, agreement_id=plan.visits[0].agreement_id,
                              week_start=MONDAY, code="unplaced", reason="no room"))
    session.commit()
    result = plan_analytics(session, plan.id, return_leg=no_return)
    assert result is not None and result.unplaced == 1 and result.mode == "optimize"
    blue, green = result.crews
    assert (blue.name, green.name) == ("Blue Crew", "Green Crew")
    assert (blue.service_s, blue.drive_s, blue.paid_s) == (107 * MIN, 1380, 8 * H + 30 * MIN)
    assert blue.revenue == Decimal("270.00")
    assert (green.service_s, green.drive_s, green.paid_s) == (45 * MIN, 900, 8 * H + 30 * MIN)
    assert result.total.revenue == Decimal("315.00")
    assert result.total.paid_s == 17 * H
    assert plan_analytics(session, 99999) is None


def test_owner_report_prefers_the_published_plan_and_compares_as_is(
    session: Session, tiny: dict[str, int]
) -> None:
    """The week's trend point is its published plan; as-is drives twice the optimized plan."""
    as_is = _plan(session, tiny, 1, PlanStatus.DRAFT, "as_is", travel_scale=2)
    published = _plan(session, tiny, 2, PlanStatus.PUBLISHED, "optimize")
    newer_draft = _plan(session, tiny, 3, PlanStatus.DRAFT, "optimize")
    session.commit()
    assert representative_plan([newer_draft, published, as_is]) is published
    report = owner_report(session, return_leg=no_return)
    assert [p.plan_id for p in report.trend] == [published.id]
    assert report.current is not None and report.current.plan_id == published.id
    (comparison,) = report.comparisons
    assert comparison.as_is.plan_id == as_is.id
    assert comparison.optimized.plan_id == published.id
    # as-is drives 2 x (600 + 780 + 900) = 4,560 s; optimized 2,280 s: half saved
    assert comparison.drive_saved_s == 2280
    assert comparison.drive_reduction == pytest.approx(0.5)


def test_owner_report_without_plans_is_empty(session: Session) -> None:
    """No plans: nothing current, no trend, no comparison."""
    report = owner_report(session)
    assert (report.current, report.trend, report.comparisons) == (None, (), ())


def test_representative_plan_without_published_takes_newest_optimized() -> None:
    """Without a published plan, the newest optimized draft stands for the week, not as-is."""
    as_is = Plan(week_start=MONDAY, version=3, status=PlanStatus.DRAFT, params={"mode": "as_is"})
    optimized = Plan(week_start=MONDAY, version=2, status=PlanStatus.DRAFT, params={})
    assert representative_plan([as_is, optimized]) is optimized
    assert representative_plan([as_is]) is as_is
    assert representative_plan([]) is None


