"""``solve()``: screen, build, search, read back, explain.

The flow is: :func:`optimizer.screening.screen` removes jobs no vehicle can
serve (with reasons), :mod:`optimizer.model` builds and runs the OR-Tools
model (in this process, or in ``num_workers`` spawned processes through
:mod:`optimizer.parallel`), and :func:`extract` turns the raw routes into
:class:`~optimizer.solution.Solution` with times, KPIs and a reason for every
job left out.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from optimizer.exceptions import ScalingWarning
from optimizer.explain import explain_dropped
from optimizer.params import SolveParams
from optimizer.problem import ProblemData
from optimizer.screening import Screening, screen
from optimizer.solution import (
    Progress,
    Route,
    Solution,
    SolveResult,
    SolveStatus,
    Stop,
    Unassigned,
)

if TYPE_CHECKING:
    from optimizer.model import RawResult, RawRoute, RoutingContext

ProgressCallback = Callable[[Progress], None]
logger = logging.getLogger(__name__)


def solve(
    data: ProblemData,
    params: SolveParams | None = None,
    initial: Solution | None = None,
    progress: ProgressCallback | None = None,
) -> SolveResult:
    """Route the vehicles through the jobs.

    Parameters
    ----------
    data
        The problem.
    params
        Search settings (defaults: :class:`SolveParams()`).
    initial
        A previous plan to start from (warm start); jobs and vehicles that no
        longer exist or no longer fit are ignored.
    progress
        Called at each improving solution with :class:`Progress`; runs inside
        the solver's own callback (OR-Tools holds the GIL, so threads cannot
        report progress).

    Returns
    -------
    SolveResult
        ``solution`` is ``None`` when no plan was found: that is a status,
        not an exception.
    """
    params = params if params is not None else SolveParams()
    started = time.monotonic()
    screening = screen(data)
    modelled = [j for j in range(len(data.jobs)) if j not in screening.excluded]
    if not modelled or not data.vehicles:
        solution = Solution((), tuple(screening.excluded[j] for j in sorted(screening.excluded)))
        return SolveResult(SolveStatus.OPTIMAL, solution, 0, time.monotonic() - started, params)
    _check_scaling(data, params, modelled)
    warm = _warm_start(data, initial)
    deadline = None if params.time_limit_s is None else time.time() + params.time_limit_s
    if params.num_workers > 1:
        from optimizer.parallel import solve_in_workers

        raw = solve_in_workers(data, params, screening, modelled, warm, progress, deadline)
    else:
        raw = search(data, params, screening, modelled, warm, progress, deadline)
    runtime = time.monotonic() - started
    if raw.objective is None or not raw.status.has_solution:
        return SolveResult(raw.status, None, None, runtime, params)
    solution = extract(data, params, screening, raw.routes)
    return SolveResult(raw.status, solution, raw.objective, runtime, params)


def _check_scaling(data: ProblemData, params: SolveParams, modelled: list[int]) -> None:
    """Warn when the objective could overflow OR-Tools' int64 (e.g. extreme penalties)."""
    matrix = data.duration_matrix if params.objective == "duration" else data.distance_matrix
    arcs = len(modelled) + len(data.vehicles)
    bound = int(matrix.max(initial=0)) * arcs + sum(v.fixed_cost for v in data.vehicles)
    bound += sum(
        params.penalties.drop(data.jobs[j].priority, data.jobs[j].pinned_vehicle is not None)
        for j in modelled
    )
    if bound > 2**62:
        warnings.warn(
            f"the objective may reach {bound:.3g}, near int64 overflow; lower the penalties "
            "or scale the matrices down",
            ScalingWarning,
            stacklevel=3,
        )


def remaining(deadline: float | None) -> float | None:
    """Seconds left until ``deadline`` (``time.time()`` based, so valid across processes)."""
    if deadline is None:
        return None
    return max(0.05, deadline - time.time())


def search(
    data: ProblemData,
    params: SolveParams,
    screening: Screening,
    modelled: list[int],
    warm: dict[int, list[int]] | None,
    progress: ProgressCallback | None,
    deadline: float | None,
    worker: int = 0,
) -> RawResult:
    """One worker's search: a single OR-Tools run, or restarts around it."""
    if params.restarts:
        from optimizer.restarts import search_with_restarts

        return search_with_restarts(
            data, params, screening, modelled, warm, progress, deadline, worker
        )
    return solve_here(data, params, screening, modelled, warm, progress, deadline, worker)


def solve_here(
    data: ProblemData,
    params: SolveParams,
    screening: Screening,
    modelled: list[int],
    warm: dict[int, list[int]] | None,
    progress: ProgressCallback | None,
    deadline: float | None,
    worker: int = 0,
) -> RawResult:
    """Build and run one model in this process; returns :class:`optimizer.model.RawResult`."""
    from optimizer import model

    try:
        ctx = model.build(model.layout(data, params, screening.candidates, modelled))
    except Exception as error:  # noqa: BLE001 - OR-Tools raises a bare Exception on a failed model
        logger.warning("routing model could not be built: %s", error)
        return model.RawResult(SolveStatus.INVALID, None, {}, 0)
    return run_and_release(ctx, remaining(deadline), warm, progress, worker)


