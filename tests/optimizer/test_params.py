"""SolveParams: defaults, validation, TOML and dict round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer import Penalties, SolveParams


def test_defaults() -> None:
    """A default object is valid and uses the parallel cheapest insertion + GLS pair."""
    params = SolveParams()
    assert params.first_solution == "PARALLEL_CHEAPEST_INSERTION"
    assert params.metaheuristic == "GUIDED_LOCAL_SEARCH"
    assert params.objective == "duration"
    assert (params.restarts, params.ruin_size, params.num_workers) == (4, 15, 1)


def test_from_toml_file(tmp_path: Path) -> None:
    """Keys present in the file override defaults; a [penalties] table sets penalties."""
    path = tmp_path / "solver.toml"
    path.write_text('time_limit_s = 30\nobjective = "distance"\n[penalties]\ndrop_base = 1000\n')
    params = SolveParams.from_toml(path)
    assert params.time_limit_s == 30
    assert params.objective == "distance"
    assert params.penalties == Penalties(drop_base=1000)
    assert params.solution_limit is None


def test_from_toml_text() -> None:
    """TOML text is accepted too."""
    assert SolveParams.from_toml("num_workers = 2\n").num_workers == 2


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"objective": "money"}, "objective: 'money' is not one of"),
        ({"first_solution": "FASTEST"}, "first_solution: 'FASTEST'"),
        ({"time_limit_s": 0}, "time_limit_s: 0 must be > 0"),
        ({"time_limit_s": None}, "give a time limit or a solution_limit"),
        ({"num_workers": 0}, "num_workers: 0 must be >= 1"),
        ({"colour": "red"}, "unknown solver setting(s) ['colour']"),
        ({"penalties": {"drop_base": 0}}, "penalties.drop_base: 0 must be an integer >= 1"),
        ({"penalties": {"drop_base": 2**60}}, "above 2**62 (int64 overflow)"),
    ],
)
def test_bad_settings_are_named(values: dict, message: str) -> None:  # type: ignore[type-arg]
    """Each bad setting names itself."""
    with pytest.raises(ValueError) as error:
        SolveParams.from_dict(values)
    assert message in str(error.value)


def test_dict_round_trip() -> None:
    """to_dict/from_dict is the identity."""
    params = SolveParams(time_limit_s=None, solution_limit=7, penalties=Penalties(3, 3, 3))
    assert SolveParams.from_dict(params.to_dict()) == params


def test_penalty_grows_with_priority() -> None:
    """drop(p) = base * factor ** (p - 1), x pinned_factor when pinned."""
    penalties = Penalties(drop_base=100, priority_factor=2, pinned_factor=4)
    assert [penalties.drop(p) for p in range(1, 6)] == [100, 200, 400, 800, 1600]
    assert penalties.drop(1, pinned=True) == 400


def test_stall_limit_is_automatic_only_without_a_time_limit() -> None:
    """Solution-limited runs always terminate; time-limited ones are not cut short."""
    assert SolveParams(time_limit_s=None, solution_limit=5).effective_stall_limit is not None
    assert SolveParams(time_limit_s=5).effective_stall_limit is None
    assert SolveParams(time_limit_s=5, stall_limit=10).effective_stall_limit == 10
