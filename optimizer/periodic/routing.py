"""Route a group of days with the core: crew-days become vehicles, visits become jobs.

A group is one day or several. Each visit keeps its day, except a one-visit
job whose day is free of consistency cost (:func:`~optimizer.periodic.options.day_free`):
it may go to any crew-day of the group on one of its allowed days, through the
core's ``allowed_vehicles``, so OR-Tools' own relocate and exchange moves
choose its day too. Days of a group share one clock, day ``d`` shifted by
``(d - first day) * day_length`` s (a day, or the longest shift). The current
routes are the warm start, so a re-route never returns a worse plan than the
one it was given (the search keeps the best solution it has seen), except in
a first round, which lets OR-Tools build its own routes (``cold``).

Overtime is the one thing the core does not model: a crew's shift end is
stretched by ``overtime_max`` (the hard cap) and, when overtime has a price,
the route end gets a soft upper bound at the regular shift end
(``SetCumulVarSoftUpperBound``) between the core's model building and its
search (:func:`_solve_with_overtime`).

A group with a day too big for one model is routed in regions of crews
(:mod:`optimizer.periodic.regions`, :func:`route_regions`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from optimizer.params import SolveParams
from optimizer.periodic.options import JobOptions, crew_free, day_free
from optimizer.periodic.plan import Key, Plan
from optimizer.periodic.regions import crew_regions
from optimizer.problem import Break, Job, ProblemData, TimeWindow, Vehicle
from optimizer.solution import Route, Solution, SolveResult, SolveStatus, Stop, Unassigned
from optimizer.solve import solve

if TYPE_CHECKING:
    from optimizer.model import RawResult


@dataclass(frozen=True)
class GroupResult:
    """Routes OR-Tools returned for a group's crew-days, the visits it dropped, its solution."""

    routes: dict[Key, list[int]]
    dropped: list[tuple[int, int, Unassigned]]
    solution: Solution | None
    offsets: dict[int, int]
    regional: bool = False
    """Routed region by region (:mod:`optimizer.periodic.regions`), each kept as the better
    of a cold and a warm search already."""


def vehicle_id(problem_crew_id: str, day: int) -> str:
    """The core vehicle id of a crew-day: ``"<crew>@<day>"``."""
    return f"{problem_crew_id}@{day}"


def overtime_weight(crew_cost: int, overtime_cost: int) -> int:
    """Objective units per overtime second: the overtime price over a regular hour's, >= 1.

    With no regular price, each overtime second costs its cents per hour, which
    makes overtime a last resort before leaving a visit out.
    """
    if overtime_cost <= 0:
        return 0
    return max(1, round(overtime_cost / crew_cost)) if crew_cost > 0 else overtime_cost


def _vehicles(
    plan: Plan, days: list[int], region: set[int] | None = None
) -> tuple[list[Vehicle], list[Key], list[int | None]]:
    problem = plan.problem
    vehicles, keys, soft = [], [], []
    for day in days:
        offset = (day - days[0]) * problem.day_length
        for c, crew in enumerate(problem.crews):
            if day not in crew.shifts or (region is not None and c not in region):
                continue
            shift = crew.shifts[day]
            lunch = None
            if crew.lunch is not None:
                w = crew.lunch.window
                lunch = Break(crew.lunch.duration, TimeWindow(w.start + offset, w.end + offset))
            vehicles.append(
                Vehicle(vehicle_id(crew.id, day), crew.start, crew.end,
                        TimeWindow(shift.start + offset, shift.end + crew.overtime_max + offset),
                        crew.skills, lunch, crew.capacity, crew.cost_per_hour, crew.max_duration)
            )  # fmt: skip
            keys.append((day, c))
            priced = crew.overtime_max and crew.overtime_cost_per_hour
            soft.append(shift.end + offset if priced else None)
    return vehicles, keys, soft


