"""Each solver on 10 customers of C101 with a tiny budget: its routes pass the checker."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from benchmarks.check import check
from benchmarks.formats import read_instance
from benchmarks.model import Instance
from benchmarks.solvers import Unsupported, get_solver, missing_dependency, scaled_matrix


@pytest.mark.parametrize("name", ["ortools", "pyvrp", "vroom"])
def test_peer_solves_the_cut_instance(name: str, c101_cut: Path) -> None:
    """Every customer served once within the 3 vehicles, windows and capacity held."""
    if missing_dependency(name):
        pytest.skip(missing_dependency(name))
    instance = read_instance(c101_cut)
    out = get_solver(name)(instance, 0.3)
    result = check(instance, out.routes)
    assert result.feasible, result.violations


def test_scaled_matrix_rounds_x1000(line: Instance) -> None:
    """Distances x 1000 rounded: 0-1 = 5 -> 5000, 1-3 = sqrt(10) = 3.16227... -> 3162."""
    matrix = scaled_matrix(line)
    assert (matrix[0, 1], matrix[1, 3], matrix[3, 1]) == (5000, 3162, 3162)


def test_ours_solves_the_cut_instance(c101_cut: Path) -> None:
    """optimizer.solve through the adapter (skipped until optimizer.solve exists)."""
    optimizer = importlib.import_module("optimizer")
    if not hasattr(optimizer, "solve"):
        pytest.skip("optimizer.solve does not exist yet")
    instance = read_instance(c101_cut)
    out = get_solver("rounds")(instance, 1.0)
    result = check(instance, out.routes)
    assert result.feasible, result.violations


def test_ours_on_periodic(bench_dir: Path) -> None:
    """PVRP goes to optimizer.solve_periodic when it exists, else is refused cleanly."""
    optimizer = importlib.import_module("optimizer")
    instance = read_instance(bench_dir / "pvrp" / "p14")
    if not hasattr(optimizer, "solve_periodic"):
        with pytest.raises(Unsupported, match="not supported yet"):
            get_solver("rounds")(instance, 1.0)
        return
    out = get_solver("rounds")(instance, 1.0)
    result = check(instance, out.routes)
    assert result.feasible, result.violations


def test_periodic_mapping_quirks(bench_dir: Path) -> None:
    """p11's frequency-0 customer is left out, p01's dummy kept; patterns are 0-based days."""
    optimizer = importlib.import_module("optimizer")
    if not hasattr(optimizer, "solve_periodic"):
        pytest.skip("optimizer.solve_periodic does not exist yet")
    from benchmarks.periodic_adapter import build_periodic

    p11 = build_periodic(read_instance(bench_dir / "pvrp" / "p11"))
    assert "131" not in {j.id for j in p11.jobs} and len(p11.jobs) == 138
    p01 = build_periodic(read_instance(bench_dir / "pvrp" / "p01"))
    dummy = next(j for j in p01.jobs if j.id == "51")
    assert dummy.patterns == (frozenset({0}),) and dummy.demand == 160
