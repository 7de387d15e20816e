"""The ``balance`` weight: work above the mean crew-day is priced, so the planner spreads it."""

from __future__ import annotations

import numpy as np

from optimizer import (
    ConsistencyWeights,
    Crew,
    PeriodicJob,
    PeriodicProblem,
    SolveParams,
    TimeWindow,
    solve_periodic,
)
from optimizer.periodic.plan import Plan

HOUR = 3600


def _problem(balance: int) -> PeriodicProblem:
    # a yard and four customers a minute apart on a line; an hour of service each
    points = np.array([0, 60, 120, 180, 240])
    matrix = np.abs(points[:, None] - points[None, :]).astype(np.int64)
    crews = tuple(Crew(f"C{k}", 0, 0, shifts={0: TimeWindow(0, 10 * HOUR)}) for k in range(2))
    jobs = tuple(PeriodicJob(f"J{i}", i + 1, HOUR, patterns=(frozenset({0}),))
                 for i in range(4))  # fmt: skip
    weights = ConsistencyWeights(0, 0, 0, 0, balance)
    return PeriodicProblem(matrix, matrix, crews, jobs, days=1, weights=weights)


def test_removing_a_visit_from_a_crew_day_above_the_mean_saves_its_balance_price() -> None:
    problem = _problem(balance=1000)
    plan = Plan(problem, problem.duration_matrix)
    plan.set_routes({(0, 0): [0, 1, 2], (0, 1): [3]})
    plan.mean_work = (plan.work[(0, 0)] + plan.work[(0, 1)]) / 2
    # J2 at the end of C0's route: 60 s there and 120 s back replace a 180 s drive home
    travel_saved = 60 + 180 - 120
    above = plan.work[(0, 0)] - plan.mean_work  # C0 is above the mean by this much...
    work_saved = HOUR + travel_saved  # ... and J2 takes this off it
    price_saved = round(1000 * (above - max(0.0, above - work_saved)) / HOUR)
    assert price_saved > 0
    assert plan.removal_gain(2) == travel_saved + price_saved


def test_a_balance_weight_splits_a_days_work_between_the_crews() -> None:
    params = SolveParams(time_limit_s=None, solution_limit=20, stall_limit=2000,
                         objective="duration")  # fmt: skip
    alone = solve_periodic(_problem(balance=0), params)
    crews = {v.crew_id for v in alone.visits}
    assert len(crews) == 1  # one crew drives less: the four visits lie on one line
    spread = solve_periodic(_problem(balance=10 * HOUR), params)
    per_crew = [sum(1 for v in spread.visits if v.crew_id == c) for c in ("C0", "C1")]
    assert sorted(per_crew) == [2, 2]