def build_group(
    plan: Plan,
    options: list[JobOptions],
    days: list[int],
    locked: set[int],
    region: set[int] | None = None,
) -> tuple[ProblemData, list[Key], list[int | None], dict[str, int], Solution, np.ndarray]:
    """The core problem of ``days``, the crew-day of each vehicle, the warm start, the places.

    The core problem's matrices hold only the group's places (its visits' and its
    crews' depots), listed in the returned array: ``ProblemData`` copies and checks
    its matrices, and the whole company's (4,457 places for a 5,000-visit week:
    159 MB each as int64) cost 0.6 GB and half a second per re-routed day.
    With a ``region`` (crew indices), only those crews' days and visits.
    """
    problem = plan.problem
    vehicles, keys, soft = _vehicles(plan, days, region)
    group = set(days)
    unit = problem.day_length
    jobs: list[Job] = []
    visit_of: dict[str, int] = {}
    placed = sorted({j for key in keys for j in plan.routes.get(key, [])})
    for j in placed:
        job = problem.jobs[j]
        free_day = day_free(problem, job) and j not in locked
        free_crew = crew_free(problem, job) and j not in locked
        own = [d for d, c in sorted(plan.assign[j].items())
               if d in group and (region is None or c in region)]  # fmt: skip
        for day in own:
            allowed_days = [day]
            if free_day:
                allowed_days = sorted({d for p in options[j].patterns for d in p} & group)
            crews = options[j].crews if free_crew else (plan.assign[j][day],)
            if region is not None:
                crews = tuple(c for c in crews if c in region) or (plan.assign[j][day],)
            allowed = frozenset(
                vehicle_id(problem.crews[c].id, d)
                for d in allowed_days for c in crews if d in problem.crews[c].shifts
            )  # fmt: skip
            windows = tuple(
                TimeWindow(w.start + (d - days[0]) * unit, w.end + (d - days[0]) * unit)
                for d in allowed_days for w in job.windows if w.start < unit
            )  # fmt: skip
            core_id = f"{j}:{day}"
            visit_of[core_id] = j
            jobs.append(Job(core_id, job.location, job.service, windows, job.skills, job.demand,
                            job.priority, allowed_vehicles=allowed))  # fmt: skip
    places = np.array(sorted({v.start for v in vehicles} | {v.end for v in vehicles}
                             | {job.location for job in jobs}), dtype=np.int64)  # fmt: skip
    local = {int(place): i for i, place in enumerate(places)}
    grid = np.ix_(places, places)
    data = ProblemData(
        problem.duration_matrix[grid],
        problem.distance_matrix[grid],
        tuple(replace(v, start=local[v.start], end=local[v.end]) for v in vehicles),
        tuple(replace(job, location=local[job.location]) for job in jobs),
    )
    warm_routes = []
    for k, key in enumerate(keys):
        route = plan.routes.get(key, [])
        if route:
            stops = tuple(Stop(f"{j}:{key[0]}", 0, 0, 0, 0, 0, 0) for j in route)
            warm_routes.append(Route(vehicles[k].id, stops, 0, 0, 0, 0, 0, 0))
    return data, keys, soft, visit_of, Solution(tuple(warm_routes)), places


def route_group(
    plan: Plan,
    options: list[JobOptions],
    days: list[int],
    params: SolveParams,
    locked: set[int],
    cold: bool = False,
) -> GroupResult:
    """Re-route the crew-days of ``days`` with the core, warm-started from the plan.

    ``cold`` lets OR-Tools build its own first solution instead (parallel
    cheapest insertion): from the planner's sequential insertion routes,
    guided local search ends far worse within the same time (p01 at 8 s:
    539.0 warm against 524.6 cold).

    Big groups (:func:`~optimizer.periodic.regions.crew_regions`) are routed
    region by region instead (:func:`route_regions`).
    """
    regions = crew_regions(plan, days)
    if regions is not None:
        return route_regions(plan, options, days, params, locked, regions, cold)
    data, keys, soft, visit_of, warm, places = build_group(plan, options, days, locked)
    warm = Solution(()) if cold else warm
    offsets = {d: (d - days[0]) * plan.problem.day_length for d in days}
    empty: dict[Key, list[int]] = {key: [] for key in keys}
    if not data.jobs:
        return GroupResult(empty, [], Solution(()), offsets)
    if any(s is not None for s in soft):
        result = _solve_with_overtime(plan, data, keys, soft, params, warm)
    else:
        result = solve(data, params, initial=warm)
    if result.solution is None:
        return GroupResult({k: list(plan.routes.get(k, [])) for k in keys}, [], None, offsets)
    key_of = {data.vehicles[k].id: key for k, key in enumerate(keys)}
    routes = dict(empty)
    for route in result.solution.routes:
        routes[key_of[route.vehicle_id]] = [visit_of[s.job_id] for s in route.stops]
    dropped = []
    for item in result.solution.unassigned:
        j = visit_of[item.job_id]
        day = int(item.job_id.split(":")[1])
        dropped.append((j, day, item))
    return GroupResult(routes, dropped, _at_places(result.solution, places), offsets)


