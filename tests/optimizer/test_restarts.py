"""Ruin-and-recreate restarts: feasible, reproducible, never worse than their first round."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer import Job, ProblemData, SolveParams, TimeWindow, Vehicle, solve
from optimizer.restarts import ruin
from tests.optimizer.checker import check


def grid_problem() -> ProblemData:
    rng = np.random.default_rng(11)
    points = rng.integers(0, 800, size=(15, 2))
    matrix = np.rint(np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1)))
    vehicles = tuple(Vehicle(f"v{k}", 0, 0, TimeWindow(0, 5000), capacity=5) for k in range(3))
    jobs = tuple(
        Job(f"j{i}", i, 60, demand=1, windows=[(0, 2500)] if i % 3 else ()) for i in range(1, 15)
    )
    return ProblemData(matrix, matrix, vehicles, jobs)


def test_ruin_removes_the_nearest_jobs() -> None:
    """On a line, ruining 2 around the job at 20 removes it and its nearest neighbour."""
    x = np.array([0, 10, 20, 21, 40])
    matrix = np.abs(x[:, None] - x[None, :])
    data = ProblemData(
        matrix, matrix, (Vehicle("v", 0, 0, (0, 100)),),
        tuple(Job(f"j{i}", i, 0) for i in range(1, 5)),
    )  # fmt: skip

    class Pick:
        def choice(self, items):  # type: ignore[no-untyped-def]
            return 1  # job index 1, at 20

    routes = ruin(data, {0: [0, 1, 2, 3]}, Pick(), 2, matrix)  # type: ignore[arg-type]
    assert routes == {0: [0, 3]}  # jobs at 20 and 21 removed; 10 and 40 stay


def test_restarts_are_feasible_reproducible_and_no_worse() -> None:
    """Three rounds under a solution limit: same result twice, at most round one's cost."""
    data = grid_problem()
    base = SolveParams(time_limit_s=None, solution_limit=40, stall_limit=50_000)
    first = solve(data, base)
    params = SolveParams(time_limit_s=None, solution_limit=40, stall_limit=50_000, restarts=2)
    again = solve(data, params)
    assert again.solution is not None and check(data, again.solution) == []
    assert again.objective is not None and first.objective is not None
    assert again.objective <= first.objective
    assert solve(data, params).solution == again.solution


def test_restarts_report_progress_across_rounds() -> None:
    """The callback's best cost never goes up, across round boundaries too."""
    seen = []
    params = SolveParams(time_limit_s=None, solution_limit=20, stall_limit=50_000, restarts=2)
    solve(grid_problem(), params, progress=seen.append)
    costs = [p.best_cost for p in seen]
    assert costs and costs == sorted(costs, reverse=True)


def test_no_round_with_a_plan_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rounds too short to find any plan (a 850-visit day in 0.3 s) give "no solution"."""
    import importlib

    from optimizer.model import RawResult
    from optimizer.restarts import search_with_restarts
    from optimizer.screening import screen
    from optimizer.solution import SolveStatus

    nothing = RawResult(SolveStatus.NO_SOLUTION_TIMEOUT, None, {}, 0)
    solve_module = importlib.import_module("optimizer.solve")  # `optimizer.solve` is the function
    monkeypatch.setattr(solve_module, "solve_here", lambda *args, **kwargs: nothing)
    data = grid_problem()
    raw = search_with_restarts(data, SolveParams(restarts=3), screen(data),
                               list(range(len(data.jobs))), None, None, None)  # fmt: skip
    assert raw.objective is None and raw.status is SolveStatus.NO_SOLUTION_TIMEOUT
