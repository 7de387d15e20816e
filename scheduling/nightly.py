"""The nightly re-plan: solve the coming week again as a draft, one problem per region.

Why it is shaped this way:

- **Nothing is written while solving.** The run row and the lock are committed before the
  solve; the draft (and, when asked, its publication) is written afterwards in one short
  transaction. A run killed at any point before that transaction leaves the published plan
  and earlier drafts exactly as they were; its run row stays ``running`` and the next run,
  once it holds the lock, marks it failed ("killed or crashed").
- **Stability.** The draft starts from the week's published plan: its visits are the jobs'
  ``previous`` assignment, and at most 10 % of the jobs (per region, rounded up) may change
  day or crew, so a nightly re-plan never reshuffles what customers were told.
- **Scale-out seam.** Regions (crews' ``region`` with the sites they serve) are independent
  problems, solved through anything with ``submit(fn, *args) -> Future``: a local
  :class:`~concurrent.futures.ProcessPoolExecutor` (spawn context, one solve per process)
  by default, a Dask client later, :class:`InlineExecutor` in tests.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from crm.agreements import Agreement
from crm.crews import Crew as CrewRow
from crm.customers import Site
from crm.import_rows import nearest_region
from optimizer import PeriodicProblem, PeriodicResult, SolveParams, solve_periodic
from optimizer.solution import Solution, SolveStatus
from scheduling.builder import Horizon, PlanningProblem, build_problem
from scheduling.locks import DEFAULT_TTL, acquire, release
from scheduling.models import Plan, PlanningRun, RunStatus
from scheduling.plans import load_plan, publish, published_plan, store_draft

log = logging.getLogger(__name__)

KIND = "nightly"
#: The region of crews and sites without one, when no crew has a region at all.
DEFAULT_REGION = "default"
#: Share of a region's jobs that may change day or crew against the published plan.
STABILITY_SHARE = 0.10
STALE_ERROR = "killed or crashed: still running when a later run took the lock"


class SolveExecutor(Protocol):
    """What the nightly run needs of an executor (``concurrent.futures``, Dask's ``Client``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]: ...


class InlineExecutor(Executor):
    """Runs each submitted call at once in this process (tests, ``--workers 0``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001  (handed to the caller via the future)
            future.set_exception(error)
        return future


def default_executor(regions: int, workers: int | None = None) -> Executor:
    """A spawn-context process pool, one solve per process, at most one process per core.

    Spawn, not fork: OR-Tools and an open database connection do not survive a fork safely.
    ``workers=0`` solves in this process.
    """
    if workers == 0:
        return InlineExecutor()
    count = workers or min(max(regions, 1), os.cpu_count() or 1)
    return ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"))


def solve_region(problem: PeriodicProblem, params: SolveParams) -> PeriodicResult:
    """The executor's task: module-level so that it pickles into another process."""
    return solve_periodic(problem, params)


@dataclass(frozen=True)
class RegionProblem:
    """One region's share of the week: its crews and the jobs of the sites it serves."""

    region: str
    problem: PeriodicProblem


@dataclass(frozen=True)
class NightlyOutcome:
    """What a nightly run did."""

    run_id: int
    plan_id: int
    published: bool
    based_on_id: int | None
    regions: tuple[str, ...]
    stale_runs: tuple[int, ...] = ()


def previous_visits(session: Session, plan_id: int) -> dict[int, list[tuple[dt.date, int]]]:
    """Agreement id -> ``(date, crew id)`` of its visits in plan ``plan_id``."""
    previous: dict[int, list[tuple[dt.date, int]]] = {}
    for visit in load_plan(session, plan_id).visits:
        previous.setdefault(visit.agreement_id, []).append((visit.date, visit.crew_id))
    return previous


def stability_budget(jobs: int, share: float = STABILITY_SHARE) -> int:
    """At most ``share`` of ``jobs`` may move, rounded up (a small region may move one)."""
    return math.ceil(jobs * share)


def job_regions(session: Session, built: PlanningProblem) -> tuple[dict[str, str], dict[str, str]]:
    """Crew external id -> region, and job id -> region.

    A site's own region counts when some crew works it; otherwise (no region, or one nobody
    serves) the site goes with the region of the nearest crew depot. Crews without a region
    form :data:`DEFAULT_REGION`.
    """
    crews = session.scalars(
        select(CrewRow).where(CrewRow.external_id.in_(list(built.crew_row)))
    ).all()
    crew_region = {c.external_id: c.region or DEFAULT_REGION for c in crews}
    depots = [(c.start_lat, c.start_lon, crew_region[c.external_id]) for c in crews]
    served = set(crew_region.values())
    sites = dict(
        session.execute(
            select(Agreement.id, Site)
            .join(Site, Agreement.site_id == Site.id)
            .where(Agreement.id.in_(set(built.job_agreement.values())))
        ).all()
    )
    regions = {}
    for job_id, agreement_id in built.job_agreement.items():
        site = sites[agreement_id]
        region = site.region if site.region in served else None
        if region is None:
            region = nearest_region(site.lat, site.lon, depots) or DEFAULT_REGION
        regions[job_id] = region
    return crew_region, regions


def split_by_region(
    built: PlanningProblem,
    crew_region: Mapping[str, str],
    job_region: Mapping[str, str],
    *,
    budgeted: bool,
) -> list[RegionProblem]:
    """One problem per region, on the shared matrix (unused locations cost nothing).

    References to crews of another region (preferred crew, previous crew) are dropped: that
    crew is not in the region's problem. With ``budgeted`` each region gets its own
    :func:`stability_budget`.
    """
    problem = built.problem
    out = []
    for region in sorted(set(crew_region.values())):
        crews = tuple(c for c in problem.crews if crew_region[c.id] == region)
        names = {c.id for c in crews}
        jobs = tuple(
            replace(
                job,
                preferred_crew=job.preferred_crew if job.preferred_crew in names else None,
                previous=tuple((d, c) for d, c in job.previous if c in names),
            )
            for job in problem.jobs
            if job_region[job.id] == region
        )
        if not jobs:
            continue
        budget = stability_budget(len(jobs)) if budgeted else None
        out.append(
            RegionProblem(region, replace(problem, crews=crews, jobs=jobs, stability_budget=budget))
        )
    return out


_STATUS_RANK = [
    SolveStatus.INVALID, SolveStatus.INFEASIBLE, SolveStatus.NO_SOLUTION,
    SolveStatus.NO_SOLUTION_TIMEOUT, SolveStatus.NOT_SOLVED, SolveStatus.LIMIT_REACHED,
    SolveStatus.FEASIBLE, SolveStatus.OPTIMAL,
]


def merge_results(results: Sequence[PeriodicResult]) -> PeriodicResult:
    """The regions' results as one: routes side by side per day, the weakest status.

    Integer KPIs are summed; other KPIs only survive a single region (a ratio does not add).
    """
    if len(results) == 1:
        return results[0]
    days: dict[int, Solution] = {}
    for result in results:
        for day, solution in result.day_solutions.items():
            before = days.get(day, Solution(routes=()))
            days[day] = Solution(
                routes=before.routes + solution.routes,
                unassigned=before.unassigned + solution.unassigned,
            )
    kpis: dict[str, Any] = {}
    for result in results:
        for key, value in result.kpis.items():
            if isinstance(value, int) and not isinstance(value, bool):
                kpis[key] = kpis.get(key, 0) + value
    return PeriodicResult(
        status=min((r.status for r in results), key=_STATUS_RANK.index),
        visits=tuple(v for r in results for v in r.visits),
        day_solutions=dict(sorted(days.items())),
        unassigned=tuple(u for r in results for u in r.unassigned),
        moves=tuple(m for r in results for m in r.moves),
        kpis=kpis,
        runtime_s=max(r.runtime_s for r in results),
    )


def mark_stale_runs(session: Session, now: dt.datetime) -> list[int]:
    """Nightly runs still ``running`` while we hold the lock were killed: mark them failed.

    Only called under the lock: every nightly run holds it while running, so a ``running``
    row nobody holds the lock for cannot still be alive.
    """
    ids = list(
        session.scalars(
            select(PlanningRun.id).where(
                PlanningRun.kind == KIND, PlanningRun.status == RunStatus.RUNNING
            )
        )
    )
    if ids:
        session.execute(
            update(PlanningRun)
            .where(PlanningRun.id.in_(ids))
            .values(status=RunStatus.FAILED, error=STALE_ERROR, finished_at=now)
        )
        log.warning("marked nightly runs %s as failed: %s", ids, STALE_ERROR)
    return ids


def _set_detail(session_factory: sessionmaker[Session], run_id: int, **detail: Any) -> None:
    with session_factory.begin() as session:
        run = session.get_one(PlanningRun, run_id)
        run.detail = {**run.detail, **detail}


def run_nightly(
    session_factory: sessionmaker[Session],
    first_monday: dt.date,
    params: SolveParams,
    *,
    publish_plan: bool = False,
    executor: SolveExecutor | None = None,
    workers: int | None = None,
    lock_ttl: dt.timedelta = DEFAULT_TTL,
) -> NightlyOutcome:
    """Re-plan the week of ``first_monday`` as a draft, under the planning lock.

    Parameters
    ----------
    publish_plan
        Publish the new draft in the same transaction that stores it.
    executor
        Where region problems are solved; default :func:`default_executor` (shut down
        afterwards). A given executor is left running for the caller.
    workers
        Processes of the default executor (``0``: solve in this process).

    Raises
    ------
    scheduling.locks.LockHeld
        When another planning run holds the lock (no run row is written).
    """
    lock = acquire(session_factory, ttl=lock_ttl)
    try:
        now = dt.datetime.now(dt.UTC)
        with session_factory.begin() as session:
            stale = mark_stale_runs(session, now)
            run = PlanningRun(
                kind=KIND, started_at=now, status=RunStatus.RUNNING,
                detail={"phase": "building", "week": first_monday.isoformat(),
                        "holder": lock.holder},
            )
            session.add(run)
            session.flush()
            run_id = run.id
        try:
            plan_id, based_on, regions = _replan(
                session_factory, run_id, first_monday, params, publish_plan, executor, workers
            )
        except BaseException as error:
            log.exception("nightly run %s failed", run_id)
            with session_factory.begin() as session:
                failed = session.get_one(PlanningRun, run_id)
                failed.status = RunStatus.FAILED
                failed.error = f"{type(error).__name__}: {error}"
                failed.finished_at = dt.datetime.now(dt.UTC)
            raise
        log.info("nightly run %s stored plan %s", run_id, plan_id)
        return NightlyOutcome(run_id, plan_id, publish_plan, based_on, regions, tuple(stale))
    finally:
        release(session_factory, lock)


def _replan(
    session_factory: sessionmaker[Session],
    run_id: int,
    first_monday: dt.date,
    params: SolveParams,
    publish_plan: bool,
    executor: SolveExecutor | None,
    workers: int | None,
) -> tuple[int, int | None, tuple[str, ...]]:
    horizon = Horizon(first_monday, 1)
    with session_factory() as session:
        current = published_plan(session, first_monday)
        based_on = current.id if current else None
        previous = previous_visits(session, current.id) if current else None
        built = build_problem(session, horizon, previous=previous)
        crew_region, job_region = job_regions(session, built)
    parts = split_by_region(built, crew_region, job_region, budgeted=current is not None)
    regions = tuple(p.region for p in parts)
    _set_detail(session_factory, run_id, phase="solving", based_on=based_on,
                regions={p.region: len(p.problem.jobs) for p in parts})
    own = executor is None
    pool = default_executor(len(parts), workers) if own else executor
    try:
        futures = [pool.submit(solve_region, p.problem, params) for p in parts]
        results = [f.result() for f in futures]
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)  # type: ignore[union-attr]
    result = merge_results(results) if results else _empty_result()
    with session_factory.begin() as session:
        base = session.get(Plan, based_on) if based_on is not None else None
        plan = store_draft(
            session, built, result,
            params={"mode": "optimize", "kind": KIND, "regions": list(regions),
                    "stability_share": STABILITY_SHARE if current else None, **params.to_dict()},
            created_by="rounds nightly", based_on=base, note="nightly re-plan",
        )
        if publish_plan:
            publish(session, plan.id)
        run = session.get_one(PlanningRun, run_id)
        run.status = RunStatus.SUCCEEDED
        run.plan_id = plan.id
        run.finished_at = dt.datetime.now(dt.UTC)
        run.detail = {**run.detail, "phase": "done", "published": publish_plan}
        return plan.id, based_on, regions


def _empty_result() -> PeriodicResult:
    """No region had a job this week: an empty draft still records that the run happened."""
    return PeriodicResult(status=SolveStatus.OPTIMAL, visits=(), day_solutions={}, unassigned=())
