"""Drafts, diffs and publishing of weekly plans, and the command-line flow around them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from crm.agreements import Agreement, AgreementStatus
from crm.db import make_engine, make_session_factory
from dashboard.demo import load_demo
from optimizer import SolveParams
from scheduling.models import Notice, Plan, PlannedVisit, PlanStatus
from scheduling.planning import parse_week, plan_week
from scheduling.plans import PlanError, diff_plans, load_plan, publish

WEEK_49 = dt.date(2026, 11, 30)
#: Deterministic and quick: a solution limit, no clock.
PARAMS = SolveParams(time_limit_s=None, solution_limit=10)


@pytest.fixture
def small_company(database_url: str):  # type: ignore[no-untyped-def]
    """The sample company with only its first 25 agreements active: a quick week to plan."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        load_demo(session)
        keep = session.scalars(
            select(Agreement.id)
            .where(Agreement.status == AgreementStatus.ACTIVE)
            .order_by(Agreement.external_id)
            .limit(25)
        ).all()
        session.execute(
            update(Agreement).where(Agreement.id.not_in(keep)).values(status=AgreementStatus.PAUSED)
        )
    yield factory
    engine.dispose()


def test_plan_week_stores_every_due_visit_or_a_reason(small_company) -> None:
    """Each due visit of the week is either in the draft's routes or unplaced with a reason."""
    plan_id = plan_week(small_company, WEEK_49, PARAMS)
    with small_company() as session:
        plan = load_plan(session, plan_id)
        assert plan.status is PlanStatus.DRAFT and plan.version == 1
        assert plan.kpis["visits"] == len(plan.visits) > 0
        assert all(u.reason for u in plan.unplaced)
        for visit in plan.visits:
            assert WEEK_49 <= visit.date < WEEK_49 + dt.timedelta(days=7)
            assert visit.arrival_s <= visit.start_s < visit.end_s
        routes: dict[tuple[int, dt.date], list[int]] = {}
        for visit in plan.visits:
            routes.setdefault((visit.crew_id, visit.date), []).append(visit.sequence)
        assert all(sorted(seq) == list(range(len(seq))) for seq in routes.values())


def test_publish_is_idempotent_and_supersedes(small_company) -> None:
    """Publishing twice changes nothing; a newer plan supersedes the old one, which cannot
    be published again."""
    first = plan_week(small_company, WEEK_49, PARAMS)
    second = plan_week(small_company, WEEK_49, PARAMS, mode="as_is")
    with small_company.begin() as session:
        publish(session, first)
    with small_company.begin() as session:
        plan, diff = publish(session, first)
        assert plan.status is PlanStatus.PUBLISHED and diff.unchanged
    with small_company.begin() as session:
        publish(session, second)
    with small_company() as session:
        statuses = dict(session.execute(select(Plan.id, Plan.status)).all())
        assert statuses == {first: PlanStatus.SUPERSEDED, second: PlanStatus.PUBLISHED}
    with pytest.raises(PlanError, match="superseded"), small_company.begin() as session:
        publish(session, first)


def test_publish_notices_exactly_the_changed_visits(small_company) -> None:
    """After publishing plan A, publishing B queues one notice per visit that changed day,
    crew or time (by more than 30 minutes), and none for the others."""
    first = plan_week(small_company, WEEK_49, PARAMS)
    with small_company.begin() as session:
        publish(session, first)
        session.execute(Notice.__table__.delete())
    second = plan_week(small_company, WEEK_49, PARAMS)
    with small_company.begin() as session:
        b = load_plan(session, second)
        moved = b.visits[0]
        moved.start_s += 45 * 60  # a change customers must hear about
        nudged = b.visits[1]
        nudged.start_s += 10 * 60  # below the threshold
        a = load_plan(session, first)
        expected = {
            (v.agreement_id, v.visit_index)
            for v in b.visits
            for old in a.visits
            if (old.agreement_id, old.visit_index) == (v.agreement_id, v.visit_index)
            and (old.date != v.date or old.crew_id != v.crew_id
                 or abs(old.start_s - v.start_s) > 30 * 60)
        }
        assert (moved.agreement_id, moved.visit_index) in expected
        publish(session, second)
    with small_company() as session:
        notices = session.scalars(select(Notice).where(Notice.plan_id == second)).all()
        assert sorted(n.agreement_id for n in notices) == sorted(a for a, _ in expected)


def _off_as_is(plan: Plan) -> dict[tuple[int, int], tuple[str, ...]]:
    """(agreement, visit index) -> what differs from the agreement's as-is, when anything."""
    out = {}
    for v in plan.visits:
        a = v.agreement
        if not a.current_days and a.current_crew_id is None:
            out[(v.agreement_id, v.visit_index)] = ("new",)
            continue
        kinds = (("day",) if a.current_days and v.date.weekday() not in a.current_days else ())
        kinds += ("crew",) if a.current_crew_id not in (None, v.crew_id) else ()
        if kinds:
            out[(v.agreement_id, v.visit_index)] = kinds
    return out


