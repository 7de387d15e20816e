"""Our solver on the benchmark instances: `Instance` -> `optimizer.ProblemData` -> routes.

The mapping for one-day (Solomon, Gehring-Homberger) instances: location i is node i (0 the
depot); Euclidean distance x 1000 rounded to an integer is both the distance and the duration
matrix; windows and service x 1000; vehicles ``v1``..``vK`` (K = the fleet limit of the file),
each starting and ending at the depot, shift = the depot window, capacity = the file's; job id
= the customer number as text; objective ``distance``; one worker.

Periodic (Cordeau) instances need a periodic planner. Until ``optimizer`` has one (feature-
detected as ``optimizer.solve_periodic``), they are reported as not supported yet; once it
exists, `benchmarks.periodic_adapter` maps them.
"""

from __future__ import annotations

import os

from benchmarks.model import Instance, Route
from benchmarks.solvers import SolverOutput, Unavailable, Unsupported, scaled, scaled_matrix

#: How many search processes our solver may use per file; set by ``run --threads``.
THREADS_ENV = "ROUNDS_BENCH_THREADS"


def _optimizer():  # type: ignore[no-untyped-def]
    try:
        import optimizer
    except ImportError as exc:  # pragma: no cover - the package is part of the repository
        raise Unavailable(f"optimizer cannot be imported: {exc}") from None
    if not hasattr(optimizer, "solve"):
        raise Unavailable("optimizer.solve does not exist yet")
    return optimizer


def build_problem(instance: Instance):  # type: ignore[no-untyped-def]
    """The `optimizer.ProblemData` of a one-day instance (mapping in the module docstring)."""
    opt = _optimizer()
    matrix = scaled_matrix(instance)
    depot = instance.depot
    shift = opt.TimeWindow(scaled(depot.ready), scaled(depot.due))
    vehicles = tuple(
        opt.Vehicle(id=f"v{k}", start=0, end=0, shift=shift, capacity=instance.capacity)
        for k in range(1, instance.vehicles_per_day + 1)
    )
    jobs = tuple(
        opt.Job(
            id=str(c.number),
            location=c.number,
            service=scaled(c.service),
            windows=(opt.TimeWindow(scaled(c.ready), scaled(c.due)),),
            demand=c.demand,
        )
        for c in instance.customers
    )
    return opt.ProblemData(
        duration_matrix=matrix, distance_matrix=matrix.copy(), vehicles=vehicles, jobs=jobs
    )


def routes_from_result(result) -> tuple[Route, ...]:  # type: ignore[no-untyped-def]
    """Day-1 routes of a `SolveResult`; vehicle ``vK`` becomes vehicle K."""
    if result.solution is None:
        return ()
    routes = []
    for route in result.solution.routes:
        customers = tuple(int(s.job_id) for s in route.stops if s.job_id is not None)
        if customers:
            routes.append(
                Route(day=1, vehicle=int(route.vehicle_id.lstrip("v")), customers=customers)
            )
    return tuple(routes)


def solve(instance: Instance, time_limit: float) -> SolverOutput:
    """Solve with `optimizer.solve`; raise `Unsupported` where there is no solver for it yet."""
    opt = _optimizer()
    if instance.days != 1:
        if not hasattr(opt, "solve_periodic"):
            raise Unsupported(
                "periodic instances: not supported yet (optimizer has no periodic solver)"
            )
        from benchmarks.periodic_adapter import solve_periodic_instance

        return solve_periodic_instance(instance, time_limit)
    data = build_problem(instance)
    threads = int(os.environ.get(THREADS_ENV, "1"))
    params = opt.SolveParams(time_limit_s=time_limit, objective="distance", num_workers=threads)
    result = opt.solve(data, params)
    status = getattr(result.status, "name", str(result.status)).lower()
    return SolverOutput(routes=routes_from_result(result), status=status)
