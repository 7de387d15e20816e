"""solve() on tiny instances whose optimum is known by hand or by brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from optimizer import (
    Job,
    Penalties,
    ProblemData,
    ScalingWarning,
    SolveParams,
    SolveStatus,
    TimeWindow,
    Vehicle,
    solve,
)
from tests.optimizer.checker import check
from tests.optimizer.conftest import EXACT, line_matrix


def tour_length(matrix: np.ndarray, order: tuple[int, ...]) -> int:
    """Closed tour 0 -> order -> 0."""
    path = (0, *order, 0)
    return int(sum(matrix[a, b] for a, b in itertools.pairwise(path)))


def test_line_tour_is_optimal(line4: ProblemData) -> None:
    """0 -> 10 -> 20 -> 30 -> 0 is 60 s, and nothing shorter exists."""
    result = solve(line4, EXACT)
    assert result.status is SolveStatus.FEASIBLE
    assert result.objective == 60
    assert result.solution is not None
    assert result.solution.travel_duration == 60
    assert result.solution.travel_distance == 600  # distance matrix is 10 x durations
    assert check(line4, result.solution) == []


def test_grid_tour_matches_brute_force() -> None:
    """Five points on a grid (Manhattan seconds); compare with all 5! = 120 orders."""
    points = np.array([[0, 0], [3, 9], [8, 1], [6, 6], [1, 4], [9, 8]])
    matrix = np.abs(points[:, None, :] - points[None, :, :]).sum(axis=2) * 60
    best = min(tour_length(matrix, p) for p in itertools.permutations(range(1, 6)))
    data = ProblemData(
        matrix, matrix, (Vehicle("v", 0, 0, TimeWindow(0, 10_000)),),
        tuple(Job(f"j{i}", i, 0) for i in range(1, 6)),
    )  # fmt: skip
    result = solve(data, EXACT)
    # best: 0-2-3-5-1-4-0 = (9+7+5+7+6+5) * 60 = 39 * 60 = 2400 s
    assert result.objective == best == 2400


def test_windows_force_a_longer_order() -> None:
    """Windows make the greedy line order infeasible: the job at 30 must come first.

    Depot 0, jobs at 10, 20, 30 (s), service 0. j3 (at 30) must start by 35,
    so the route is 0 -> 30 -> 20 -> 10 -> 0 = 30 + 10 + 10 + 10 = 60 s. The
    route ends as early as it can: it leaves at 0, reaches j3 at 30, j2 at 40
    and j1 at 50, exactly when j1's window [50, 100] opens, and is back at 60.
    """
    matrix = line_matrix([0, 10, 20, 30])
    data = ProblemData(
        matrix, matrix, (Vehicle("v", 0, 0, TimeWindow(0, 100)),),
        (Job("j1", 1, 0, windows=[(50, 100)]), Job("j2", 2, 0), Job("j3", 3, 0, windows=[(0, 35)])),
    )  # fmt: skip
    result = solve(data, EXACT)
    assert result.solution is not None
    route = result.solution.routes[0]
    assert [s.job_id for s in route.stops] == ["j3", "j2", "j1"]
    assert (route.start_time, route.end_time) == (0, 60)
    assert route.stops[2].start == 50
    assert route.waiting_duration == 0
    assert result.objective == 60
    assert check(data, result.solution) == []


def test_two_vehicles_split_by_side() -> None:
    """Depot in the middle; jobs at -20 and +20 with a 30 s shift: one vehicle each.

    A single vehicle would need 20 + 40 + 20 = 80 s > 30; two need 40 each... so
    shift 50: each vehicle drives 0 -> +-20 -> 0 = 40 s, total 80 s.
    """
    matrix = line_matrix([0, -20, 20])
    vehicles = (Vehicle("v1", 0, 0, TimeWindow(0, 50)), Vehicle("v2", 0, 0, TimeWindow(0, 50)))
    data = ProblemData(matrix, matrix, vehicles, (Job("w", 1, 0), Job("e", 2, 0)))
    result = solve(data, EXACT)
    assert result.solution is not None
    assert len(result.solution.routes) == 2
    assert result.objective == 80
    assert check(data, result.solution) == []


def test_same_result_under_solution_limit() -> None:
    """Two runs with the same solution limit give the same routes (no clock involved)."""
    rng = np.random.default_rng(7)
    points = rng.integers(0, 600, size=(13, 2))
    matrix = np.rint(np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1)))
    vehicles = tuple(Vehicle(f"v{k}", 0, 0, TimeWindow(0, 3000), capacity=5) for k in range(3))
    jobs = tuple(Job(f"j{i}", i, 60, demand=1) for i in range(1, 13))
    data = ProblemData(matrix, matrix, vehicles, jobs)
    params = SolveParams(time_limit_s=None, solution_limit=300)
    first, second = solve(data, params), solve(data, params)
    assert first.objective == second.objective
    assert first.solution == second.solution


def test_no_vehicles_leaves_every_job_unassigned(line4: ProblemData) -> None:
    """Without vehicles the result is a plan with nothing routed, not an error."""
    data = ProblemData(line4.duration_matrix, line4.distance_matrix, (), line4.jobs)
    result = solve(data, EXACT)
    assert result.solution is not None
    assert {u.job_id for u in result.solution.unassigned} == {"j1", "j2", "j3"}
    assert {u.code for u in result.solution.unassigned} == {"no_skill"}


def test_progress_reports_improving_costs(line4: ProblemData) -> None:
    """The callback sees a non-increasing best cost and a growing solution count."""
    seen = []
    solve(line4, EXACT, progress=seen.append)
    assert seen
    costs = [p.best_cost for p in seen]
    assert costs == sorted(costs, reverse=True)
    assert [p.solutions for p in seen] == list(range(1, len(seen) + 1))
    assert costs[-1] == 60


def test_warm_start_keeps_a_good_plan(line4: ProblemData) -> None:
    """Starting from the optimal routes with a one-solution limit returns them."""
    best = solve(line4, EXACT)
    assert best.solution is not None
    again = solve(line4, SolveParams(time_limit_s=None, solution_limit=1), initial=best.solution)
    assert again.objective == 60


def test_warm_start_ignores_unknown_jobs(line4: ProblemData) -> None:
    """A previous plan naming jobs that no longer exist still warm-starts."""
    best = solve(line4, EXACT)
    assert best.solution is not None
    smaller = ProblemData(line4.duration_matrix, line4.distance_matrix, line4.vehicles,
                          line4.jobs[:2])  # fmt: skip
    result = solve(smaller, EXACT, initial=best.solution)
    assert result.solution is not None
    assert check(smaller, result.solution) == []
    assert result.objective == 40  # 0 -> 10 -> 20 -> 0


def test_distance_objective() -> None:
    """With objective "distance" the shorter but slower road wins.

    Two jobs; going via j1 first is 10 s/100 m + 10 s/100 m + 10 s/1000 m; via
    j2 first costs 1000 m on the first leg: distances are not symmetric in
    time, so the duration and distance optima differ.
    """
    durations = np.array([[0, 10, 50], [10, 0, 10], [10, 10, 0]])
    distances = np.array([[0, 900, 100], [100, 0, 100], [900, 100, 0]])
    data = ProblemData(durations, distances, (Vehicle("v", 0, 0, (0, 500)),),
                       (Job("j1", 1, 0), Job("j2", 2, 0)))  # fmt: skip
    by_time = solve(data, SolveParams(time_limit_s=None, solution_limit=50))
    by_distance = solve(data, SolveParams(time_limit_s=None, solution_limit=50,
                                          objective="distance"))  # fmt: skip
    assert by_time.objective == 10 + 10 + 10  # 0 -> j1 -> j2 -> 0
    assert by_distance.objective == 100 + 100 + 100  # 0 -> j2 -> j1 -> 0


def test_overflowing_penalties_warn(line4: ProblemData) -> None:
    """Three jobs at 2**61 each sum above 2**62: a ScalingWarning, and still a plan."""
    penalties = Penalties(drop_base=2**61, priority_factor=1, pinned_factor=1)
    params = SolveParams(time_limit_s=None, solution_limit=5, penalties=penalties)
    with pytest.warns(ScalingWarning, match="int64 overflow"):
        result = solve(line4, params)
    assert result.solution is not None


def test_pin_the_search_cannot_honour_is_reported() -> None:
    """j2 pinned first on v, but only j1 (at 10, window [10, 10]) can be first: pin_conflict.

    Reaching j2 (at 20) first costs 20 s, then j1 at 30 > 10; and the screening
    cannot see it (a position-0 pin is always possible in an empty route).
    """
    matrix = line_matrix([0, 10, 20])
    jobs = (
        Job("j1", 1, 0, windows=[(10, 10)], priority=5),
        Job("j2", 2, 0, pinned_vehicle="v", pinned_position=0),
    )
    data = ProblemData(matrix, matrix, (Vehicle("v", 0, 0, TimeWindow(0, 100)),), jobs)
    result = solve(data, EXACT)
    assert result.solution is not None
    assert check(data, result.solution) == []
    unassigned = {u.job_id: u.code for u in result.solution.unassigned}
    assert len(unassigned) == 1
    assert unassigned in ({"j2": "pin_conflict"}, {"j1": "no_room"})