def test_first_publish_of_an_as_is_plan_tells_no_customer_of_a_change(small_company) -> None:
    """With nothing published yet, the as-is plan (everyone on their usual days and crew)
    queues no day or crew notice; a customer without an as-is (new) is told "new"."""
    with small_company.begin() as session:
        newcomer = session.scalars(select(Agreement).where(
            Agreement.status == AgreementStatus.ACTIVE).order_by(Agreement.external_id)).first()
        assert newcomer is not None and newcomer.current_days and newcomer.current_crew_id
        newcomer.current_days, newcomer.current_crew_id = [], None
        newcomer_id = newcomer.id
    plan_id = plan_week(small_company, WEEK_49, PARAMS, mode="as_is")
    with small_company.begin() as session:
        plan, diff = publish(session, plan_id)
        assert diff.basis == "the as-is days and crews" and len(plan.visits) > 10
    with small_company() as session:
        notices = session.scalars(select(Notice).where(Notice.plan_id == plan_id)).all()
        assert {(n.agreement_id, n.kind) for n in notices} == {(newcomer_id, "new")}


def test_first_publish_of_an_optimized_plan_tells_exactly_the_moved(small_company) -> None:
    """With nothing published yet, an optimized plan queues one notice per visit off its
    agreement's as-is weekdays or crew, with the as-is it had, and none for the others."""
    plan_id = plan_week(small_company, WEEK_49, PARAMS)
    with small_company.begin() as session:
        plan = load_plan(session, plan_id)
        expected = _off_as_is(plan)
        assert 0 < len(expected) < len(plan.visits)
        assert all(kinds != ("new",) for kinds in expected.values())
        publish(session, plan_id)
    with small_company() as session:
        notices = session.scalars(select(Notice).where(Notice.plan_id == plan_id)).all()
        assert sorted((n.agreement_id, n.kind) for n in notices) == sorted(
            (a, "+".join(kinds)) for (a, _), kinds in expected.items())
        assert all(n.before and n.before.count(",") == 1 and n.after for n in notices)


def test_diff_plans_kinds(small_company) -> None:
    """A visit moved to another day and crew is reported with both kinds; a new plan against
    nothing is compared with the as-is days and crews."""
    plan_id = plan_week(small_company, WEEK_49, PARAMS)
    with small_company() as session:
        plan = load_plan(session, plan_id)
        as_is = diff_plans(plan, None)
        assert as_is.against_id is None and as_is.basis == "the as-is days and crews"
        assert {(c.agreement_id, c.visit_index): c.kinds for c in as_is.changes} == _off_as_is(
            plan)
        assert all(c.before is None and c.as_is for c in as_is.changes)
        copy = Plan(week_start=WEEK_49, version=99, status=PlanStatus.DRAFT)
        for v in plan.visits:
            copy.visits.append(PlannedVisit(
                agreement_id=v.agreement_id, visit_index=v.visit_index, date=v.date,
                crew_id=v.crew_id, sequence=v.sequence, arrival_s=v.arrival_s,
                start_s=v.start_s, end_s=v.end_s))
        other_crew = next(v.crew_id for v in plan.visits if v.crew_id != plan.visits[0].crew_id)
        copy.visits[0].date += dt.timedelta(days=1)
        copy.visits[0].crew_id = other_crew
        session.add(copy)
        session.flush()
        diff = diff_plans(copy, plan)
        assert [(c.agreement_id, c.kinds) for c in diff.changes] == [
            (copy.visits[0].agreement_id, ("day", "crew"))
        ]
        assert len(diff.customers) == 1
        session.rollback()


def test_parse_week_forms() -> None:
    """ISO weeks, 'next', 'this' and dates give the Monday; nonsense names the forms."""
    today = dt.date(2026, 11, 24)
    assert parse_week("2026-W49") == WEEK_49
    assert parse_week("next", today) == WEEK_49
    assert parse_week("this", today) == dt.date(2026, 11, 23)
    assert parse_week("2026-12-03") == WEEK_49
    with pytest.raises(ValueError, match="2026-W49"):
        parse_week("2026-W60")


def test_cli_flow_demo_plan_diff_publish(runner) -> None:  # type: ignore[no-untyped-def]
    """demo -> plan -> diff -> publish through the command line; bad input exits non-zero."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    result = runner.invoke(
        args=["plan", "--week", "2026-W49", "--time-limit", "3", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert "draft plan 1" in result.output
    result = runner.invoke(args=["diff", "1"])
    assert result.exit_code == 0 and "against the as-is days and crews" in result.output
    result = runner.invoke(args=["publish", "1"])
    assert result.exit_code == 0 and "published" in result.output
    result = runner.invoke(args=["plan", "--week", "2026-W49", "--if-missing"])
    assert result.exit_code == 0 and "kept" in result.output
    assert runner.invoke(args=["publish", "42"]).exit_code != 0
    assert runner.invoke(args=["plan", "--week", "2026-W77"]).exit_code != 0
