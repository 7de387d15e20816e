"""What keeps the weekly planner small and fast on big weeks.

Every OR-Tools model is freed when its solve returns (the planner builds hundreds), a day's
model holds only the places of that day, a job is offered only to the crews based nearest
to it, and a job that no longer fits into its previous slot moves on the stability budget
instead of being left out.
"""

from __future__ import annotations

import gc
import weakref
from typing import Any

import numpy as np
import pytest

from optimizer import (
    ConsistencyWeights,
    Crew,
    Job,
    PeriodicJob,
    PeriodicProblem,
    ProblemData,
    SolveParams,
    TimeWindow,
    Vehicle,
    model,
    solve,
    solve_periodic,
)
from optimizer.periodic.options import NEAREST_CREWS, job_options
from tests.optimizer.periodic_checker import check_plan

EXACT = SolveParams(time_limit_s=None, solution_limit=20, stall_limit=2000)
DAY = (0, 10_000)


def line(*xs: int) -> np.ndarray:
    x = np.array(xs, dtype=np.int64)
    return np.abs(x[:, None] - x[None, :])


@pytest.fixture
def built_models(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, tuple[int, ...]]]:
    """(weak reference to the routing model, matrix shape) of every model built."""
    seen: list[tuple[Any, tuple[int, ...]]] = []
    real = model.build

    def spy(ctx: model.RoutingContext) -> model.RoutingContext:
        ctx = real(ctx)
        seen.append((weakref.ref(ctx.routing), ctx.data.duration_matrix.shape))
        return ctx

    monkeypatch.setattr(model, "build", spy)
    return seen


def test_the_core_frees_its_routing_model(built_models: list) -> None:
    m = line(0, 10, 20, 30)
    data = ProblemData(m, m, (Vehicle("v", 0, 0, TimeWindow(0, 1000)),),
                       tuple(Job(f"j{i}", i, 5) for i in (1, 2, 3)))  # fmt: skip
    for _ in range(3):
        assert solve(data, EXACT).solution is not None
    gc.collect()
    assert len(built_models) >= 3
    assert all(ref() is None for ref, _ in built_models)


def spread_week() -> PeriodicProblem:
    """Two crews, four jobs on two days, and 40 places nobody visits this week."""
    m = line(0, 100, 10, 20, 90, 80, *range(1000, 1040))
    week = {0: DAY, 1: DAY}
    crews = (Crew("A", 0, 0, shifts=week), Crew("B", 1, 1, shifts=week))
    days = (frozenset({0}), frozenset({1}))
    jobs = tuple(PeriodicJob(f"J{i}", i, 10, patterns=days) for i in (2, 3, 4, 5))
    return PeriodicProblem(m, m, crews, jobs, days=2, weights=ConsistencyWeights(0, 0, 0, 0, 0))


def test_day_models_hold_only_their_places_and_are_freed(built_models: list) -> None:
    problem = spread_week()
    result = solve_periodic(problem, EXACT)
    assert check_plan(problem, result) == []
    gc.collect()
    assert built_models and all(ref() is None for ref, _ in built_models)
    assert max(shape[0] for _, shape in built_models) <= 6  # 4 jobs and 2 depots, not 46
    location = {job.id: job.location for job in problem.jobs}
    for solution in result.day_solutions.values():
        for route in solution.routes:
            assert route.start_location == route.end_location == (0 if route.vehicle_id[0] == "A"
                                                                  else 1)  # fmt: skip
            for stop in route.stops:
                assert stop.location == location[stop.job_id.split("#")[0]]


def many_crews(depots: list[int]) -> PeriodicProblem:
    """One job at x=0 and a crew per depot position; only the last crew works on Sunday."""
    m = line(0, *depots)
    crews = tuple(
        Crew(f"C{k:02d}", k + 1, k + 1, shifts={0: DAY} if k < len(depots) - 1 else {6: DAY})
        for k in range(len(depots))
    )  # fmt: skip
    job = PeriodicJob("J", 0, 10, patterns=(frozenset({0}), frozenset({6})),
                      previous=((0, "C15"),))  # fmt: skip
    return PeriodicProblem(m, m, crews, (job,), days=7)


def test_a_job_is_offered_to_its_nearest_crews_and_keeps_every_day_served() -> None:
    depots = list(range(10, 210, 10))  # 20 crews, C00 nearest
    problem = many_crews(depots)
    crews = [problem.crews[c].id for c in job_options(problem, problem.jobs[0]).crews]
    nearest = [f"C{k:02d}" for k in range(NEAREST_CREWS)]
    assert crews == [*nearest, "C15", "C19"]  # its previous crew, the only Sunday crew


def test_crews_sharing_one_yard_are_all_kept() -> None:
    problem = many_crews([50] * 20)
    assert len(job_options(problem, problem.jobs[0]).crews) == 20


def test_a_job_whose_previous_slot_has_no_room_moves_on_the_budget() -> None:
    """S was on A's Monday, now a 50 s shift with no room for its 100 s visit.

    Moving J0 and J1 to crew B saves ~200 s each and S's move saves nothing, so
    ranked by saving S came last and was pinned back to a slot it cannot use.
    It must take the budget's one place instead: everything placed, one change.
    """
    m = line(0, 100, 10, 101, 102)
    crews = (Crew("A", 0, 0, shifts={0: (0, 50), 1: DAY}), Crew("B", 1, 1, shifts={0: DAY, 1: DAY}))
    either = (frozenset({0}), frozenset({1}))
    jobs = (
        PeriodicJob("S", 2, 100, patterns=either, previous=((0, "A"),)),
        PeriodicJob("J0", 3, 10, patterns=either, previous=((1, "A"),)),
        PeriodicJob("J1", 4, 10, patterns=either, previous=((1, "A"),)),
    )
    weights = ConsistencyWeights(0, 0, 0, 1, 0)
    problem = PeriodicProblem(m, m, crews, jobs, days=2, weights=weights, stability_budget=1)
    result = solve_periodic(problem, EXACT)
    assert check_plan(problem, result) == []
    assert result.unassigned == ()
    assert [move.job_id for move in result.moves] == ["S"]
