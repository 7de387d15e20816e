"""PyVRP through its modelling interface (``pyvrp.Model``), stopped by ``MaxRuntime``.

Built the way PyVRP's VRPTW tutorial builds an instance: one depot, one vehicle type with
``num_available`` = the fleet limit and the depot window as shift, clients with delivery
demand, service duration and window, and an explicit edge (distance = duration) for every
ordered pair. Seed fixed to 1 and ``display=False``; one thread (PyVRP is single-threaded).
"""

from __future__ import annotations

import warnings

from benchmarks.model import Instance, Route
from benchmarks.solvers import SolverOutput, require_single_day, scaled, scaled_matrix

SEED = 1


def solve(instance: Instance, time_limit: float) -> SolverOutput:
    """Solve a one-day instance; PyVRP's best solution is returned even when infeasible."""
    require_single_day(instance, "PyVRP")
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    matrix = scaled_matrix(instance)
    model = Model()
    locations = [model.add_location(*instance.point(i)) for i in range(instance.num_customers + 1)]
    depot = instance.depot
    model.add_depot(locations[0], tw_early=scaled(depot.ready), tw_late=scaled(depot.due))
    model.add_vehicle_type(
        num_available=instance.vehicles_per_day,
        capacity=[instance.capacity],
        tw_early=scaled(depot.ready),
        tw_late=scaled(depot.due),
    )
    for c in instance.customers:
        model.add_client(
            locations[c.number],
            delivery=[c.demand],
            service_duration=scaled(c.service),
            tw_early=scaled(c.ready),
            tw_late=scaled(c.due),
            name=str(c.number),
        )
    for i, frm in enumerate(locations):
        for j, to in enumerate(locations):
            model.add_edge(frm, to, distance=int(matrix[i, j]), duration=int(matrix[i, j]))

    with warnings.catch_warnings():
        # PenaltyBoundWarning only says the search struggles; the checker judges the result.
        warnings.simplefilter("ignore")
        result = model.solve(
            stop=MaxRuntime(time_limit), seed=SEED, display=False, collect_stats=False
        )
    numbers = [c.number for c in instance.customers]
    routes = []
    for k, route in enumerate(result.best.routes(), start=1):
        visits = tuple(numbers[a.idx] for a in route if a.is_client())
        routes.append(Route(day=1, vehicle=k, customers=visits))
    status = "feasible" if result.is_feasible() else "infeasible"
    return SolverOutput(routes=tuple(routes), status=status)
