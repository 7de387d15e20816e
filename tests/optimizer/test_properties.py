"""Property tests: every plan passes the independent checker; JSON round-trips."""

from __future__ import annotations

import json

from hypothesis import given

from optimizer import ProblemData, Solution, SolveParams, SolveResult, solve
from tests.optimizer.checker import check
from tests.optimizer.conftest import PROPERTY
from tests.optimizer.strategies import problems

FAST = SolveParams(time_limit_s=None, solution_limit=30, stall_limit=20_000)


@PROPERTY
@given(problems())
def test_every_plan_is_feasible_and_accounts_for_every_job(data: ProblemData) -> None:
    """Each job is routed or unassigned exactly once, and the routes obey every constraint."""
    result = solve(data, FAST)
    assert result.solution is not None, result.status
    assert check(data, result.solution) == []


@PROPERTY
@given(problems())
def test_problem_json_round_trip(data: ProblemData) -> None:
    """ProblemData -> JSON text -> ProblemData is the identity."""
    text = json.dumps(data.to_dict())
    assert ProblemData.from_dict(json.loads(text)) == data


@PROPERTY
@given(problems(max_jobs=5))
def test_result_json_round_trip(data: ProblemData) -> None:
    """SolveResult -> JSON text -> SolveResult is the identity (runtime included)."""
    result = solve(data, FAST)
    text = json.dumps(result.to_dict())
    again = SolveResult.from_dict(json.loads(text))
    assert again == result
    if result.solution is not None:
        assert Solution.from_dict(result.solution.to_dict()) == result.solution
