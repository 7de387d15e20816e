"""Parallel searches in spawned processes (one OR-Tools model per process)."""

from __future__ import annotations

import numpy as np

from optimizer import Job, ProblemData, SolveParams, TimeWindow, Vehicle, solve
from optimizer.parallel import worker_params
from tests.optimizer.checker import check


def test_two_workers_return_the_better_plan_deterministically() -> None:
    """Two workers under a solution limit: a feasible plan, no worse than worker 0 alone."""
    rng = np.random.default_rng(3)
    points = rng.integers(0, 900, size=(16, 2))
    matrix = np.rint(np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1)))
    vehicles = tuple(Vehicle(f"v{k}", 0, 0, TimeWindow(0, 4000), capacity=6) for k in range(3))
    jobs = tuple(Job(f"j{i}", i, 120, demand=1) for i in range(1, 16))
    data = ProblemData(matrix, matrix, vehicles, jobs)
    params = SolveParams(time_limit_s=None, solution_limit=100, num_workers=2)
    seen = []
    result = solve(data, params, progress=seen.append)
    assert result.solution is not None
    assert check(data, result.solution) == []
    alone = solve(data, worker_params(params, 0))
    assert result.objective is not None and alone.objective is not None
    assert result.objective <= alone.objective
    assert seen and {p.worker for p in seen} <= {0, 1}
    assert solve(data, params).objective == result.objective


def test_worker_variants_differ() -> None:
    """Worker 0 runs the given settings; worker 1 another first-solution strategy."""
    params = SolveParams(num_workers=3)
    assert worker_params(params, 0).first_solution == params.first_solution
    assert worker_params(params, 1).first_solution != params.first_solution
    assert worker_params(params, 1).num_workers == 1
