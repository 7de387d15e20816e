"""The day-routing comparison on Cordeau's own patterns (``benchmarks.fixed_patterns``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import fixed_patterns


def test_every_day_of_the_solution_file_is_routed_by_both_and_cordeau_cost_is_reproduced(
    bench_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pyvrp", reason="PyVRP is a benchmark extra (pip install -e .[bench])")
    monkeypatch.setattr(fixed_patterns, "instances_dir", lambda: bench_dir)
    totals = fixed_patterns.compare("p14", seconds=0.2)
    assert totals["cordeau"] == pytest.approx(954.81, abs=0.01)  # the file's stated cost
    # the three routers served every visit of every day once (compare asserts so); on days of
    # about ten visits both find Cordeau's routes or come within 1 %
    for router in ("rounds", "pyvrp", "planner"):
        assert totals["cordeau"] - 0.01 <= totals[router] <= totals["cordeau"] * 1.01
    assert capsys.readouterr().out.count("p14 day ") == 4


def test_the_planner_on_cordeaus_patterns_serves_every_visit_on_its_day(
    bench_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fixed_patterns, "instances_dir", lambda: bench_dir)
    instance, problem, days = fixed_patterns.cordeau_days("p14")
    # _planner asserts that every visit is on Cordeau's day, once; ten visits a day
    length = fixed_patterns._planner(problem, instance, days, seconds=0.2)
    assert 954.81 - 0.01 <= length <= 954.81 * 1.01
