"""Properties of the weekly planner over random small weeks (Hypothesis).

Each example is checked by the independent checker in ``periodic_checker.py``:
every job gets exactly one of its patterns or a reason, visits fall on days
its crew works, routes keep times, windows, capacity and lunch, pins hold and
the stability budget is never exceeded.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from optimizer import (
    ConsistencyWeights,
    Crew,
    PeriodicJob,
    PeriodicProblem,
    SolveParams,
    TimeWindow,
    solve_periodic,
)
from tests.optimizer.conftest import PROPERTY
from tests.optimizer.periodic_checker import check_plan

FAST = SolveParams(time_limit_s=None, solution_limit=20, stall_limit=2000)
SKILLS = ("ladder", "pool")


@st.composite
def weeks(draw: st.DrawFn) -> PeriodicProblem:
    """2-7 days, 1-3 crews with random days off, 0-6 jobs with 1-2 visits and random pins."""
    days = draw(st.integers(2, 7))
    n_loc = draw(st.integers(2, 7))
    points = np.array(draw(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)),
                                    min_size=n_loc, max_size=n_loc)))  # fmt: skip
    matrix = np.abs(points[:, None, :] - points[None, :, :]).sum(axis=2)
    crews = []
    for k in range(draw(st.integers(1, 3))):
        working = draw(st.sets(st.integers(0, days - 1), max_size=days))
        start = draw(st.integers(0, 100))
        crews.append(Crew(
            f"C{k}", 0, 0, skills=frozenset(draw(st.sets(st.sampled_from(SKILLS)))),
            shifts={d: TimeWindow(start, start + draw(st.integers(50, 400))) for d in working},
            capacity=draw(st.none() | st.integers(0, 6)),
        ))  # fmt: skip
    jobs = []
    for i in range(draw(st.integers(0, 6))):
        visits = draw(st.integers(1, min(2, days)))
        patterns = draw(st.lists(st.frozensets(st.integers(0, days - 1), min_size=visits,
                                               max_size=visits), min_size=1, max_size=3,
                                 unique=True))  # fmt: skip
        window = draw(st.none() | st.integers(0, 300).map(lambda a: (TimeWindow(a, a + 120),)))
        pin_day = draw(st.none() | st.sampled_from(sorted(set().union(*patterns))))
        pin_crew = draw(st.none() | st.sampled_from([c.id for c in crews]))
        pin = (pin_day, pin_crew) if visits == 1 and (pin_day, pin_crew) != (None, None) else None
        previous = tuple((d, draw(st.sampled_from([c.id for c in crews])))
                         for d in sorted(draw(st.sampled_from(patterns))))  # fmt: skip
        jobs.append(PeriodicJob(
            f"J{i}", draw(st.integers(1, n_loc - 1)), draw(st.integers(0, 60)),
            windows=window or (), skills=frozenset(draw(st.sets(st.sampled_from(SKILLS),
                                                                max_size=1))),
            demand=draw(st.integers(0, 3)), patterns=tuple(patterns),
            pinned_day_crew=pin,
            previous=previous if draw(st.booleans()) else (),
        ))  # fmt: skip
    weights = ConsistencyWeights(*(draw(st.integers(0, 200)) for _ in range(5)))
    budget = draw(st.none() | st.integers(0, 2))
    return PeriodicProblem(matrix, matrix, tuple(crews), tuple(jobs), days, weights, budget)


@PROPERTY
@given(weeks())
def test_every_plan_passes_the_independent_checker(problem: PeriodicProblem) -> None:
    """Patterns, crew availability, pins, routes and the budget all hold; nothing is lost."""
    result = solve_periodic(problem, FAST)
    assert check_plan(problem, result) == []
    planned = {v.job_id for v in result.visits}
    out = {u.job_id for u in result.unassigned}
    assert planned | out == {j.id for j in problem.jobs}
    assert not planned & out
