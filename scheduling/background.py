"""Planning in a background process, with progress a web page can poll.

The web process never solves: OR-Tools holds the GIL for seconds at a time, which would
stall every request of that worker. :func:`start_run` writes a ``planning_run`` row and
starts a spawn-context process (spawn, not fork: a forked OR-Tools or database connection is
not safe) that opens its own engine from the database URL, solves, writes its progress into
the run's ``detail`` about once a second, and ends the row ``succeeded`` with its plan or
``failed`` with the error. :func:`run_state` is what the page polls.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import socket
import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from crm.db import make_engine, make_session_factory
from optimizer import Progress, SolveParams
from scheduling.locks import holder_is_dead
from scheduling.models import PlanningRun, RunStatus

log = logging.getLogger(__name__)

KINDS = ("plan", "resolve")
DEAD_ERROR = "the planning process ended without a result (killed or crashed)"
#: Seconds between two progress writes.
PROGRESS_EVERY_S = 1.0


def start_run(
    database_url: str,
    *,
    kind: str,
    user: str,
    week_start: dt.date | None = None,
    plan_id: int | None = None,
    time_limit_s: float | None = 30.0,
    solution_limit: int | None = None,
) -> int:
    """Record a running planning run and start its process; returns the run id at once.

    ``kind="plan"`` plans the week of ``week_start`` as a new draft; ``kind="resolve"``
    re-solves ``plan_id`` keeping its pins. ``solution_limit`` with ``time_limit_s=None``
    makes the run deterministic (tests).
    """
    SolveParams(time_limit_s=time_limit_s, solution_limit=solution_limit)  # fail here, not there
    if kind not in KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    if kind == "plan" and week_start is None:
        raise ValueError("week_start: a plan run needs the week")
    if kind == "resolve" and plan_id is None:
        raise ValueError("plan_id: a resolve run needs the plan")
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            run = PlanningRun(
                kind=kind, status=RunStatus.RUNNING,
                detail={"progress": 0.0, "user": user, "time_limit_s": time_limit_s,
                        "week": week_start.isoformat() if week_start else None,
                        "based_on": plan_id},
            )  # fmt: skip
            session.add(run)
            session.flush()
            run_id = run.id
    finally:
        engine.dispose()
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=run_in_child,
        args=(database_url, run_id, kind, user, week_start, plan_id, time_limit_s,
              solution_limit),
        name=f"rounds-{kind}-{run_id}",
        daemon=False,
    )  # fmt: skip
    process.start()  # not joined: multiprocessing reaps it when it ends
    holder = f"{socket.gethostname()}:{process.pid}:{kind}"
    engine = make_engine(database_url)
    try:  # who runs it, so that a killed run does not look like it is still running
        with make_session_factory(engine).begin() as session:
            run = session.get_one(PlanningRun, run_id)
            run.detail = {**run.detail, "holder": holder}
    finally:
        engine.dispose()
    return run_id


class _Reporter:
    """The solver's progress callback: writes the run's detail at most once a second."""

    def __init__(self, factory: sessionmaker[Session], run_id: int, limit: float | None) -> None:
        self.factory, self.run_id, self.limit = factory, run_id, limit
        self.best: int | None = None
        self.last = 0.0

    def __call__(self, progress: Progress) -> None:
        if self.best is None or progress.best_cost < self.best:
            self.best = progress.best_cost
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_S:
            return
        self.last = now
        share = min(0.99, progress.elapsed_s / self.limit) if self.limit else 0.5
        self.write(progress=round(share, 3), best_cost=self.best,
                   elapsed_s=round(progress.elapsed_s, 1), solutions=progress.solutions)

    def write(self, **detail: Any) -> None:
        with self.factory.begin() as session:
            run = session.get_one(PlanningRun, self.run_id)
            run.detail = {**run.detail, **detail}


def run_in_child(
    database_url: str,
    run_id: int,
    kind: str,
    user: str,
    week_start: dt.date | None,
    plan_id: int | None,
    time_limit_s: float | None,
    solution_limit: int | None,
) -> None:
    """The background process: solve, then end the run row. Module-level so spawn finds it."""
    from scheduling.edits import resolve_draft
    from scheduling.planning import plan_week

    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    started = time.monotonic()
    reporter = _Reporter(factory, run_id, time_limit_s)
    try:
        params = SolveParams(time_limit_s=time_limit_s, solution_limit=solution_limit)
        if kind == "plan":
            assert week_start is not None
            new_id = plan_week(factory, week_start, params, created_by=user, progress=reporter)
        else:
            assert plan_id is not None
            new_id = resolve_draft(factory, plan_id, params, user=user, progress=reporter)
        _finish(factory, run_id, RunStatus.SUCCEEDED, plan_id=new_id,
                progress=1.0, best_cost=reporter.best,
                elapsed_s=round(time.monotonic() - started, 1))  # fmt: skip
    except Exception as error:  # noqa: BLE001  (the run row is where the error goes)
        log.exception("planning run %s failed", run_id)
        _finish(factory, run_id, RunStatus.FAILED, error=str(error) or type(error).__name__,
                elapsed_s=round(time.monotonic() - started, 1))
    finally:
        engine.dispose()


def _finish(
    factory: sessionmaker[Session],
    run_id: int,
    status: RunStatus,
    *,
    plan_id: int | None = None,
    error: str | None = None,
    **detail: Any,
) -> None:
    with factory.begin() as session:
        run = session.get_one(PlanningRun, run_id)
        run.status, run.plan_id, run.error = status, plan_id, error
        run.finished_at = dt.datetime.now(dt.UTC)
        run.detail = {**run.detail, **detail}


def run_state(session: Session, run_id: int) -> dict[str, Any]:
    """``{"id", "kind", "status", "progress", "elapsed_s", "plan_id", "error"}`` for polling.

    A run still ``running`` whose process (on this host) is gone is reported ``failed``
    (killed or crashed; the row itself is left for the nightly clean-up). Raises
    ``LookupError`` for an unknown run.
    """
    run = session.get(PlanningRun, run_id)
    if run is None:
        raise LookupError(f"there is no planning run {run_id}")
    session.refresh(run)
    detail = run.detail or {}
    status, error = run.status.value, run.error
    multiprocessing.active_children()  # reap our own finished children, so none looks alive
    if run.status is RunStatus.RUNNING and detail.get("holder") and holder_is_dead(
        detail["holder"]
    ):
        status, error = RunStatus.FAILED.value, DEAD_ERROR
    elapsed = detail.get("elapsed_s")
    if elapsed is None and run.started_at is not None:
        started = run.started_at
        if started.tzinfo is None:
            started = started.replace(tzinfo=dt.UTC)
        end = run.finished_at or dt.datetime.now(dt.UTC)
        if end.tzinfo is None:
            end = end.replace(tzinfo=dt.UTC)
        elapsed = round((end - started).total_seconds(), 1)
    return {
        "id": run.id,
        "kind": run.kind,
        "status": status,
        "progress": 1.0 if run.status is RunStatus.SUCCEEDED else detail.get("progress", 0.0),
        "best_cost": detail.get("best_cost"),
        "elapsed_s": elapsed,
        "plan_id": run.plan_id,
        "error": error,
    }
