"""The OR-Tools routing model: the only module that imports OR-Tools.

Nodes are laid out as: one node per job that entered the model (in job
order), then one node per distinct depot location. Conversion between nodes
and OR-Tools' routing indices happens here and in the constraint functions
through the manager, never elsewhere. A future move to ``ortools.routing``
is a change to this file only.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer import constraints
from optimizer.params import SolveParams
from optimizer.problem import ProblemData
from optimizer.solution import Progress, SolveStatus

_STATUS = {
    0: SolveStatus.NOT_SOLVED,
    1: SolveStatus.FEASIBLE,
    2: SolveStatus.LIMIT_REACHED,
    3: SolveStatus.NO_SOLUTION,
    4: SolveStatus.NO_SOLUTION_TIMEOUT,
    5: SolveStatus.INVALID,
    6: SolveStatus.INFEASIBLE,
    7: SolveStatus.OPTIMAL,
}
"""``routing.status()`` (``RoutingSearchStatus``) to :class:`SolveStatus`."""


@dataclass
class RoutingContext:
    """Everything the constraint functions need, built once per solve."""

    data: ProblemData
    params: SolveParams
    candidates: tuple[tuple[int, ...], ...]
    job_of_node: list[int]
    node_location: np.ndarray
    start_nodes: list[int]
    end_nodes: list[int]
    node_durations: np.ndarray
    node_distances: np.ndarray
    node_service: np.ndarray
    node_demand: np.ndarray
    horizon: int
    manager: Any = None
    routing: Any = None
    dimensions: dict[str, Any] = field(default_factory=dict)
    transit_callbacks: dict[str, int] = field(default_factory=dict)
    breaks: dict[int, Any] = field(default_factory=dict)

    def is_depot(self, node: int) -> bool:
        """True for the depot nodes that follow the job nodes."""
        return node >= len(self.job_of_node)


@dataclass(frozen=True)
class RawRoute:
    """A vehicle's route as read from the assignment: job indices and times."""

    jobs: list[int]
    service_starts: list[int]
    start_time: int
    end_time: int
    break_start: int | None


@dataclass(frozen=True)
class RawResult:
    """What :func:`run` read back from OR-Tools, free of OR-Tools objects."""

    status: SolveStatus
    objective: int | None
    routes: dict[int, RawRoute]
    solutions: int


def layout(
    data: ProblemData,
    params: SolveParams,
    candidates: Sequence[Sequence[int]],
    modelled: Sequence[int],
) -> RoutingContext:
    """Node arrays for the jobs in ``modelled`` and the vehicles' depots."""
    depot_locs = sorted({v.start for v in data.vehicles} | {v.end for v in data.vehicles})
    depot_node = {loc: len(modelled) + i for i, loc in enumerate(depot_locs)}
    node_location = np.array([data.jobs[j].location for j in modelled] + depot_locs, dtype=np.int64)
    grid = np.ix_(node_location, node_location)
    service = np.array([data.jobs[j].service for j in modelled] + [0] * len(depot_locs), np.int64)
    demand = np.array([data.jobs[j].demand for j in modelled] + [0] * len(depot_locs), np.int64)
    horizon = max(v.shift.end for v in data.vehicles)
    return RoutingContext(
        data=data,
        params=params,
        candidates=tuple(tuple(c) for c in candidates),
        job_of_node=list(modelled),
        node_location=node_location,
        start_nodes=[depot_node[v.start] for v in data.vehicles],
        end_nodes=[depot_node[v.end] for v in data.vehicles],
        node_durations=data.duration_matrix[grid],
        node_distances=data.distance_matrix[grid],
        node_service=service,
        node_demand=demand,
        horizon=max(horizon, 1),
    )


def build(ctx: RoutingContext) -> RoutingContext:
    """Create manager and model and add every constraint family, in a fixed order."""
    ctx.manager = pywrapcp.RoutingIndexManager(
        len(ctx.node_location), len(ctx.data.vehicles), ctx.start_nodes, ctx.end_nodes
    )
    ctx.routing = pywrapcp.RoutingModel(ctx.manager)
    constraints.add_travel_cost(ctx)
    constraints.add_time_dimension(ctx)
    constraints.add_time_windows(ctx)
    constraints.add_vehicle_shifts(ctx)
    constraints.add_max_duration(ctx)
    constraints.add_breaks(ctx)
    constraints.add_capacity(ctx)
    constraints.add_eligibility(ctx)
    constraints.add_pinned_positions(ctx)
    constraints.add_optional_jobs(ctx)
    return ctx


