"""A dispatcher's edits: moves re-timed with the travel model, pins, conflicts, the audit trail,
and re-solving around the pins."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy.orm import Session

from crm.crews import Crew, CrewShift
from scheduling.builder import Horizon, build_problem
from scheduling.edits import (
    EditConflict,
    edit_history,
    move_visit,
    resolve_draft,
    set_pinned,
    start_draft,
)
from scheduling.models import Plan, PlannedVisit, PlanStatus
from scheduling.planning import plan_week
from scheduling.plans import PlanError, load_plan, publish
from scheduling.retime import time_day
from tests.scheduling.test_plans import PARAMS, WEEK_49, small_company  # noqa: F401


@pytest.fixture
def draft(small_company):  # type: ignore[no-untyped-def]  # noqa: F811
    """The small company with a draft of week 49; returns (session factory, plan id)."""
    return small_company, plan_week(small_company, WEEK_49, PARAMS)


def _routes(plan: Plan) -> dict[tuple[int, dt.date], list[PlannedVisit]]:
    routes: dict[tuple[int, dt.date], list[PlannedVisit]] = {}
    for visit in plan.visits:
        routes.setdefault((visit.crew_id, visit.date), []).append(visit)
    return {k: sorted(v, key=lambda x: x.sequence) for k, v in routes.items()}


def _model_travel(session: Session, plan: Plan) -> tuple[int, int]:
    """Travel seconds and meters of every route of ``plan`` walked with the travel model."""
    total_s = total_m = 0
    for (crew_id, date), route in _routes(plan).items():
        times = time_day(session.get_one(Crew, crew_id), date, [v.agreement for v in route])
        total_s, total_m = total_s + times.travel_s, total_m + times.distance_m
    return total_s, total_m


def _busy_visit(plan: Plan) -> tuple[PlannedVisit, int]:
    """A visit from the longest route, and another crew that has the skills (by id)."""
    route = max(_routes(plan).values(), key=lambda r: (len(r), -r[0].crew_id))
    visit = route[1]
    needed = set(visit.agreement.site.required_skills)
    if visit.agreement.service_type.required_skill:
        needed.add(visit.agreement.service_type.required_skill)
    others = sorted({v.crew_id for v in plan.visits if v.crew_id != visit.crew_id
                     and needed <= set(v.crew.skills)})  # fmt: skip
    return visit, others[0]


def test_time_day_reproduces_the_solver_travel(draft) -> None:  # type: ignore[no-untyped-def]
    """Walking the solver's own routes with the travel model gives the plan's travel KPI."""
    factory, plan_id = draft
    with factory() as session:
        plan = load_plan(session, plan_id)
        assert _model_travel(session, plan) == (plan.kpis["travel_s"], plan.kpis["distance_m"])


def test_move_visit_retimes_both_crew_days_and_keeps_kpis(draft) -> None:  # type: ignore[no-untyped-def]
    """After a move both routes are numbered 0..n-1 with consistent times, the moved visit is
    pinned where it was asked to go, and the travel KPIs equal the routes' travel."""
    factory, plan_id = draft
    with factory.begin() as session:
        plan = load_plan(session, plan_id)
        visit, crew_id = _busy_visit(plan)
        source = (visit.crew_id, visit.date)
        day = visit.date + dt.timedelta(days=1)
        result = move_visit(session, plan_id, visit.id, crew_id=crew_id, date=day, position=0,
                            user="ann")  # fmt: skip
        assert result.plan.id == plan_id
        assert (visit.crew_id, visit.date, visit.sequence, visit.pinned) == (crew_id, day, 0, True)
        routes = _routes(result.plan)
        for key in (source, (crew_id, day)):
            route = routes[key]
            assert [v.sequence for v in route] == list(range(len(route)))
            for before, after in zip(route, route[1:], strict=False):
                assert before.end_s <= after.arrival_s <= after.start_s < after.end_s
        assert visit not in routes[source]
        assert _model_travel(session, result.plan) == (
            result.plan.kpis["travel_s"], result.plan.kpis["distance_m"])
        assert result.plan.kpis["visits"] == len(result.plan.visits)


