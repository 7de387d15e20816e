"""From the sample company's rows to the weekly planner's problem."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crm.agreements import Agreement
from crm.customers import Site
from dashboard.demo import load_demo
from scheduling.builder import Horizon, build_problem

WEEK_49 = dt.date(2026, 11, 30)


@pytest.fixture
def company(session):  # type: ignore[no-untyped-def]
    """The sample company loaded into a fresh database."""
    load_demo(session)
    session.commit()
    return session


def test_build_problem_sample_week_jobs_and_crews(company) -> None:
    """Every due agreement of W49 becomes one job; every crew works Mon-Fri of the horizon."""
    built = build_problem(company, Horizon(WEEK_49))
    problem = built.problem
    assert len(problem.crews) == 8
    assert all(set(range(5)) <= set(c.shifts) for c in problem.crews)
    assert all(set(c.shifts) <= set(range(7)) for c in problem.crews)
    assert len(problem.jobs) == len(built.job_agreement) > 200
    assert built.impossible == ()
    for job in problem.jobs:
        assert job.patterns and all(len(p) == len(job.patterns[0]) for p in job.patterns)
        assert all(0 <= day < 7 for p in job.patterns for day in p)
    assert problem.duration_matrix.shape == (len(problem.locations),) * 2


def test_build_problem_as_is_keeps_todays_crew_and_days(company) -> None:
    """In as-is mode a job may only use today's weekdays and is pinned to today's crew."""
    built = build_problem(company, Horizon(WEEK_49), mode="as_is")
    agreements = {a.id: a for a in company.scalars(select(Agreement))}
    for job in built.problem.jobs:
        agreement = agreements[built.job_agreement[job.id]]
        assert job.pinned_day_crew == (None, agreement.current_crew.external_id)
        if len(job.patterns) == 1 and len(job.patterns[0]) == len(agreement.current_days):
            assert {WEEK_49.weekday() + d for d in job.patterns[0]} == set(agreement.current_days)


def test_build_problem_site_without_coordinates_is_impossible_with_reason(company) -> None:
    """A due visit at a site that has no coordinates is reported, not sent to the solver."""
    before = build_problem(company, Horizon(WEEK_49))
    agreement = company.get(Agreement, before.job_agreement[before.problem.jobs[0].id])
    site = company.get(Site, agreement.site_id)
    site.lat = site.lon = None
    company.flush()
    built = build_problem(company, Horizon(WEEK_49))
    reasons = [i for i in built.impossible if i.code == "no_coordinates"]
    assert reasons and site.external_id in reasons[0].reason
    assert all(not j.id.startswith(tuple(a.external_id + "/" for a in site.agreements))
               for j in built.problem.jobs)


def test_horizon_rejects_a_tuesday() -> None:
    """Horizons start on Monday."""
    with pytest.raises(ValueError, match="first_monday"):
        Horizon(WEEK_49 + dt.timedelta(days=1))


def test_build_problem_regional_holiday_gives_only_that_regions_crews_the_day_off(company) -> None:
    """A holiday of one region takes that day out of its crews' shifts, not the others'."""
    from crm.crews import Crew, Holiday

    crews = company.scalars(select(Crew).order_by(Crew.external_id)).all()
    region = crews[0].region
    assert region and any(c.region != region for c in crews)
    company.add(Holiday(date=WEEK_49 + dt.timedelta(days=2), name="Local fair", region=region))
    company.flush()
    problem = build_problem(company, Horizon(WEEK_49)).problem
    regions = {c.external_id: c.region for c in crews}
    for crew in problem.crews:
        assert (2 in crew.shifts) == (regions[crew.id] != region)
