"""The runner contract (results.csv, per-file JSON), the CLI and the solvers on a tiny file."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.check import check
from benchmarks.cli import main
from benchmarks.formats import read_instance
from benchmarks.model import Route
from benchmarks.paths import REPO_ROOT
from benchmarks.results import (
    CONTRACT_COLUMNS,
    EXTRA_COLUMNS,
    ResultRow,
    mean_ratios,
    ratios,
    routes_from_json,
)
from benchmarks.runner import Outcome, Task, instance_keys, make_row, solve_task


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_run_writes_the_contract(c101_cut: Path, tmp_path: Path) -> None:
    """``python -m benchmarks run`` with the plain OR-Tools peer on 10 customers of C101.

    results.csv starts with the contract columns; the JSON has days and vehicles 1-based,
    customers numbered as in the file, and the distance the checker computes from its routes.
    """
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "benchmarks",
        "run",
        str(c101_cut),
        "--solvers",
        "ortools",
        "--time-limit",
        "0.5",
        "--out",
        str(out),
    ]
    done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with (out / "results.csv").open(newline="") as fh:
        header = next(csv.reader(fh))
    assert tuple(header) == CONTRACT_COLUMNS + EXTRA_COLUMNS
    [row] = _rows(out / "results.csv")
    assert (row["instance"], row["format"], row["customers"], row["days"]) == (
        "small_10",
        "solomon",
        "10",
        "1",
    )
    assert row["solver"] == "ortools" and row["feasible"] == "true"
    assert row["bks"] == "" and row["gap_pct"] == ""  # a cut file has no best-known value
    doc = json.loads((out / "peers" / "ortools" / "small_10.json").read_text())
    assert doc["instance"] == "small_10"
    routes = routes_from_json(json.dumps(doc))
    assert {r.day for r in routes} == {1} and all(1 <= r.vehicle <= 3 for r in routes)
    assert sorted(c for r in routes for c in r.customers) == list(range(1, 11))
    distance = check(read_instance(c101_cut), routes).distance
    assert doc["distance"] == pytest.approx(distance, abs=1e-6)
    assert float(row["distance"]) == pytest.approx(distance, abs=1e-4)


def test_solve_task_reports_periodic_as_unsupported(bench_dir: Path) -> None:
    """A PVRP file given to a one-day peer is a reported outcome, not an exception."""
    outcome = solve_task(Task("p01", bench_dir / "pvrp" / "p01", "ortools", 1.0))
    assert not outcome.ran and outcome.status.startswith("unsupported: plain OR-Tools")


def test_unsupported_row_has_empty_measures(bench_dir: Path) -> None:
    """A solver that did not run leaves distance/feasible/gap empty and says why."""
    task = Task("p01", bench_dir / "pvrp" / "p01", "rounds", 1.0)
    row = make_row(
        Outcome(task, ran=False, status="unsupported: periodic"),
        read_instance(task.path),
        bench_dir,
        1e-6,
    )
    assert (row.distance, row.feasible, row.gap_pct, row.bks) == (None, None, None, 524.61)
    assert row.status == "unsupported: periodic"


def test_infeasible_routes_are_reported(bench_dir: Path) -> None:
    """Routes that miss customers are checked and flagged, with the first violation."""
    path = bench_dir / "solomon" / "C101.txt"
    task = Task("C101", path, "pyvrp", 1.0)
    partial = Outcome(task, ran=True, status="feasible", routes=(Route(1, 1, (2,)),), seconds=1.0)
    row = make_row(partial, read_instance(path), bench_dir, 1e-6)
    assert row.feasible is False and row.gap_pct is None and row.distance is not None
    assert row.violation == "customer 1 visited on days [], needs 1 visit(s) on [1] (+98 more)"


def test_no_solution_is_infeasible(bench_dir: Path) -> None:
    """A solver that returns no routes (OR-Tools on R101) is an infeasible row, no distance."""
    path = bench_dir / "solomon" / "R101.txt"
    outcome = Outcome(Task("R101", path, "ortools", 1.0), ran=True, status="fail", seconds=1.0)
    row = make_row(outcome, read_instance(path), bench_dir, 1e-6)
    assert (row.feasible, row.distance, row.routes, row.violation) == (
        False,
        None,
        0,
        "no solution",
    )


def test_keys_disambiguate_same_stems() -> None:
    """pvrp/pr01 and pvrptw/pr01 in one run get folder-prefixed keys."""
    paths = [Path("pvrp/pr01"), Path("pvrptw/pr01"), Path("solomon/C101.txt")]
    assert instance_keys(paths) == ["pvrp_pr01", "pvrptw_pr01", "C101"]


def _row(instance: str, solver: str, distance: float | None, feasible: bool) -> ResultRow:
    return ResultRow(
        instance, "solomon", 100, 1, 1.0, distance, 10, feasible, None, None, solver, "ok"
    )


def test_ratios_need_both_feasible() -> None:
    """Ours / peer only where both are feasible; the mean is per peer."""
    rows = [
        _row("A", "rounds", 99.0, True),
        _row("A", "pyvrp", 100.0, True),
        _row("B", "rounds", 110.0, True),
        _row("B", "pyvrp", 100.0, True),
        _row("C", "rounds", 50.0, False),
        _row("C", "pyvrp", 100.0, True),
    ]
    items = ratios(rows, "rounds")
    assert [(r.instance, round(r.ratio, 2)) for r in items] == [("A", 0.99), ("B", 1.1)]
    assert mean_ratios(items)["pyvrp"] == (pytest.approx(1.045), 2)


def test_help_for_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    """--help works at the top and for each subcommand."""
    for argv in (["--help"], ["run", "--help"], ["check", "--help"], ["info", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0
        assert "usage:" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "no/such/file", "--time-limit", "1", "--out", "x"],
        ["run", "x", "--time-limit", "0", "--out", "x"],
        ["run", "x", "--time-limit", "1", "--out", "x", "--solvers", "gurobi"],
        ["run", "x", "--time-limit", "1"],
        ["frobnicate"],
    ],
)
def test_bad_input_is_one_line_and_non_zero(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input exits with status 2 and a single line on stderr."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_not_an_instance_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file in no known format is refused before anything runs."""
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n")
    assert main(["run", str(junk), "--time-limit", "1", "--out", str(tmp_path / "o")]) == 2
    assert "unrecognised format" in capsys.readouterr().err


