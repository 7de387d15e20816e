"""The load benchmark's arithmetic: percentiles per page, the table, the pages it measures."""

from __future__ import annotations

import pytest

from benchmarks.load import format_table, pages_for, summarize


def test_summarize_gives_percentiles_per_page_and_overall() -> None:
    """1..100 ms on one page: p50 50.5, p95 95.05, p99 99.01 (linear interpolation)."""
    results = [("board", float(ms), 200) for ms in range(1, 101)]
    results.append(("plans", 7.0, 500))
    summary = summarize(results, ["board", "plans", "map"])
    assert list(summary) == ["board", "plans", "all"]  # pages without requests left out
    board = summary["board"]
    assert (board["requests"], board["errors"]) == (100, 0)
    assert board["p50_ms"] == pytest.approx(50.5)
    assert board["p95_ms"] == pytest.approx(95.0, abs=0.1)
    assert board["p99_ms"] == pytest.approx(99.0, abs=0.1)
    assert (board["mean_ms"], board["max_ms"]) == (50.5, 100.0)
    assert summary["plans"]["errors"] == 1 and summary["all"]["requests"] == 101


def test_table_has_one_row_per_page() -> None:
    table = format_table(summarize([("board", 10.0, 200)], ["board"]))
    assert table.splitlines()[2].startswith("| board | 1 | 0 | 10.0 |")


def test_pages_include_the_board_of_the_plan() -> None:
    assert pages_for(7)[0].path == "/plans/7/board"
