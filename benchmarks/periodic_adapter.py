"""Cordeau PVRP/PVRPTW instances through `optimizer.solve_periodic`.

Mapping (the conventions of the instances' README): node i is location i (0 the
depot); ``m`` identical crews ``c1``..``cm`` start and end at the depot and work every day
0..t-1; capacity Q; the route-duration limit D becomes ``max_duration`` (service counts
toward it). The distance matrix is Euclidean x 1000 rounded (the objective: total
distance); the duration matrix and service times are rounded *up* and D *down*, so a route
the integer model accepts also keeps D in the checker's double-precision arithmetic. Each
customer's day-combinations become its patterns (0-based days). Customers with frequency 0
need no visit and are left out; p01's dummy customer at the depot is kept (it occupies one
day-1 vehicle, as intended by the instance).
"""

from __future__ import annotations

import math

import numpy as np

from benchmarks.model import Instance, Route
from benchmarks.solvers import SCALE, SolverOutput, scaled_matrix


def _ceil(value: float) -> int:
    return int(math.ceil(value * SCALE - 1e-9))


def _floor(value: float) -> int:
    return int(math.floor(value * SCALE + 1e-9))


def build_periodic(instance: Instance):  # type: ignore[no-untyped-def]
    """The `optimizer.PeriodicProblem` of a Cordeau instance (mapping in the module docstring)."""
    import optimizer as opt

    distance = scaled_matrix(instance)
    pts = np.array([instance.point(i) for i in range(instance.num_customers + 1)], dtype=float)
    diff = pts[:, None, :] - pts[None, :, :]
    duration = np.ceil(np.hypot(diff[..., 0], diff[..., 1]) * SCALE - 1e-9).astype(np.int64)
    depot = instance.depot
    end = _floor(depot.due) if math.isfinite(depot.due) else 2**31
    limit = _floor(instance.max_duration) if instance.max_duration else None
    shifts = {d: opt.TimeWindow(_ceil(depot.ready), end) for d in range(instance.days)}
    crews = tuple(
        opt.Crew(
            id=f"c{k}",
            start=0,
            end=0,
            shifts=shifts,
            capacity=instance.capacity,
            max_duration=limit,
        )
        for k in range(1, instance.vehicles_per_day + 1)
    )
    jobs = []
    for c in instance.customers:
        if c.frequency == 0:
            continue
        windows = ()
        if math.isfinite(c.due):
            windows = (opt.TimeWindow(_ceil(c.ready), _floor(c.due)),)
        patterns = tuple(frozenset(d - 1 for d in combo) for combo in c.combinations)
        job = opt.PeriodicJob(
            id=str(c.number),
            location=c.number,
            service=_ceil(c.service),
            windows=windows,
            demand=c.demand,
            patterns=patterns,
        )
        jobs.append(job)
    weights = opt.ConsistencyWeights(0, 0, 0, 0, 0)
    return opt.PeriodicProblem(duration, distance, crews, tuple(jobs), instance.days, weights)


def routes_from_periodic(result) -> tuple[Route, ...]:  # type: ignore[no-untyped-def]
    """Routes of a `PeriodicResult`; crew-day ``cK@d`` becomes day d+1, vehicle K."""
    routes = []
    for day, solution in sorted(result.day_solutions.items()):
        for route in solution.routes:
            customers = tuple(int(s.job_id.split("#")[0]) for s in route.stops)
            crew = route.vehicle_id.split("@")[0]
            if customers:
                vehicle = int(crew.lstrip("c"))
                routes.append(Route(day=day + 1, vehicle=vehicle, customers=customers))
    return tuple(routes)


def solve_periodic_instance(instance: Instance, time_limit: float) -> SolverOutput:
    """Solve a periodic instance with `optimizer.solve_periodic` within ``time_limit`` s."""
    import optimizer as opt

    problem = build_periodic(instance)
    params = opt.SolveParams(time_limit_s=time_limit, objective="distance", num_workers=1)
    result = opt.solve_periodic(problem, params)
    status = result.status.value
    if result.unassigned:
        status += f", {len(result.unassigned)} unassigned"
    return SolverOutput(routes=routes_from_periodic(result), status=status)