def test_check_command(bench_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """check exits 0 on Cordeau's p14 solution and 1 on a broken copy in our JSON format."""
    res = bench_dir / "pvrp" / "solutions" / "p14.res"
    assert main(["check", "pvrp/p14", str(res)]) == 0
    assert "distance 954.81" in capsys.readouterr().out
    broken = tmp_path / "p14.json"
    broken.write_text(
        json.dumps(
            {
                "instance": "p14",
                "distance": 0,
                "routes": [{"day": 1, "vehicle": 1, "customers": [1, 2, 3]}],
            }
        )
    )
    assert main(["check", "pvrp/p14", str(broken)]) == 1
    assert "INFEASIBLE" in capsys.readouterr().out


def test_info_command(bench_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """info shows the reader's view with both best-known values."""
    assert main(["--instances", str(bench_dir), "info", "solomon/R101.txt"]) == 0
    out = capsys.readouterr().out
    assert "R101 solomon, 100 customers" in out and "1650.8 (hierarchical)" in out
    assert "1642.88 (distance only)" in out


def test_peers_without_the_bench_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--peers with PyVRP missing stops before solving, naming the extra to install."""
    monkeypatch.setitem(sys.modules, "pyvrp", None)  # makes `import pyvrp` fail
    argv = ["run", "x", "--peers", "--time-limit", "1", "--out", str(tmp_path)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "pip install -e '.[bench]'" in err and err.count("\n") == 1