def test_move_visit_without_position_takes_the_cheapest_place(draft) -> None:  # type: ignore[no-untyped-def]
    """With no position the visit goes where it adds least travel to the target day."""
    factory, plan_id = draft
    with factory.begin() as session:
        plan = load_plan(session, plan_id)
        visit, crew_id = _busy_visit(plan)
        target = [v for v in plan.visits if (v.crew_id, v.date) == (crew_id, visit.date)]
        target.sort(key=lambda v: v.sequence)
        crew = session.get_one(Crew, crew_id)
        costs = [
            time_day(crew, visit.date, [v.agreement for v in target[:i]] + [visit.agreement]
                     + [v.agreement for v in target[i:]]).travel_s
            for i in range(len(target) + 1)
        ]  # fmt: skip
        move_visit(session, plan_id, visit.id, crew_id=crew_id, date=visit.date, user="ann")
        assert costs[visit.sequence] == min(costs)


def test_move_visit_warns_about_a_missed_window_and_a_long_day(draft) -> None:  # type: ignore[no-untyped-def]
    """A visit put last behind a window that closed at 07:10, on a day whose shift ends at
    08:00, is moved anyway, with both warnings."""
    factory, plan_id = draft
    with factory.begin() as session:
        plan = load_plan(session, plan_id)
        visit, crew_id = _busy_visit(plan)
        visit.agreement.tw_start_min, visit.agreement.tw_end_min = 7 * 60, 7 * 60 + 10
        shift = session.query(CrewShift).filter_by(
            crew_id=crew_id, weekday=visit.date.weekday()).one()  # fmt: skip
        shift.end_min = 8 * 60
        result = move_visit(session, plan_id, visit.id, crew_id=crew_id, date=visit.date,
                            position=99, user="ann")  # fmt: skip
        text = " | ".join(result.warnings)
        assert f"visit {visit.agreement.external_id} starts" in text
        assert "after its window ends 07:10" in text
        assert "after the shift ends 08:00" in text


def test_move_visit_rejects_a_date_outside_the_plan_and_an_inactive_crew(draft) -> None:  # type: ignore[no-untyped-def]
    """A day outside the horizon or an inactive crew is refused with the reason."""
    factory, plan_id = draft
    with factory.begin() as session:
        plan = load_plan(session, plan_id)
        visit, crew_id = _busy_visit(plan)
        with pytest.raises(PlanError, match="outside plan"):
            move_visit(session, plan_id, visit.id, crew_id=crew_id,
                       date=WEEK_49 + dt.timedelta(days=7), user="ann")  # fmt: skip
        session.get_one(Crew, crew_id).active = False
        with pytest.raises(PlanError, match="not active"):
            move_visit(session, plan_id, visit.id, crew_id=crew_id, date=visit.date, user="ann")


def test_edit_of_a_published_plan_lands_in_a_new_draft(draft) -> None:  # type: ignore[no-untyped-def]
    """Moving a visit of the published plan copies it into a draft based on it; the published
    plan is unchanged and the trail shows the copy and the move."""
    factory, plan_id = draft
    with factory.begin() as session:
        publish(session, plan_id)
    with factory.begin() as session:
        plan = load_plan(session, plan_id)
        before = {(v.id, v.date, v.crew_id, v.start_s) for v in plan.visits}
        visit, crew_id = _busy_visit(plan)
        result = move_visit(session, plan_id, visit.id, crew_id=crew_id, date=visit.date,
                            user="bob")  # fmt: skip
        new = result.plan
        assert new.id != plan_id and new.status is PlanStatus.DRAFT
        assert new.based_on_id == plan_id and new.version == 2
        assert len(new.visits) == len(plan.visits)
    with factory() as session:
        published = load_plan(session, plan_id)
        assert {(v.id, v.date, v.crew_id, v.start_s) for v in published.visits} == before
        assert published.status is PlanStatus.PUBLISHED
        assert [(e.action, e.user) for e in edit_history(session, new.id)] == [
            ("start_draft", "bob"), ("move", "bob")]
        assert start_draft(session, new.id, user="x").id == new.id


