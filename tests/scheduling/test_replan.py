"""Bad days: the rest of the week re-planned from the published plan, deferred visits carried
into the next week once the re-plan is published."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select

from crm.crews import CrewShift
from scheduling.builder import DEFERRED, Horizon, build_problem, deferred_visits
from scheduling.edits import edit_history
from scheduling.models import PlanStatus
from scheduling.planning import plan_week
from scheduling.plans import PlanError, load_plan, publish
from scheduling.replan import replan_bad_day
from tests.scheduling.test_plans import PARAMS, WEEK_49, small_company  # noqa: F401

THURSDAY = WEEK_49 + dt.timedelta(days=3)
FRIDAY = WEEK_49 + dt.timedelta(days=4)
WEEK_50 = WEEK_49 + dt.timedelta(days=7)


@pytest.fixture
def published(small_company):  # type: ignore[no-untyped-def]  # noqa: F811
    """Week 49 planned and published; returns (session factory, plan id)."""
    plan_id = plan_week(small_company, WEEK_49, PARAMS)
    with small_company.begin() as session:
        publish(session, plan_id)
    return small_company, plan_id


def _slots(plan, when) -> set:  # type: ignore[no-untyped-def]
    return {(v.agreement_id, v.visit_index, v.date, v.crew_id, v.start_s)
            for v in plan.visits if when(v.date)}  # fmt: skip


def test_replan_keeps_the_days_before_and_empties_the_lost_day(published) -> None:  # type: ignore[no-untyped-def]
    """Visits before Thursday stay exactly as published (and pinned); nothing is left on
    Thursday; every visit of Thursday on is placed again on Thursday or later, or deferred."""
    factory, plan_id = published
    outcome = replan_bad_day(factory, THURSDAY, "rain", PARAMS, user="ann")
    with factory() as session:
        before = load_plan(session, plan_id)
        draft = load_plan(session, outcome.plan_id)
        assert draft.status is PlanStatus.DRAFT and draft.based_on_id == plan_id
        assert before.status is PlanStatus.PUBLISHED
        early = lambda d: d < THURSDAY  # noqa: E731
        assert _slots(draft, early) == _slots(before, early)
        assert all(v.pinned for v in draft.visits if v.date < THURSDAY)
        assert not any(v.date == THURSDAY for v in draft.visits)
        late = [v for v in before.visits if v.date >= THURSDAY]
        assert late, "the published plan has visits from Thursday on"
        placed = sorted(v.agreement_id for v in draft.visits if v.date > THURSDAY)
        deferred = sorted(u.agreement_id for u in draft.unplaced if u.code == DEFERRED)
        assert sorted(placed + deferred) == sorted(v.agreement_id for v in late)
        trail = edit_history(session, outcome.plan_id)
        assert trail[-1].action == "replan" and trail[-1].detail["reason"] == "rain"


def test_replan_defers_what_finds_no_day_and_next_week_picks_it_up(published) -> None:  # type: ignore[no-untyped-def]
    """With Friday lost and no Saturday shifts, Friday's visits move to next week with the
    reason; once the re-plan is published, next week's problem holds them as extra visits."""
    factory, plan_id = published
    with factory.begin() as session:
        session.execute(delete(CrewShift).where(CrewShift.weekday >= 5))
        friday = [v.agreement_id for v in load_plan(session, plan_id).visits if v.date == FRIDAY]
    assert friday, "the published plan has Friday visits"
    outcome = replan_bad_day(factory, FRIDAY, "rain", PARAMS, user="ann")
    assert sorted(d.agreement_id for d in outcome.deferred) == sorted(friday)
    assert [d.priority for d in outcome.deferred] == sorted(d.priority for d in outcome.deferred)
    assert all(d.reason.startswith("rain on Fri 04 Dec: ") for d in outcome.deferred)
    with factory() as session:
        rows = [u for u in load_plan(session, outcome.plan_id).unplaced if u.code == DEFERRED]
        assert sorted(u.agreement_id for u in rows) == sorted(friday)
        assert {u.week_start for u in rows} == {WEEK_50}
        assert deferred_visits(session, Horizon(WEEK_50)) == {}  # not published yet
        plain = build_problem(session, Horizon(WEEK_50))
    with factory.begin() as session:
        publish(session, outcome.plan_id)
    with factory() as session:
        counts = deferred_visits(session, Horizon(WEEK_50))
        assert sum(counts.values()) == len(friday)
        built = build_problem(session, Horizon(WEEK_50))

    def visits(b) -> dict[int, int]:  # type: ignore[no-untyped-def]
        out: dict[int, int] = {}
        for job in b.problem.jobs:
            agreement = b.job_agreement[job.id]
            out[agreement] = out.get(agreement, 0) + job.visits
        return out

    before, after = visits(plain), visits(built)
    for agreement in set(friday):
        assert after[agreement] == before.get(agreement, 0) + friday.count(agreement)


