"""The ``company`` benchmark command: its CSV/JSON contract and the consistency of its figures.

Runs on a small generated company with a half-second limit per scenario, so the plans are
poor; the tests check what the figures must satisfy whatever their quality (placed + unplaced
= due, shares and reductions recomputable from the hours, the stability budget kept), which is
what a reader of RESULTS.md relies on.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import pytest

from benchmarks.cli import main
from benchmarks.company import BASELINE, COLUMNS, SCENARIOS, STABILITY_SHARE

pytest.importorskip("zipcodes", reason="the generator needs the sample extra")
pytest.importorskip("global_land_mask", reason="the generator needs the sample extra")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("company")
    argv = ["company", "--customers", "20", "--time-limit", "0.5", "--out", str(out)]
    assert main(argv) == 0
    document = json.loads((out / "company.json").read_text(encoding="utf-8"))
    return out, document


def test_csv_and_json_hold_the_same_rows(run: tuple[Path, dict[str, Any]]) -> None:
    out, document = run
    with (out / "company.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        rows = list(reader)
    assert [r["scenario"] for r in rows] == list(SCENARIOS)
    assert [s["scenario"] for s in document["scenarios"]] == list(SCENARIOS)
    for row, scenario in zip(rows, document["scenarios"], strict=True):
        for column in COLUMNS:
            value = scenario[column]
            assert row[column] == ("" if value is None else str(value)), column
    assert document["command"].startswith("python -m benchmarks company --customers 20")
    assert document["baseline"] == BASELINE
    for key in ("week", "time_limit_s", "machine", "fairness", "source", "notes"):
        assert key in document


def test_figures_are_internally_consistent(run: tuple[Path, dict[str, Any]]) -> None:
    _, document = run
    by_key = {s["scenario"]: s for s in document["scenarios"]}
    base, strict = by_key[BASELINE], by_key["as_is"]
    jobs = {s["jobs"] for s in by_key.values()}
    visits = {s["visits"] for s in by_key.values()}
    assert len(jobs) == 1 and len(visits) == 1, "every scenario plans the same week's work"
    for s in by_key.values():
        assert s["visits_placed"] + s["visits_unplaced"] == s["visits"]
        assert (s["jobs_unplaced"] == 0) == (s["visits_unplaced"] == 0)
        assert s["drive_share_pct"] == pytest.approx(100 * s["drive_h"] / s["paid_h"], abs=0.1)
        assert 0 < s["build_s"] <= s["runtime_s"]
        assert s["first_feasible_s"] is None or s["first_feasible_s"] <= s["runtime_s"]
        assert 0 <= s["peak_children_mb"] < s["peak_rss_mb"]
        if s["scenario"] != BASELINE:
            assert s["overtime_h"] == 0
            assert s["paid_h"] == strict["paid_h"], "paid time is the shifts without overtime"
            assert s["reduction_pct"] == pytest.approx(
                100 * (1 - s["drive_h"] / base["drive_h"]), abs=0.15
            )
            assert 0 <= s["customers_moved"] <= s["jobs"]
        if s["scenario"] != "as_is":
            assert s["reduction_vs_strict_as_is_pct"] == pytest.approx(
                100 * (1 - s["drive_h"] / strict["drive_h"]), abs=0.15
            )
    assert base["paid_h"] == pytest.approx(strict["paid_h"] + base["overtime_h"], abs=0.02)
    assert base["reduction_pct"] is None and base["customers_moved"] == 0
    assert strict["reduction_vs_strict_as_is_pct"] is None
    budget = math.ceil(STABILITY_SHARE * by_key["optimize_stable"]["jobs"])
    assert by_key["optimize_stable"]["jobs_moved_vs_book"] <= budget


def test_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["company", "--scenarios", "as_is,fastest", "--out", str(tmp_path)]) == 2
    assert "unknown scenario fastest" in capsys.readouterr().err
    assert main(["company", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 2
    assert main(["company", "--data", "x", "--customers", "50"]) == 2


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads /proc")
def test_peak_memory_adds_the_live_children() -> None:
    """A child holding 60 MB counts while it lives, on top of this process."""
    import subprocess
    import sys

    from benchmarks.memory import PeakMemory

    code = "import time; b = b'x' * (60 << 20); print('ready', flush=True); time.sleep(30)"
    with PeakMemory(interval=0.05) as memory:
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        child.stdout.readline()
        memory.sample()
        child.kill()
        child.wait()
        child.stdout.close()
    assert memory.peak_children_mb >= 60
    assert memory.peak_mb > memory.peak_children_mb
