"""Big days routed by regions of crews; warm starts checked route by route; no lost visits.

A day of ~1,000 visits and 161 crews in one OR-Tools model dropped every visit,
and one infeasible route of the planner's discarded its whole warm start. Here
the size rule is lowered so that a small seeded day takes the regional path.
"""

from __future__ import annotations

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
    solve_periodic,
)
from optimizer.periodic import regions, routing
from optimizer.periodic.options import job_options
from optimizer.periodic.plan import Plan
from optimizer.screening import screen
from optimizer.solve import feasible_warm_routes
from tests.optimizer.periodic_checker import check_plan

EXACT = SolveParams(time_limit_s=None, solution_limit=20, stall_limit=2000)


def yard_day(
    seed: int = 3, yards: int = 6, per_yard: int = 5, visits: int = 300
) -> PeriodicProblem:
    """One working day: ``per_yard`` crews at each of ``yards`` yards, visits around the yards."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 20_000, size=(yards, 2))
    homes = centres[rng.integers(0, yards, size=visits)] + rng.normal(0, 1_500, size=(visits, 2))
    points = np.vstack([centres, homes])
    matrix = np.rint(np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1)) / 10)
    matrix = matrix.astype(np.int64)
    crews = tuple(Crew(f"C{y}{k}", y, y, shifts={0: TimeWindow(0, 8 * 3600)})
                  for y in range(yards) for k in range(per_yard))  # fmt: skip
    jobs = tuple(PeriodicJob(f"J{i:03d}", yards + i, 600, patterns=(frozenset({0}),))
                 for i in range(visits))  # fmt: skip
    return PeriodicProblem(matrix, matrix, crews, jobs, days=1,
                           weights=ConsistencyWeights(0, 0, 0, 0, 0))  # fmt: skip


@pytest.fixture
def small_split(monkeypatch: pytest.MonkeyPatch) -> list[list[list[int]]]:
    """Split days of more than 20 crews; the regions of every regional routing."""
    monkeypatch.setattr(regions, "SPLIT_DAY_CREWS", 20)
    seen: list[list[list[int]]] = []
    real = routing.route_regions

    def spy(*args: Any, **kw: Any) -> routing.GroupResult:
        seen.append(args[5])
        return real(*args, **kw)

    monkeypatch.setattr(routing, "route_regions", spy)
    return seen


def test_a_big_day_is_routed_in_regions_and_every_visit_is_placed(small_split: list) -> None:
    problem = yard_day()
    result = solve_periodic(problem, EXACT)
    assert check_plan(problem, result) == []
    assert result.unassigned == ()
    assert len(result.visits) == 300
    assert small_split, "the day was routed whole"
    for split in small_split:
        assert sorted(c for region in split for c in region) == list(range(30))
        assert len(split) == 3 and all(len(region) <= regions.REGION_CREWS for region in split)


def test_the_size_rule_keeps_small_days_whole() -> None:
    problem = yard_day()
    plan = Plan(problem, problem.duration_matrix)
    plan.set_routes({(0, c): list(range(c * 10, c * 10 + 10)) for c in range(30)})
    assert regions.crew_regions(plan, [0]) is None  # 30 crews, 300 visits: one model


def line(*xs: int) -> np.ndarray:
    x = np.array(xs, dtype=np.int64)
    return np.abs(x[:, None] - x[None, :])


def test_a_warm_start_keeps_its_feasible_routes() -> None:
    """Van b's route 1 -> 2 takes 50 s in a 46 s shift; a's route stays the warm start."""
    m = line(0, 10, 20, 30, 40, 50)
    vans = (Vehicle("a", 0, 0, TimeWindow(0, 1000)), Vehicle("b", 0, 0, TimeWindow(0, 46)))
    data = ProblemData(m, m, vans, tuple(Job(f"j{i}", i, 5) for i in (1, 2, 3, 4, 5)))
    screening = screen(data)
    modelled = list(range(5))
    assert feasible_warm_routes(data, EXACT, screening, modelled, {0: [2, 3], 1: [0, 1]}) == {
        0: [2, 3]}  # fmt: skip
    both = {0: [2, 3, 4], 1: [0]}
    assert feasible_warm_routes(data, EXACT, screening, modelled, both) == both


def two_crews() -> tuple[PeriodicProblem, Plan]:
    """Crew A's route is fine; crew B's (three 100 s visits in a 150 s shift) is not."""
    m = line(0, 100, 10, 20, 30, 110, 120, 130)
    crews = (Crew("A", 0, 0, shifts={0: TimeWindow(0, 10_000)}),
             Crew("B", 1, 1, shifts={0: TimeWindow(0, 150)}))  # fmt: skip
    jobs = tuple(PeriodicJob(f"J{i}", i, 100 if i > 4 else 10, patterns=(frozenset({0}),),
                             pinned_day_crew=(0, "A" if i <= 4 else "B"))
                 for i in range(2, 8))  # fmt: skip
    problem = PeriodicProblem(m, m, crews, jobs, days=1, weights=ConsistencyWeights(0, 0, 0, 0, 0))
    plan = Plan(problem, problem.duration_matrix)
    plan.set_routes({(0, 0): [2, 0, 1], (0, 1): [3, 4, 5]})  # A in a poor but feasible order
    return problem, plan


def test_an_infeasible_route_does_not_discard_the_others() -> None:
    problem, plan = two_crews()
    options = [job_options(problem, job) for job in problem.jobs]
    first = SolveParams(time_limit_s=None, solution_limit=1)
    result = routing.route_regions(plan, options, [0], first, set(), [[0, 1]])
    assert result.solution is not None
    assert result.routes[(0, 0)] == [2, 0, 1]  # the warm start itself, not a cold route
    assert {j for j, _, _ in result.dropped} <= {3, 4, 5}


def test_a_search_never_places_fewer_visits_than_its_warm_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The search (first run) returns an empty day, as a cold search of a big day did."""
    import importlib

    from optimizer import model

    core = importlib.import_module("optimizer.solve")  # ``optimizer.solve`` is also a function

    problem, plan = two_crews()
    plan.set_routes({(0, 1): [3]})
    options = [job_options(problem, job) for job in problem.jobs]
    real = core.run_and_release
    calls: list[int] = []

    def empty_first(ctx: Any, *args: Any, **kw: Any) -> model.RawResult:
        raw = real(ctx, *args, **kw)
        calls.append(len(calls))
        return model.RawResult(raw.status, raw.objective, {}, raw.solutions) if len(calls) == 1 \
            else raw  # fmt: skip

    monkeypatch.setattr(core, "run_and_release", empty_first)
    result = routing.route_regions(plan, options, [0], EXACT, set(), [[0, 1]])
    assert len(calls) == 2
    assert result.dropped == []
    assert sorted(j for r in result.routes.values() for j in r) == [0, 1, 2, 3]