def run_and_release(
    ctx: RoutingContext,
    time_limit_s: float | None,
    warm: dict[int, list[int]] | None,
    progress: ProgressCallback | None = None,
    worker: int = 0,
) -> RawResult:
    """:func:`optimizer.model.run`, then free the OR-Tools model at once.

    OR-Tools keeps a reference to the solution callback ``run`` registers; a
    callback that referred to the routing model made a cycle through C++ that
    Python's garbage collector cannot see, so every model built stayed in
    memory until the process ended (17 MB for a 60-job model; the weekly
    planner, which routes hundreds of day models, reached 1 GB in 15 s on the
    258-visit sample company). The callback now holds only the cost variable;
    the context's reference, the last one, is dropped here.
    """
    from optimizer import model

    try:
        return model.run(ctx, time_limit_s, warm, progress, worker)
    finally:
        ctx.routing = None


def feasible_warm_routes(
    data: ProblemData,
    params: SolveParams,
    screening: Screening,
    modelled: list[int],
    warm: dict[int, list[int]],
) -> dict[int, list[int]]:
    """The routes of ``warm`` that the model accepts, each checked on its own.

    OR-Tools rejects a whole warm start when one of its routes breaks a
    constraint (a window or a lunch the caller's estimate got wrong), and the
    search then starts cold. Routes share nothing but their jobs, so the
    routes accepted one by one are accepted together. The check runs on a
    model of its own (a closed model cannot be closed again with the search's
    parameters), freed before returning.
    """
    from optimizer import model

    ctx = model.build(model.layout(data, params, screening.candidates, modelled))
    routing = ctx.routing
    try:
        check = replace(params, metaheuristic="GREEDY_DESCENT")  # no search: no GLS warning
        routing.CloseModelWithParameters(model.search_parameters(check, None))
        node_of_job = {j: node for node, j in enumerate(ctx.job_of_node)}
        vehicles = len(data.vehicles)
        every = [
            [ctx.manager.NodeToIndex(node_of_job[j]) for j in warm.get(k, [])
             if j in node_of_job and k in ctx.candidates[j]]
            for k in range(vehicles)
        ]  # fmt: skip
        if routing.ReadAssignmentFromRoutes(every, True) is not None:
            return warm
        kept: dict[int, list[int]] = {}
        for k, route in enumerate(every):
            alone = [route if v == k else [] for v in range(vehicles)]
            if route and routing.ReadAssignmentFromRoutes(alone, True) is not None:
                kept[k] = warm[k]
        return kept
    finally:
        ctx.routing = None
        del routing


def _warm_start(data: ProblemData, initial: Solution | None) -> dict[int, list[int]] | None:
    if initial is None:
        return None
    vehicles = {v.id: k for k, v in enumerate(data.vehicles)}
    jobs = {job.id: j for j, job in enumerate(data.jobs)}
    warm: dict[int, list[int]] = {}
    for route in initial.routes:
        if route.vehicle_id in vehicles:
            warm[vehicles[route.vehicle_id]] = [
                jobs[s.job_id] for s in route.stops if s.job_id in jobs
            ]
    return warm


def _route(data: ProblemData, k: int, raw: RawRoute) -> Route:
    vehicle = data.vehicles[k]
    dur, dist = data.duration_matrix, data.distance_matrix
    brk_start = raw.break_start
    brk_len = vehicle.lunch.duration if vehicle.lunch is not None and brk_start is not None else 0
    stops: list[Stop] = []
    here, prev_end = vehicle.start, raw.start_time
    waiting_total = 0
    for j, start in zip(raw.jobs, raw.service_starts, strict=True):
        job = data.jobs[j]
        travel = int(dur[here, job.location])
        on_leg = brk_len if brk_start is not None and prev_end <= brk_start < start else 0
        waiting = start - prev_end - travel - on_leg
        stops.append(
            Stop(job.id, start - waiting, start, start + job.service, waiting, travel,
                 int(dist[here, job.location]), job.location)
        )  # fmt: skip
        waiting_total += waiting
        here, prev_end = job.location, start + job.service
    last_travel = int(dur[here, vehicle.end])
    on_leg = brk_len if brk_start is not None and prev_end <= brk_start < raw.end_time else 0
    waiting_total += raw.end_time - prev_end - last_travel - on_leg
    paid = raw.end_time - raw.start_time
    return Route(
        vehicle_id=vehicle.id,
        stops=tuple(stops),
        travel_duration=sum(s.travel_duration for s in stops) + last_travel,
        travel_distance=sum(s.travel_distance for s in stops) + int(dist[here, vehicle.end]),
        service_duration=sum(s.end - s.start for s in stops),
        waiting_duration=waiting_total,
        start_time=raw.start_time,
        end_time=raw.end_time,
        start_location=vehicle.start,
        end_location=vehicle.end,
        break_start=brk_start,
        break_duration=brk_len,
        available=vehicle.shift.end - vehicle.shift.start,
        cost=round(vehicle.cost_per_hour * paid / 3600),
    )


def extract(
    data: ProblemData, params: SolveParams, screening: Screening, raw_routes: dict[int, RawRoute]
) -> Solution:
    """Turn raw routes into a :class:`Solution` with times, KPIs and reasons."""
    routes = tuple(_route(data, k, raw_routes[k]) for k in sorted(raw_routes))
    sequences = {k: list(r.jobs) for k, r in raw_routes.items()}
    served = {j for seq in sequences.values() for j in seq}
    unassigned: list[Unassigned] = []
    for j in range(len(data.jobs)):
        if j in screening.excluded:
            unassigned.append(screening.excluded[j])
        elif j not in served:
            unassigned.append(
                explain_dropped(
                    data, j, screening.candidates[j], sequences, params.penalties, params.objective
                )
            )
    return Solution(routes, tuple(unassigned))
