"""Planning runs in a background process: progress in the run row, the plan or the error."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from crm.db import make_engine, make_session_factory
from scheduling.background import run_state, start_run
from scheduling.models import Plan, PlanStatus
from scheduling.planning import plan_week
from tests.scheduling.test_plans import PARAMS, WEEK_49, small_company  # noqa: F401

#: Generous: a spawned process imports OR-Tools before it solves (a few seconds on a busy
#: machine). The runs themselves stop at a solution limit, not at a clock.
WAIT_S = 120.0


def _wait(database_url: str, run_id: int) -> dict:  # type: ignore[type-arg]
    """Poll ``run_state`` the way a page does until the run ends; reap the process."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    deadline = time.monotonic() + WAIT_S
    seen = []
    try:
        while True:
            with factory() as session:
                state = run_state(session, run_id)
            seen.append(state["status"])
            if state["status"] != "running" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        engine.dispose()
    for child in multiprocessing.active_children():
        child.join(timeout=10)
    state["seen"] = seen
    return state


def test_start_run_plans_a_week_in_another_process(small_company, database_url) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """A plan run is recorded as running at once, and ends succeeded with its draft."""
    run_id = start_run(database_url, kind="plan", user="ann", week_start=WEEK_49,
                       time_limit_s=None, solution_limit=PARAMS.solution_limit)  # fmt: skip
    with small_company() as session:
        first = run_state(session, run_id)
    assert first["kind"] == "plan" and first["plan_id"] is None
    state = _wait(database_url, run_id)
    assert state["status"] == "succeeded", state
    assert state["progress"] == 1.0 and state["error"] is None
    with small_company() as session:
        plan = session.get(Plan, state["plan_id"])
        assert plan is not None and plan.status is PlanStatus.DRAFT
        assert plan.week_start == WEEK_49 and plan.created_by == "ann" and plan.visits


def test_start_run_resolve_of_a_missing_plan_fails_with_the_error(small_company, database_url) -> None:  # type: ignore[no-untyped-def]  # noqa: F811, E501
    """A run that cannot do its work ends failed, with the reason in the row."""
    run_id = start_run(database_url, kind="resolve", user="ann", plan_id=999,
                       time_limit_s=None, solution_limit=1)  # fmt: skip
    state = _wait(database_url, run_id)
    assert state["status"] == "failed", state
    assert state["error"] == "there is no plan 999" and state["plan_id"] is None


def test_start_run_resolve_stores_a_new_draft(small_company, database_url) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """A resolve run re-solves a draft into a new draft based on it."""
    plan_id = plan_week(small_company, WEEK_49, PARAMS)
    run_id = start_run(database_url, kind="resolve", user="bob", plan_id=plan_id,
                       time_limit_s=None, solution_limit=PARAMS.solution_limit)  # fmt: skip
    state = _wait(database_url, run_id)
    assert state["status"] == "succeeded", state
    with small_company() as session:
        assert session.get_one(Plan, state["plan_id"]).based_on_id == plan_id


def test_start_run_rejects_what_it_cannot_run(database_url) -> None:  # type: ignore[no-untyped-def]
    """An unknown kind, a plan run without a week, a resolve without a plan: ValueError,
    before any row or process."""
    with pytest.raises(ValueError, match="kind"):
        start_run(database_url, kind="dance", user="ann")
    with pytest.raises(ValueError, match="week_start"):
        start_run(database_url, kind="plan", user="ann")
    with pytest.raises(ValueError, match="plan_id"):
        start_run(database_url, kind="resolve", user="ann")


def test_reporter_writes_progress_about_once_a_second(small_company, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """The solver's callback writes the run's detail at most once per second of its clock,
    with the best cost seen so far (also from reports in between)."""
    from optimizer import Progress
    from scheduling import background
    from scheduling.models import PlanningRun

    with small_company.begin() as session:
        run = PlanningRun(kind="plan", detail={"progress": 0.0})
        session.add(run)
        session.flush()
        run_id = run.id
    clock = iter([10.0, 10.4, 11.2])
    monkeypatch.setattr(background.time, "monotonic", lambda: next(clock))
    reporter = background._Reporter(small_company, run_id, limit=20.0)
    reporter(Progress(best_cost=900, elapsed_s=2.0, solutions=1))
    reporter(Progress(best_cost=800, elapsed_s=2.4, solutions=2))  # 0.4 s later: not written
    with small_company() as session:
        assert session.get_one(PlanningRun, run_id).detail["best_cost"] == 900
    reporter(Progress(best_cost=850, elapsed_s=3.2, solutions=3))
    with small_company() as session:
        state = run_state(session, run_id)
        detail = session.get_one(PlanningRun, run_id).detail
    assert detail["best_cost"] == 800 and detail["solutions"] == 3
    assert state["progress"] == 0.16 and state["elapsed_s"] == 3.2


def test_run_state_reports_a_run_whose_process_is_gone_as_failed(small_company) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """A run left ``running`` by a process that no longer exists (killed) is shown failed."""
    import socket
    import subprocess

    from scheduling.models import PlanningRun

    gone = subprocess.Popen(["true"])
    gone.wait()
    with small_company.begin() as session:
        dead = PlanningRun(kind="plan", detail={"holder": f"{socket.gethostname()}:{gone.pid}:x"})
        alive = PlanningRun(kind="plan", detail={"holder": f"{socket.gethostname()}:1:x"})
        session.add_all([dead, alive])
        session.flush()
        ids = dead.id, alive.id
    with small_company() as session:
        dead_state, alive_state = (run_state(session, i) for i in ids)
    assert dead_state["status"] == "failed" and "killed or crashed" in dead_state["error"]
    assert alive_state["status"] == "running" and alive_state["error"] is None
