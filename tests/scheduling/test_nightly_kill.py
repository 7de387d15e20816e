"""A nightly run killed with SIGKILL mid-solve leaves every plan exactly as it was."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scheduling.locks import is_takeable
from scheduling.models import PlanningRun, RunLock, RunStatus
from scheduling.nightly import STALE_ERROR, InlineExecutor, run_nightly
from scheduling.planning import plan_week
from scheduling.plans import publish
from tests.scheduling.test_plans import PARAMS, WEEK_49, small_company  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
PLAN_TABLES = ("plan", "planned_visit", "unplaced_visit", "notice")

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL") is not None or sys.platform == "win32",
    reason="reads the SQLite file directly; needs POSIX signals",
)


def _dump(path: str) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as connection:
        return {t: connection.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()  # noqa: S608
                for t in PLAN_TABLES}


def _wait_for_solving(path: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        with sqlite3.connect(path) as connection:
            row = connection.execute(
                "SELECT status, detail FROM planning_run ORDER BY id DESC LIMIT 1"
            ).fetchone()
        if row and row[0] == "running" and json.loads(row[1]).get("phase") == "solving":
            return
        time.sleep(0.05)
    raise AssertionError("the run never started solving")


def test_sigkill_mid_solve_changes_no_plan(small_company, database_url, tmp_path) -> None:  # noqa: F811
    factory = small_company
    first = plan_week(factory, WEEK_49, PARAMS)
    with factory.begin() as session:
        publish(session, first)
    plan_week(factory, WEEK_49, PARAMS, mode="as_is")  # an earlier draft
    path = database_url.removeprefix("sqlite:///")
    before = _dump(path)

    env = {**os.environ, "DATABASE_URL": database_url, "ROUNDS_INSTANCE_DIR": str(tmp_path),
           "SECRET_KEY": "test", "NIGHTLY_PUBLISH": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from dashboard.cli import main; main()",
         "nightly", "--week", "2026-W49", "--time-limit", "60"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _wait_for_solving(path, process, timeout_s=40)
        time.sleep(0.5)  # inside the solve (worker processes busy)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # its solver processes, orphaned by the kill
        except ProcessLookupError:
            pass
        process.communicate()
    assert process.returncode == -signal.SIGKILL

    assert _dump(path) == before
    with factory() as session:
        [run] = session.query(PlanningRun).all()
        assert run.status is RunStatus.RUNNING and run.finished_at is None
        lock = session.get_one(RunLock, "planning")
        assert str(process.pid) in lock.holder
        assert is_takeable(lock, dt.datetime.now(dt.UTC))  # its process is gone

    outcome = run_nightly(factory, WEEK_49, PARAMS, executor=InlineExecutor())
    with factory() as session:
        killed = session.get_one(PlanningRun, run.id)
        assert killed.status is RunStatus.FAILED and killed.error == STALE_ERROR
        assert outcome.stale_runs == (run.id,)
        assert session.get(RunLock, "planning") is None
