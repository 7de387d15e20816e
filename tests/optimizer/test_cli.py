"""The solver command: files in and out, progress on stderr, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from optimizer.cli import solve_command
from tests.optimizer.test_json import DOCUMENT


def test_solve_writes_the_solution(tmp_path: Path) -> None:
    """--input/--output/--time-limit: exit 0 and a solution document."""
    problem, solution = tmp_path / "problem.json", tmp_path / "solution.json"
    problem.write_text(json.dumps(DOCUMENT))
    result = CliRunner().invoke(
        solve_command, ["--input", str(problem), "--output", str(solution), "--time-limit", "1"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(solution.read_text())
    assert document["status"] in ("feasible", "limit_reached")
    assert document["params"]["time_limit_s"] == 1


def test_bad_input_exits_with_one_line(tmp_path: Path) -> None:
    """A bad window: exit 1 and 'Error: problem.json: jobs[1].windows[0]: ...'."""
    bad = json.loads(json.dumps(DOCUMENT))
    bad["jobs"][1]["windows"] = [[200, 100]]
    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps(bad))
    result = CliRunner().invoke(solve_command, ["--input", str(problem)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: problem.json: jobs[1].windows[0]: end 100 before start 200"
    )


def test_broken_json_exits_with_one_line(tmp_path: Path) -> None:
    """Not JSON at all: the line and column are given."""
    problem = tmp_path / "problem.json"
    problem.write_text("{\n  'jobs': []\n}")
    result = CliRunner().invoke(solve_command, ["--input", str(problem)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: problem.json: not valid JSON at line 2")
    assert len(result.output.strip().splitlines()) == 1


def test_python_dash_m_runs_without_a_database(tmp_path: Path) -> None:
    """`python -m optimizer solve` works in a fresh interpreter (help only, to stay fast)."""
    completed = subprocess.run(
        [sys.executable, "-m", "optimizer", "solve", "--help"],
        capture_output=True, text=True, check=False, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert completed.returncode == 0
    assert "--time-limit" in completed.stdout


def test_python_dash_m_solves_a_file(tmp_path: Path) -> None:
    """A real solve in a fresh interpreter: solution written, summary on stderr."""
    problem, solution = tmp_path / "problem.json", tmp_path / "solution.json"
    problem.write_text(json.dumps(DOCUMENT))
    completed = subprocess.run(
        [sys.executable, "-m", "optimizer", "solve", "--input", str(problem),
         "--output", str(solution), "--time-limit", "1", "--no-progress"],
        capture_output=True, text=True, check=False, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert json.loads(solution.read_text())["summary"]["routes"] == 1
    assert "status:" in completed.stderr


def test_progress_bar_shows_the_best_cost_so_far(capsys) -> None:  # type: ignore[no-untyped-def]
    """A worse report after a better one (a rejected planner move) does not raise 'best'."""
    from optimizer import Progress
    from optimizer.cli import ProgressBar

    bar = ProgressBar(10.0, enabled=True)
    for cost, elapsed in ((120, 1.0), (100, 2.0), (130, 3.0)):
        bar.last = 0.0  # draw every report
        bar(Progress(best_cost=cost, elapsed_s=elapsed, solutions=1))
    bar.close()
    err = capsys.readouterr().err
    assert bar.best == 100
    assert err.rsplit("\r", 1)[-1].split("best ")[1].startswith("100 ")