def test_second_editor_of_a_published_plan_continues_its_open_draft(draft) -> None:  # type: ignore[no-untyped-def]
    """Two dispatchers edit the published plan: the first edit starts a draft; the second
    editor, who opened the published plan before, gets a conflict naming that draft instead
    of a parallel copy; reloaded, their edit lands in the same draft."""
    factory, plan_id = draft
    with factory.begin() as session:
        publish(session, plan_id)
    with factory() as session:
        seen = load_plan(session, plan_id).lock_version  # both editors opened this
    with factory.begin() as session:
        plan = load_plan(session, plan_id)
        first, crew_id = _busy_visit(plan)
        moved = move_visit(session, plan_id, first.id, crew_id=crew_id, date=first.date,
                           user="ann", expected_version=seen).plan.id  # fmt: skip
        other = next(v for v in plan.visits if v.agreement_id != first.agreement_id)
    with factory() as session, pytest.raises(EditConflict) as caught:
        set_pinned(session, plan_id, other.id, True, user="bob", expected_version=seen)
    assert re.search(rf"since you opened it \(by ann at \d\d:\d\d UTC: move of "
                     rf"{re.escape(first.agreement.external_id)} to .* in draft plan {moved}\)",
                     str(caught.value))  # fmt: skip
    with factory.begin() as session:
        reloaded = load_plan(session, plan_id).lock_version
        assert reloaded != seen
        result = set_pinned(session, plan_id, other.id, True, user="bob",
                            expected_version=reloaded)  # fmt: skip
        assert result.plan.id == moved
        assert start_draft(session, plan_id, user="carl").id == moved
    with factory() as session:
        drafts = [p for p in session.query(Plan).filter_by(based_on_id=plan_id)]
        assert [p.id for p in drafts] == [moved]
        assert [(e.action, e.user) for e in edit_history(session, moved)] == [
            ("start_draft", "ann"), ("move", "ann"), ("pin", "bob")]


def test_a_new_draft_is_started_once_the_open_one_is_published(draft) -> None:  # type: ignore[no-untyped-def]
    """Only a draft based on the published plan is continued: once that draft is published,
    editing the new published plan starts a new copy (version 3)."""
    factory, plan_id = draft
    with factory.begin() as session:
        publish(session, plan_id)
        second = start_draft(session, plan_id, user="ann").id
        publish(session, second)
        third = start_draft(session, second, user="bob")
        assert (third.based_on_id, third.version) == (second, 3)
        with pytest.raises(PlanError, match="superseded"):
            start_draft(session, plan_id, user="bob")


def test_stale_version_is_an_edit_conflict(draft) -> None:  # type: ignore[no-untyped-def]
    """An editor holding an old lock version gets EditConflict; each edit bumps the version."""
    factory, plan_id = draft
    with factory.begin() as session:
        plan = load_plan(session, plan_id)
        seen = plan.lock_version
        visit = plan.visits[0]
        set_pinned(session, plan_id, visit.id, True, user="ann", expected_version=seen)
        assert plan.lock_version == seen + 1
        with pytest.raises(EditConflict) as caught:
            set_pinned(session, plan_id, visit.id, False, user="bob", expected_version=seen)
        # the plan as the pages name it (Plan.version), who changed it, when and how
        assert re.fullmatch(
            rf"plan {plan_id} \(version 1 of the week of 30 Nov\) was changed by someone else "
            rf"since you opened it \(by ann at \d\d:\d\d UTC: pin of "
            rf"{re.escape(visit.agreement.external_id)}\); reload to see their change and try "
            r"again", str(caught.value))


def test_concurrent_save_is_an_edit_conflict(draft) -> None:  # type: ignore[no-untyped-def]
    """Two sessions load the same draft; the second to save gets EditConflict, not a silent
    overwrite."""
    factory, plan_id = draft
    with factory() as first, factory() as second:
        a = load_plan(first, plan_id)
        b = load_plan(second, plan_id)
        set_pinned(second, plan_id, b.visits[0].id, True, user="bob")
        second.commit()
        with pytest.raises(EditConflict, match=r"changed by someone else while you edited it "
                           r"\(by bob at \d\d:\d\d UTC: pin of "):
            set_pinned(first, plan_id, a.visits[1].id, True, user="ann")
        first.rollback()
    with factory() as session:
        assert [e.user for e in edit_history(session, plan_id)] == ["bob"]