def test_replan_needs_a_published_plan(small_company) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Without a published plan of the week there is nothing to re-plan."""
    plan_week(small_company, WEEK_49, PARAMS)
    with pytest.raises(PlanError, match="no published plan"):
        replan_bad_day(small_company, THURSDAY, "rain", PARAMS, user="ann")


def test_regional_holiday_moves_the_visits_of_that_regions_sites(small_company) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """A holiday of one region keeps the visits of its sites off that day (they move inside
    their patterns); sites of other regions may still be visited that day."""
    from crm.agreements import Agreement
    from crm.crews import Holiday
    from crm.customers import Site

    wednesday = 2
    with small_company.begin() as session:
        regions = dict(session.execute(
            select(Agreement.id, Site.region).join(Site, Agreement.site_id == Site.id)
        ).all())  # fmt: skip
        before = build_problem(session, Horizon(WEEK_49))
        on_wednesday = [built for built in before.problem.jobs
                        if any(wednesday in p for p in built.patterns)]  # fmt: skip
        region = regions[before.job_agreement[on_wednesday[0].id]]
        assert region and any(regions[before.job_agreement[j.id]] != region for j in on_wednesday)
        session.add(Holiday(date=WEEK_49 + dt.timedelta(days=wednesday), name="Fair",
                            region=region))  # fmt: skip
        session.flush()
        after = build_problem(session, Horizon(WEEK_49))
        for job in after.problem.jobs:
            in_region = regions[after.job_agreement[job.id]] == region
            if in_region:
                assert not any(wednesday in p for p in job.patterns), job.id
        others = [j for j in after.problem.jobs if regions[after.job_agreement[j.id]] != region]
        assert any(wednesday in p for j in others for p in j.patterns)
        assert len(after.problem.jobs) == len(before.problem.jobs)


def test_high_priority_visits_get_the_room_first(small_company, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """The first solve sees only settled jobs and those of priority 4 or more; the second
    sees every job, with the first solve's days and crews pinned."""
    from scheduling import replan

    with small_company() as session:
        base = build_problem(session, Horizon(WEEK_49))
    assert {j.priority >= replan.HIGH_PRIORITY for j in base.problem.jobs} == {True, False}
    seen: list = []  # type: ignore[type-arg]
    real = replan.solve_periodic
    monkeypatch.setattr(replan, "solve_periodic",
                        lambda problem, params, progress=None: seen.append(problem)
                        or real(problem, params))  # fmt: skip
    extra: list = []  # type: ignore[type-arg]

    def build(pins):  # type: ignore[no-untyped-def]
        extra.append(dict(pins))
        with small_company() as session:
            return build_problem(session, Horizon(WEEK_49), pins=pins)

    settled_id = base.problem.jobs[0].id
    built, result = replan.solve_high_priority_first(
        build, PARAMS, settled=lambda b, job: job.id == settled_id)
    first, second = seen
    assert {j.id for j in first.jobs} == {j.id for j in base.problem.jobs
                                          if j.priority >= 4 or j.id == settled_id}
    assert len(second.jobs) == len(base.problem.jobs)
    assert extra[0] == {} and len(extra[1]) >= len(first.jobs)
    for (agreement, _), (date, crew) in extra[1].items():
        placed = [v for v in result.visits if built.job_agreement[v.job_id] == agreement]
        assert (built.horizon.day(date), crew) in {
            (v.day, built.crew_row[v.crew_id]) for v in placed}


