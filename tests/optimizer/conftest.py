"""Shared fixtures and the Hypothesis profile for the optimizer tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from optimizer import Job, ProblemData, SolveParams, TimeWindow, Vehicle

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
"""Small example counts: the CI machines have two cores (applied per test, not globally)."""

EXACT = SolveParams(time_limit_s=None, solution_limit=200, stall_limit=50_000)
"""Solution-limited search: same answer on any machine."""


def line_matrix(positions: list[int]) -> np.ndarray:
    """Travel seconds between points on a line: |x_i - x_j|."""
    x = np.array(positions, dtype=np.int64)
    return np.abs(x[:, None] - x[None, :])


@pytest.fixture
def line4() -> ProblemData:
    """Depot at 0 and jobs at 10, 20, 30 on a line; one vehicle, open day.

    Optimal tour: 0 -> 10 -> 20 -> 30 -> 0 = 10 + 10 + 10 + 30 = 60 s.
    """
    matrix = line_matrix([0, 10, 20, 30])
    return ProblemData(
        matrix,
        matrix * 10,
        (Vehicle("v1", 0, 0, TimeWindow(0, 1000)),),
        tuple(Job(f"j{i}", i, 5) for i in (1, 2, 3)),
    )