def route_regions(
    plan: Plan, options: list[JobOptions], days: list[int], params: SolveParams,
    locked: set[int], regions: list[list[int]], cold: bool = False,
) -> GroupResult:  # fmt: skip
    """Route ``days`` one region of crews at a time, each in its own core model.

    Each region gets the time limit's share of its visits. A cold search that
    leaves visits out is followed by a warm one, and the region keeps the one
    placing more visits (then the lower objective). The warm start holds the
    planner's routes that OR-Tools accepts, checked one by one, so one
    infeasible route no longer sends the whole region to a cold start. When
    one region finds no plan the group's ``solution`` is ``None`` (its days
    are routed again later); the other regions' routes are kept.
    """
    offsets = {d: (d - days[0]) * plan.problem.day_length for d in days}
    group = set(days)
    crews = [set(region) for region in regions]
    sizes = [sum(len(r) for (d, c), r in plan.routes.items() if d in group and c in mine)
             for mine in crews]  # fmt: skip
    total = max(1, sum(sizes))
    routes: dict[Key, list[int]] = {}
    dropped: list[tuple[int, int, Unassigned]] = []
    found: list[Route] | None = []
    for region, size in zip(crews, sizes, strict=True):
        share = params
        if params.time_limit_s is not None:
            share = replace(params, time_limit_s=max(0.05, params.time_limit_s * size / total))
        part = _route_region(plan, options, days, share, locked, region, cold)
        routes.update(part.routes)
        dropped += part.dropped
        if part.solution is None or found is None:
            found = None
        else:
            found += part.solution.routes
    solution = None if found is None else Solution(tuple(found))
    return GroupResult(routes, dropped, solution, offsets, regional=True)


def _route_region(
    plan: Plan, options: list[JobOptions], days: list[int], params: SolveParams,
    locked: set[int], region: set[int], cold: bool,
) -> GroupResult:  # fmt: skip
    data, keys, soft, visit_of, warm, places = build_group(plan, options, days, locked, region)
    offsets = {d: (d - days[0]) * plan.problem.day_length for d in days}
    if not data.jobs:
        return GroupResult({key: [] for key in keys}, [], Solution(()), offsets)
    results = []
    if cold:
        results.append(_solve_core(plan, data, keys, soft, params, None))
    if not cold or results[0].solution is None or results[0].solution.unassigned:
        results.append(_solve_core(plan, data, keys, soft, params, warm, check_warm=True))
    found = [r for r in results if r.solution is not None]
    if not found:
        return GroupResult({k: list(plan.routes.get(k, [])) for k in keys}, [], None, offsets)
    best = min(found, key=lambda r: (len(r.solution.unassigned), r.objective))  # type: ignore[union-attr]
    return _group_result(best, data, keys, visit_of, places, offsets)


def _group_result(
    result: SolveResult, data: ProblemData, keys: list[Key], visit_of: dict[str, int],
    places: np.ndarray, offsets: dict[int, int],
) -> GroupResult:  # fmt: skip
    """Routes and dropped visits of a found core solution, in the plan's terms."""
    assert result.solution is not None
    key_of = {data.vehicles[k].id: key for k, key in enumerate(keys)}
    routes: dict[Key, list[int]] = {key: [] for key in keys}
    for route in result.solution.routes:
        routes[key_of[route.vehicle_id]] = [visit_of[s.job_id] for s in route.stops]
    dropped = [(visit_of[item.job_id], int(item.job_id.split(":")[1]), item)
               for item in result.solution.unassigned]  # fmt: skip
    return GroupResult(routes, dropped, _at_places(result.solution, places), offsets)