def _later_changes(published, draft, bad_day: dt.date) -> set[int]:  # type: ignore[no-untyped-def]
    """Agreements not displaced by ``bad_day`` whose placed visits from then on changed day or
    crew against the published plan."""
    displaced = {v.agreement_id for v in published.visits if v.date == bad_day}

    def slots(plan) -> dict[int, set[tuple[dt.date, int]]]:  # type: ignore[no-untyped-def]
        out: dict[int, set[tuple[dt.date, int]]] = {}
        for v in plan.visits:
            if v.date >= bad_day and v.agreement_id not in displaced:
                out.setdefault(v.agreement_id, set()).add((v.date, v.crew_id))
        return out

    before, after = slots(published), slots(draft)
    return {a for a in after if a in before and after[a] != before[a]}


def test_replan_budget_counts_the_later_days_but_not_the_displaced(published) -> None:  # type: ignore[no-untyped-def]
    """The budget is a share (rounded up) of the agreements with a visit from the lost day on,
    without those the lost day displaces; no share, no budget; a crew that is not lost does
    not displace its visits of that day."""
    from scheduling.replan import replan_budget

    factory, plan_id = published
    with factory() as session:
        plan = load_plan(session, plan_id)
        on_thursday = {v.crew_id for v in plan.visits if v.date == THURSDAY}
        later = {v.agreement_id for v in plan.visits if v.date >= THURSDAY}
        displaced = {v.agreement_id for v in plan.visits if v.date == THURSDAY}
        assert displaced and later - displaced
        assert replan_budget(plan, THURSDAY, on_thursday, None) is None
        assert replan_budget(plan, THURSDAY, on_thursday, 1.0) == len(later - displaced)
        assert replan_budget(plan, THURSDAY, on_thursday, 0.01) == 1
        assert replan_budget(plan, THURSDAY, set(), 1.0) == len(later)


def test_replan_with_a_zero_budget_keeps_the_later_days(published, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With a stability share of 0 no visit of the days after the lost one changes day or
    crew (the displaced move freely); the budget binds the second stage only, and the draft
    records it."""
    from scheduling import replan

    factory, plan_id = published
    budgets: list[int | None] = []
    real = replan.solve_periodic
    monkeypatch.setattr(replan, "solve_periodic",
                        lambda problem, params, progress=None: budgets.append(
                            problem.stability_budget) or real(problem, params))  # fmt: skip
    outcome = replan_bad_day(factory, WEEK_49 + dt.timedelta(days=2), "rain", PARAMS,
                             user="ann", stability_share=0.0)  # fmt: skip
    assert budgets == [None, 0]
    with factory() as session:
        before, draft = load_plan(session, plan_id), load_plan(session, outcome.plan_id)
        assert draft.params["stability_budget"] == 0
        assert _later_changes(before, draft, WEEK_49 + dt.timedelta(days=2)) == set()


def test_replan_draft_is_the_published_plans_open_draft(published) -> None:  # type: ignore[no-untyped-def]
    """A re-plan is the week's draft in progress: an editor who opened the published plan
    before it gets a conflict naming it, and editing the published plan continues it."""
    from scheduling.edits import EditConflict, set_pinned, start_draft

    factory, plan_id = published
    with factory() as session:
        plan = load_plan(session, plan_id)
        seen, visit_id = plan.lock_version, plan.visits[0].id
    outcome = replan_bad_day(factory, THURSDAY, "rain", PARAMS, user="ann")
    with factory() as session, pytest.raises(
        EditConflict, match=rf"by ann at .*: bad-day re-plan in draft plan {outcome.plan_id}\)"
    ):
        set_pinned(session, plan_id, visit_id, True, user="bob", expected_version=seen)
    with factory.begin() as session:
        assert start_draft(session, plan_id, user="bob").id == outcome.plan_id
