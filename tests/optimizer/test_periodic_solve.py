"""The weekly planner on tiny, hand-checkable weeks (solution-limited: same answer anywhere).

Locations lie on a line and travel seconds are distances, so every cost in a
docstring can be checked by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from optimizer import (
    Break,
    ConsistencyWeights,
    Crew,
    PeriodicJob,
    PeriodicProblem,
    PeriodicResult,
    SolveParams,
    TimeWindow,
    solve_periodic,
)
from tests.optimizer.periodic_checker import check_plan

EXACT = SolveParams(time_limit_s=None, solution_limit=50, stall_limit=3000)
NONE = ConsistencyWeights(0, 0, 0, 0, 0)
DAY = (0, 10_000)


def line(*xs: int) -> np.ndarray:
    x = np.array(xs, dtype=np.int64)
    return np.abs(x[:, None] - x[None, :])


def run(problem: PeriodicProblem) -> PeriodicResult:
    result = solve_periodic(problem, EXACT)
    assert check_plan(problem, result) == []
    return result


def crews_of(result: PeriodicResult, job_id: str) -> set[str]:
    return {v.crew_id for v in result.visits if v.job_id == job_id}


def days_of(result: PeriodicResult, job_id: str) -> set[int]:
    return {v.day for v in result.visits if v.job_id == job_id}


def two_crew_week(weights: ConsistencyWeights) -> PeriodicProblem:
    """Depot A at x=0, depot B at x=100; X at 50 twice (days 0 and 1).

    P (x=52) is pinned to A on day 0 and Q (x=48) to B on day 1, so X is free
    on A's day-0 trip (0->50->52->0 = 104 = 0->52->0) and on B's day-1 trip;
    keeping one crew for both visits costs a 100 s detour on the other day.
    """
    m = line(0, 100, 50, 52, 48)
    week = {0: DAY, 1: DAY}
    crews = (Crew("A", 0, 0, shifts=week), Crew("B", 1, 1, shifts=week))
    jobs = (
        PeriodicJob("X", 2, 10, patterns=(frozenset({0, 1}),)),
        PeriodicJob("P", 3, 10, patterns=(frozenset({0}),), pinned_day_crew=(0, "A")),
        PeriodicJob("Q", 4, 10, patterns=(frozenset({1}),), pinned_day_crew=(1, "B")),
    )
    return PeriodicProblem(m, m, crews, jobs, days=2, weights=weights)


def test_without_same_crew_weight_the_visits_split() -> None:
    """same_crew = 0: X rides along with A on day 0 and with B on day 1 (no detour)."""
    result = run(two_crew_week(NONE))
    assert crews_of(result, "X") == {"A", "B"}
    assert result.kpis["travel_duration"] == 104 + 104


def test_large_same_crew_weight_keeps_one_crew() -> None:
    """same_crew = 1000 > the 100 s detour: both visits of X go to one crew."""
    result = run(two_crew_week(ConsistencyWeights(1000, 0, 0, 0, 0)))
    assert len(crews_of(result, "X")) == 1
    assert result.kpis["travel_duration"] == 104 + 104 + 100


def preferred_day_week(weight: int) -> PeriodicProblem:
    """One crew at x=0; P (x=10) pinned to day 0; X (x=10) on day 0 or day 1, prefers day 1.

    X on day 0 adds nothing (P is there); on day 1 it costs a 20 s trip.
    """
    m = line(0, 10, 10)
    crews = (Crew("A", 0, 0, shifts={0: DAY, 1: DAY}),)
    jobs = (
        PeriodicJob("X", 1, 10, patterns=(frozenset({0}), frozenset({1})),
                    preferred_days=frozenset({1})),
        PeriodicJob("P", 2, 10, patterns=(frozenset({0}),), pinned_day_crew=(0, None)),
    )  # fmt: skip
    return PeriodicProblem(m, m, crews, jobs, days=2,
                           weights=ConsistencyWeights(0, weight, 0, 0, 0))  # fmt: skip


@pytest.mark.parametrize(("weight", "day"), [(0, 0), (10, 0), (600, 1)])
def test_preferred_day_is_taken_when_it_costs_less_than_its_weight(weight: int, day: int) -> None:
    """The 20 s detour to keep day 1 is paid at weight 600, not at weight 10 or 0."""
    assert days_of(run(preferred_day_week(weight)), "X") == {day}


def test_preferred_crew_is_kept_at_a_small_cost() -> None:
    """Crews at x=0 (A) and x=30 (B); X at x=10 prefers B: 60 s round trip instead of 20."""
    m = line(0, 30, 10)
    crews = (Crew("A", 0, 0, shifts={0: DAY}), Crew("B", 1, 1, shifts={0: DAY}))
    job = PeriodicJob("X", 2, 5, patterns=(frozenset({0}),), preferred_crew="B")
    for weight, crew in ((0, "A"), (100, "B")):
        weights = ConsistencyWeights(0, 0, weight, 0, 0)
        result = run(PeriodicProblem(m, m, crews, (job,), days=1, weights=weights))
        assert crews_of(result, "X") == {crew}


def test_pins_are_honoured_even_when_costly() -> None:
    """X is pinned to crew B (far away) on day 1; Y's pattern is pinned by a single pattern."""
    m = line(0, 500, 10, 20)
    week = {d: DAY for d in range(3)}
    crews = (Crew("A", 0, 0, shifts=week), Crew("B", 1, 1, shifts=week))
    jobs = (
        PeriodicJob("X", 2, 10, patterns=(frozenset({0}), frozenset({1})),
                    pinned_day_crew=(1, "B")),
        PeriodicJob("Y", 3, 10, patterns=(frozenset({0, 2}),)),
    )  # fmt: skip
    result = run(PeriodicProblem(m, m, crews, jobs, days=3, weights=NONE))
    assert [(v.day, v.crew_id) for v in result.visits if v.job_id == "X"] == [(1, "B")]
    assert days_of(result, "Y") == {0, 2}