def search_parameters(params: SolveParams, time_limit_s: float | None) -> Any:
    """Translate :class:`SolveParams` to OR-Tools' ``RoutingSearchParameters``."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, params.first_solution
    )
    search.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic
    )
    if time_limit_s is not None:
        search.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if params.solution_limit is not None:
        search.solution_limit = params.solution_limit
    search.log_search = params.log_search
    search.guided_local_search_reset_penalties_on_new_best_solution = params.gls_reset_penalties
    if params.lns:
        operators = search.local_search_operators
        operators.use_global_cheapest_insertion_close_nodes_lns = pywrapcp.BOOL_TRUE
        operators.use_local_cheapest_insertion_close_nodes_lns = pywrapcp.BOOL_TRUE
        operators.use_global_cheapest_insertion_expensive_chain_lns = pywrapcp.BOOL_TRUE
        operators.use_local_cheapest_insertion_expensive_chain_lns = pywrapcp.BOOL_TRUE
    return search


def _initial_assignment(ctx: RoutingContext, initial: dict[int, list[int]], search: Any) -> Any:
    node_of_job = {j: node for node, j in enumerate(ctx.job_of_node)}
    routes = []
    for k in range(len(ctx.data.vehicles)):
        jobs = [j for j in initial.get(k, []) if j in node_of_job and k in ctx.candidates[j]]
        routes.append([ctx.manager.NodeToIndex(node_of_job[j]) for j in jobs])
    ctx.routing.CloseModelWithParameters(search)
    return ctx.routing.ReadAssignmentFromRoutes(routes, True)


def _stall_counter(found: list[int], limit: int) -> Callable[[], bool]:
    """A search limit that trips after ``limit`` limit checks without a new solution.

    Metaheuristics never stop on their own: on a tiny model that has no other
    solution to visit they would spin until the time limit. Counting checks
    (OR-Tools calls the limit for every branch and neighbour it evaluates), not
    seconds, keeps solution-limited runs independent of machine speed.
    Nothing is counted before the first solution.
    """
    seen = [0, 0]  # solutions at the last check, checks since the last new solution

    def stalled() -> bool:
        if found[0] == 0:
            return False
        if found[0] != seen[0]:
            seen[0], seen[1] = found[0], 0
            return False
        seen[1] += 1
        return seen[1] > limit

    return stalled


def run(
    ctx: RoutingContext,
    time_limit_s: float | None,
    initial: dict[int, list[int]] | None = None,
    progress: Callable[[Progress], None] | None = None,
    worker: int = 0,
) -> RawResult:
    """Search, then read routes and times back into plain Python values.

    ``initial`` maps vehicle index to job indices (a warm start); routes that
    do not fit the model are ignored and the search starts from scratch.
    """
    routing, time_dim = ctx.routing, ctx.dimensions[constraints.TIME]
    started = time.monotonic()
    found = [0]
    best = [2**63 - 1]
    model = weakref.ref(routing)  # a callback holding the model would keep it alive for good

    def on_solution() -> None:
        found[0] += 1
        best[0] = min(best[0], int(model().CostVar().Value()))
        if progress is not None:
            progress(Progress(best[0], time.monotonic() - started, found[0], worker))

    routing.AddAtSolutionCallback(on_solution)
    stall_limit = ctx.params.effective_stall_limit
    if stall_limit is not None:
        routing.AddSearchMonitor(routing.solver().CustomLimit(_stall_counter(found, stall_limit)))
    search = search_parameters(ctx.params, time_limit_s)
    assignment = _initial_assignment(ctx, initial, search) if initial else None
    if assignment is not None:
        solution = routing.SolveFromAssignmentWithParameters(assignment, search)
    else:
        solution = routing.SolveWithParameters(search)
    status = _STATUS.get(routing.status(), SolveStatus.NOT_SOLVED)
    if solution is None:
        if status.has_solution:
            status = SolveStatus.NO_SOLUTION
        return RawResult(status, None, {}, found[0])
    routes: dict[int, RawRoute] = {}
    for k in range(len(ctx.data.vehicles)):
        jobs, starts = [], []
        index = solution.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(index):
            jobs.append(ctx.job_of_node[ctx.manager.IndexToNode(index)])
            starts.append(int(solution.Min(time_dim.CumulVar(index))))
            index = solution.Value(routing.NextVar(index))
        if not jobs:
            continue
        brk = ctx.breaks.get(k)
        break_start = None
        if brk is not None and solution.PerformedValue(brk):
            break_start = int(solution.StartValue(brk))
        routes[k] = RawRoute(
            jobs=jobs,
            service_starts=starts,
            start_time=int(solution.Value(time_dim.CumulVar(routing.Start(k)))),
            end_time=int(solution.Value(time_dim.CumulVar(routing.End(k)))),
            break_start=break_start,
        )
    if not status.has_solution:
        status = SolveStatus.FEASIBLE
    return RawResult(status, int(solution.ObjectiveValue()), routes, found[0])
