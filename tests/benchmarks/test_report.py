"""The Markdown report built from results.csv files."""

from __future__ import annotations

from pathlib import Path

from benchmarks.report import report
from benchmarks.results import ResultRow, write_results_csv


def _row(instance: str, solver: str, distance: float | None, feasible: bool | None) -> ResultRow:
    return ResultRow(
        instance,
        "solomon",
        100,
        1,
        10.0 if feasible is not None else None,
        distance,
        10 if distance else None,
        feasible,
        100.0,
        (distance - 100.0) if distance and feasible else None,
        solver,
        "ok" if feasible is not None else "unsupported: x",
        gap_distance_only_pct=(distance - 100.0) if distance and feasible else None,
    )


def test_report_tables(tmp_path: Path) -> None:
    """Summary counts feasible rows; ratios only where both are feasible; skipped rows say why.

    A: ours 99 vs pyvrp 100 -> 0.99; B: ours infeasible -> no ratio; gaps are distance - 100 %.
    """
    path = tmp_path / "results.csv"
    write_results_csv(
        path,
        [
            _row("A", "rounds", 99.0, True),
            _row("A", "pyvrp", 100.0, True),
            _row("B", "rounds", 90.0, False),
            _row("B", "pyvrp", 104.0, True),
            _row("C", "rounds", None, None),
            _row("C", "pyvrp", 101.0, True),
        ],
    )
    text = report([path])
    assert "| rounds | 1/3 | -1.00 | -1.00 | 10.0 |  |" in text
    assert "| pyvrp | 3/3 | +1.67 | +1.67 | 10.0 | 0.9900 (1) |" in text
    assert "| A | 0.9900 |" in text and "| B |  |" in text
    assert "| B | 90.00 | 10 | **no** |" in text
    assert "| C | | | unsupported: x | | | |" in text