def test_unplaceable_jobs_get_reasons() -> None:
    """A missing skill, a pattern on a day nobody works, and a visit longer than any shift."""
    m = line(0, 10)
    crews = (Crew("A", 0, 0, shifts={0: (0, 100), 1: (0, 100)}),)
    jobs = (
        PeriodicJob("pool", 1, 10, skills=frozenset({"pool"}), patterns=(frozenset({0}),)),
        PeriodicJob("sunday", 1, 10, patterns=(frozenset({2}),)),
        PeriodicJob("long", 1, 500, patterns=(frozenset({0}), frozenset({1}))),
        PeriodicJob("ok", 1, 10, patterns=(frozenset({0}),)),
    )
    result = run(PeriodicProblem(m, m, crews, jobs, days=3, weights=NONE))
    reasons = dict(result.unassigned)
    assert set(reasons) == {"pool", "sunday", "long"}
    assert "skill" in reasons["pool"] and "pool" in reasons["pool"]
    assert "Wed" in reasons["sunday"]
    assert reasons["long"]
    assert days_of(result, "ok") == {0}


def overtime_problem(overtime: int) -> PeriodicProblem:
    """A 100 s shift; the job needs 10 + 90 + 10 = 110 s."""
    m = line(0, 10)
    crew = Crew("A", 0, 0, shifts={0: (0, 100)}, overtime_max=overtime,
                cost_per_hour=3600, overtime_cost_per_hour=7200)  # fmt: skip
    job = PeriodicJob("J", 1, 90, patterns=(frozenset({0}),))
    return PeriodicProblem(m, m, (crew,), (job,), days=1, weights=NONE)


def test_overtime_stretches_the_shift_up_to_its_cap() -> None:
    """With 20 s of overtime allowed the job fits and the day ends at 110; with none it is out."""
    result = run(overtime_problem(20))
    assert [r.end_time for r in result.day_solutions[0].routes] == [110]
    assert [u.job_id for u in run(overtime_problem(0)).unassigned] == ["J"]


def test_lunch_is_kept_outside_service() -> None:
    """Three 40 s visits and a 30 s lunch that must start in [60, 80]; the checker verifies it."""
    m = line(0, 5, 6, 7)
    crew = Crew("A", 0, 0, shifts={0: (0, 300)}, lunch=Break(30, TimeWindow(60, 80)))
    jobs = tuple(PeriodicJob(f"J{i}", i, 40, patterns=(frozenset({0}),)) for i in (1, 2, 3))
    result = run(PeriodicProblem(m, m, (crew,), jobs, days=1, weights=NONE))
    assert len(result.visits) == 3
    assert result.day_solutions[0].routes[0].break_start is not None


def budget_week(budget: int | None) -> PeriodicProblem:
    """Four customers next to crew B's depot, previously served by crew A from far away."""
    m = line(0, 100, 101, 102, 103, 104)
    week = {0: DAY, 1: DAY}
    crews = (Crew("A", 0, 0, shifts=week), Crew("B", 1, 1, shifts=week))
    jobs = tuple(
        PeriodicJob(f"J{i}", i + 2, 10, patterns=(frozenset({0}), frozenset({1})),
                    previous=((i % 2, "A"),))
        for i in range(4)
    )  # fmt: skip
    return PeriodicProblem(m, m, crews, jobs, days=2, weights=ConsistencyWeights(0, 0, 0, 1, 0),
                           stability_budget=budget)  # fmt: skip


@pytest.mark.parametrize("budget", [0, 1, 2])
def test_stability_budget_is_never_exceeded(budget: int) -> None:
    """Moving to crew B saves ~200 s per customer, but only `budget` jobs may change.

    (With some customers kept on A, A drives out anyway and the others may
    as well stay with it: the budget is an upper bound, not a target.)
    """
    result = run(budget_week(budget))
    assert len(result.moves) <= budget


def test_without_budget_every_saving_move_is_made_and_explained() -> None:
    """All four customers move to B, and each move states what it saved."""
    result = run(budget_week(None))
    assert {m.job_id for m in result.moves} == {"J0", "J1", "J2", "J3"}
    assert all(m.saving_s > 0 and "saves" in m.text for m in result.moves)
    assert all(m.from_[1] == "A" and m.to[1] == "B" for m in result.moves)


def test_result_round_trips_through_json() -> None:
    """to_dict -> from_dict -> to_dict is the identity."""
    result = run(budget_week(1))
    document = result.to_dict()
    assert PeriodicResult.from_dict(document).to_dict() == document


def test_same_input_same_plan() -> None:
    """Solution limits, a seeded search and no wall clock: two runs agree."""
    first, second = run(budget_week(None)), run(budget_week(None))
    assert first.visits == second.visits
