"""VROOM through its Python binding (``pyvroom``, import name ``vroom``).

VROOM has no search budget in the PyVRP/OR-Tools sense: its effort is set by the exploration
level (1-5) and the number of threads, and it stops when its local searches converge. pyvroom
1.15 also takes a ``timeout`` that cuts the search short. Used here: exploration level 5 (the
most), one thread (``nb_threads=1``, the machine is shared and the other solvers get one),
and ``timeout`` = the time limit as an upper bound only: VROOM usually finishes well before it,
so its ``seconds`` column is its own running time.

Data: a custom duration matrix (x 1000 rounded); VROOM minimises travel time when no cost
matrix is given, which is the distance here. One vehicle per unit of the fleet limit.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from benchmarks.model import Instance, Route
from benchmarks.solvers import SolverOutput, require_single_day, scaled, scaled_matrix

EXPLORATION_LEVEL = 5
THREADS = 1


def solve(instance: Instance, time_limit: float) -> SolverOutput:
    """Solve a one-day instance; jobs VROOM leaves unassigned are simply missing."""
    require_single_day(instance, "VROOM")
    import vroom

    problem = vroom.Input()
    problem.set_durations_matrix(
        profile="car", matrix_input=scaled_matrix(instance).astype(np.uint32)
    )
    depot = instance.depot
    shift = vroom.TimeWindow(scaled(depot.ready), scaled(depot.due))
    for v in range(1, instance.vehicles_per_day + 1):
        problem.add_vehicle(
            vroom.Vehicle(v, start=0, end=0, capacity=[instance.capacity], time_window=shift)
        )
    for c in instance.customers:
        problem.add_job(
            vroom.Job(
                c.number,
                location=c.number,
                default_service=scaled(c.service),
                delivery=[c.demand],
                time_windows=[vroom.TimeWindow(scaled(c.ready), scaled(c.due))],
            )
        )
    solution = problem.solve(
        exploration_level=EXPLORATION_LEVEL,
        nb_threads=THREADS,
        timeout=timedelta(seconds=time_limit),
    )
    steps = solution.routes
    jobs = steps[steps["type"] == "job"]
    routes = tuple(
        Route(day=1, vehicle=int(vehicle), customers=tuple(int(j) for j in group["id"]))
        for vehicle, group in jobs.groupby("vehicle_id", sort=True)
    )
    status = f"{len(solution.unassigned)} unassigned" if len(solution.unassigned) else "ok"
    return SolverOutput(routes=routes, status=status)
