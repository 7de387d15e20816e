"""The day-routing comparison on Cordeau's own patterns (``benchmarks.fixed_patterns``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import fixed_patterns


def test_every_day_of_the_solution_file_is_routed_by_both_and_cordeau_cost_is_reproduced(
    bench_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(fixed_patterns, "instances_dir", lambda: bench_dir)
    totals = fixed_patterns.compare("p14", seconds=0.2)
    assert totals["cordeau"] == pytest.approx(954.81, abs=0.01)  # the file's stated cost
    # both routers served every visit of every day (each asserts so) with positive length
    assert totals["rounds"] > 0 and totals["pyvrp"] > 0
    # p14's best-known value is Cordeau's: neither router can be shorter
    assert totals["rounds"] >= totals["bks"] - 0.01 and totals["pyvrp"] >= totals["bks"] - 0.01
    assert capsys.readouterr().out.count("p14 day ") == 4
