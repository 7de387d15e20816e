"""``rounds quote``: the slot table from a shell, and one-line errors."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.agreements import Agreement
from dashboard.cli import cli
from scheduling.models import Plan, PlannedVisit, PlanStatus

WEEK_49 = dt.date(2026, 11, 30)
NEAR_S2 = ["--lat", "27.9420", "--lon", "-82.4690"]


def _publish_full_tuesday(session: Session, crew_id: int) -> None:
    """C1's Tuesday holds five 92-minute visits: no room for a sixth (see test_quotes)."""
    a2 = session.scalars(select(Agreement).where(Agreement.external_id == "A2")).one()
    plan = Plan(week_start=WEEK_49, version=1, status=PlanStatus.PUBLISHED)
    for i in range(5):
        start = 8 * 3600 + i * 92 * 60
        plan.visits.append(PlannedVisit(
            agreement_id=a2.id, visit_index=i, date=WEEK_49 + dt.timedelta(days=1),
            crew_id=crew_id, sequence=i, arrival_s=start, start_s=start, end_s=start + 92 * 60,
        ))  # fmt: skip
    session.add(plan)
    session.commit()


def test_quote_prints_the_slots_best_first(
    runner: FlaskCliRunner, session: Session, tiny_company: dict[str, int]
) -> None:
    """Four empty weekdays of the ladder crew fit; the full Tuesday comes last with its
    reason; margins are at the list price (120.00 less 42.50/h x (90 min + the drive))."""
    _publish_full_tuesday(session, tiny_company["C1"])
    result = runner.invoke(cli, ["quote", *NEAR_S2, "--service", "window_clean",
                                 "--week", "2026-W49", "--limit", "10"])  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "week of 2026-11-30 (published plan" in lines[0]
    rows = [line for line in lines if line[:2].strip().isdigit()]
    assert len(rows) == 5
    assert all("Blue Crew" in r and r.endswith("fits") for r in rows[:4])
    assert "Tue" in rows[4] and "no room: Tue: full" in rows[4]
    first = rows[0].split()
    extra_min = float(first[5])
    # 120.00 - 42.50 x (5400 s + extra drive) / 3600, to the cent
    expected = 120 - 42.5 * (5400 + int(round(extra_min * 60))) / 3600
    assert abs(float(first[7]) - expected) < 0.02


def test_quote_twice_a_week_and_a_window(
    runner: FlaskCliRunner, tiny_company: dict[str, int]
) -> None:
    """Two visits a week lists Mon+Thu and Tue+Fri; a 06:00-07:00 window fits nowhere."""
    result = runner.invoke(cli, ["quote", *NEAR_S2, "--service", "window_clean",
                                 "--visits-per-week", "2"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Mon+Thu" in result.output and "Tue+Fri" in result.output
    assert "no published plan" in result.output
    early = runner.invoke(cli, ["quote", *NEAR_S2, "--service", "window_clean",
                                "--window", "06:00-07:00"])  # fmt: skip
    assert early.exit_code == 0, early.output
    assert "06:00-07:00 window cannot be reached" in early.output
    assert " fits" not in early.output


def test_quote_bad_input_is_one_line(runner: FlaskCliRunner, tiny_company: dict[str, int]) -> None:
    """An unknown service names the known ones; a malformed window is rejected."""
    result = runner.invoke(cli, ["quote", *NEAR_S2, "--service", "pool_party"])
    assert result.exit_code != 0
    assert "unknown service 'pool_party'" in result.output and "window_clean" in result.output
    assert "Traceback" not in result.output
    bad = runner.invoke(cli, ["quote", *NEAR_S2, "--service", "window_clean",
                              "--window", "11:00-08:00"])  # fmt: skip
    assert bad.exit_code != 0 and "not a window" in bad.output