def _solve_with_overtime(
    plan: Plan, data: ProblemData, keys: list[Key], soft: list[int | None],
    params: SolveParams, warm: Solution,
) -> SolveResult:  # fmt: skip
    """The core's ``solve`` flow with one addition: priced overtime as a soft route end."""
    return _solve_core(plan, data, keys, soft, params, warm)


def _solve_core(
    plan: Plan, data: ProblemData, keys: list[Key], soft: list[int | None],
    params: SolveParams, warm: Solution | None, check_warm: bool = False,
) -> SolveResult:  # fmt: skip
    """The core's ``solve`` flow, with priced overtime as a soft route end.

    With ``check_warm`` the warm start keeps the routes OR-Tools accepts (one
    by one), and a search that ends placing fewer visits than those routes
    hold is replaced by the warm start itself, timed by OR-Tools (a search
    stopped at its first solution): a region never loses visits it had.
    """
    import time

    from optimizer import model
    from optimizer.screening import screen
    from optimizer.solve import (
        _warm_start,
        extract,
        feasible_warm_routes,
        remaining,
        run_and_release,
    )

    started = time.monotonic()
    screening = screen(data)
    modelled = [j for j in range(len(data.jobs)) if j not in screening.excluded]
    if not modelled:
        solution = Solution((), tuple(screening.excluded[j] for j in sorted(screening.excluded)))
        return SolveResult(SolveStatus.OPTIMAL, solution, 0, time.monotonic() - started, params)
    start = _warm_start(data, warm)
    if check_warm and start:
        start = feasible_warm_routes(data, params, screening, modelled, start)
    deadline = None if params.time_limit_s is None else time.time() + params.time_limit_s

    def run(search: SolveParams, limit: float | None) -> RawResult:
        ctx = model.build(model.layout(data, search, screening.candidates, modelled))
        time_dim = ctx.dimensions["time"]
        for k, bound in enumerate(soft):
            if bound is not None:
                crew = plan.problem.crews[keys[k][1]]
                weight = overtime_weight(crew.cost_per_hour, crew.overtime_cost_per_hour)
                time_dim.SetCumulVarSoftUpperBound(ctx.routing.End(k), bound, weight)
        return run_and_release(ctx, limit, start)

    raw = run(params, remaining(deadline))
    modelled_set = set(modelled)
    held = sum(1 for k, r in (start or {}).items() for j in r
               if j in modelled_set and k in screening.candidates[j])  # fmt: skip
    placed = sum(len(r.jobs) for r in raw.routes.values())
    if check_warm and placed < held:
        first = run(replace(params, solution_limit=1, time_limit_s=None,
                            metaheuristic="GREEDY_DESCENT"), None)  # fmt: skip
        if sum(len(r.jobs) for r in first.routes.values()) > placed:
            raw = first
    runtime = time.monotonic() - started
    if raw.objective is None or not raw.status.has_solution:
        return SolveResult(raw.status, None, None, runtime, params)
    solution = extract(data, params, screening, raw.routes)
    return SolveResult(raw.status, solution, raw.objective, runtime, params)


def _at_places(solution: Solution, places: np.ndarray) -> Solution:
    """The solution with the group's place numbers turned back into the problem's."""

    def place(index: int | None) -> int | None:
        return None if index is None else int(places[index])

    routes = tuple(
        replace(route, start_location=place(route.start_location),
                end_location=place(route.end_location),
                stops=tuple(replace(s, location=place(s.location)) for s in route.stops))
        for route in solution.routes
    )  # fmt: skip
    return replace(solution, routes=routes)


def shift_route(route: Route, offset: int) -> Route:
    """The same route with every time moved back by ``offset`` s (group clock -> day clock)."""
    if not offset:
        return route
    stops = tuple(replace(s, arrival=s.arrival - offset, start=s.start - offset,
                          end=s.end - offset) for s in route.stops)  # fmt: skip
    brk = None if route.break_start is None else route.break_start - offset
    return replace(route, stops=stops, start_time=route.start_time - offset,
                   end_time=route.end_time - offset, break_start=brk)  # fmt: skip