def test_pin_unpin_history_records_who_and_what(draft) -> None:  # type: ignore[no-untyped-def]
    """Pin and unpin are audited in order, with the user and the visit."""
    factory, plan_id = draft
    with factory.begin() as session:
        visit = load_plan(session, plan_id).visits[0]
        set_pinned(session, plan_id, visit.id, True, user="ann")
        set_pinned(session, plan_id, visit.id, False, user="bob")
        assert visit.pinned is False
    with factory() as session:
        trail = edit_history(session, plan_id)
        assert [(e.user, e.action, e.detail["visit"]) for e in trail] == [
            ("ann", "pin", visit.id), ("bob", "unpin", visit.id)]
        with pytest.raises(PlanError, match="no plan 999"):
            edit_history(session, 999)


def test_build_problem_pins_keep_day_and_crew(draft) -> None:  # type: ignore[no-untyped-def]
    """A pin cuts the job's patterns to those holding its day and pins the job's crew."""
    factory, plan_id = draft
    with factory() as session:
        plan = load_plan(session, plan_id)
        visit = next(v for v in plan.visits if v.agreement.visits_per_period == 1)
        day = (visit.date - WEEK_49).days
        built = build_problem(session, Horizon(WEEK_49),
                              pins={(visit.agreement_id, 0): (visit.date, visit.crew_id)})
        job = next(j for j in built.problem.jobs
                   if built.job_agreement[j.id] == visit.agreement_id)  # fmt: skip
        assert job.patterns == (frozenset({day}),)
        assert job.pinned_crew == visit.crew.external_id


def test_resolve_draft_keeps_pinned_visits_on_day_and_crew(draft) -> None:  # type: ignore[no-untyped-def]
    """A visit moved to another day and crew stays there through a re-solve, still pinned;
    the new draft is based on the old one and the trail says so."""
    factory, plan_id = draft
    with factory.begin() as session:
        plan = load_plan(session, plan_id)
        visit, crew_id = _busy_visit(plan)
        day = visit.date + dt.timedelta(days=1)
        move_visit(session, plan_id, visit.id, crew_id=crew_id, date=day, user="ann")
        key = (visit.agreement_id, day, crew_id)
    new_id = resolve_draft(factory, plan_id, PARAMS, user="ann")
    with factory() as session:
        new = load_plan(session, new_id)
        assert new.based_on_id == plan_id and new.status is PlanStatus.DRAFT
        kept = [v for v in new.visits if (v.agreement_id, v.date, v.crew_id) == key]
        assert len(kept) == 1 and kept[0].pinned
        assert new.kpis["pinned"] == 1
        assert [e.action for e in edit_history(session, new_id)] == ["move", "resolve"]


def test_pinned_job_completes_kept_days_or_says_what_is_missing() -> None:
    """Twice-weekly Mon+Thu | Tue+Fri, Monday kept with crew A, Thursday lost: Monday + Friday
    with crew A; with Friday gone too only Monday stays (one visit missing); a job with no
    kept visit and no day left is dropped."""
    from optimizer.periodic import PeriodicJob
    from scheduling.job_patterns import pinned_job

    job = PeriodicJob("J", 0, 600, patterns=(frozenset({0, 3}), frozenset({1, 4})))
    kept, missing = pinned_job(job, [(0, "A")], 3, 0, frozenset({0, 1, 2, 4, 5}))
    assert kept is not None and missing == 0
    assert kept.patterns == (frozenset({0, 4}),) and kept.pinned_crew == "A"
    kept, missing = pinned_job(job, [(0, "A")], 3, 0, frozenset({0, 1, 2}))
    assert kept is not None and kept.patterns == (frozenset({0}),) and missing == 1
    assert pinned_job(job, [], 5, 0, frozenset({0, 1, 2})) == (None, 2)
