"""The dispatcher's week end to end through the ``rounds`` command line, on the tiny company:
plan, move a visit, pin, re-solve, history, diff, publish, then the crew's route sheet and
calendar feed from the published plan, and a rain-day re-plan."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from dashboard import crew_views
from dashboard.crew_views import feed_token

THURSDAY = dt.date(2026, 12, 3)


def test_cli_flow_plan_edit_publish_sheet_feed_replan(  # type: ignore[no-untyped-def]
    app, runner, signed_in, tiny_company, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every step exits 0 and says what it did; the moved visit is on the crew's sheet and in
    its feed at the new day; rain on that day moves it again in a new draft."""
    monkeypatch.setattr(crew_views, "company_today", lambda: dt.date(2026, 11, 27))
    green = tiny_company["C2"]

    def rounds(*args: str) -> str:
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, (args, result.output)
        return result.output

    out = rounds("plan", "--week", "2026-W49", "--time-limit", "1", "--no-progress")
    assert "draft plan 1" in out
    out = rounds("move", "1", "A3", "--crew", "C2", "--date", THURSDAY.isoformat(),
                 "--position", "0", "--user", "ann")  # fmt: skip
    assert "moved A3#0 to Green Crew on Thu 03 Dec, stop 1" in out and "in plan 1" in out
    assert "pinned A3#0 in plan 1" in rounds("pin", "1", "A3", "--user", "bob")
    history = rounds("history", "1")
    assert "ann" in history and "moved A3#0 from C2" in history
    assert "to C2 Thu 03 Dec stop 1" in history
    assert "bob" in history and "pinned A3#0 (C2, Thu 03 Dec)" in history
    assert history.index("moved") < history.index("pinned")
    out = rounds("resolve", "1", "--time-limit", "1", "--no-progress", "--user", "bob")
    assert "draft plan 2 re-solved from plan 1" in out and "(1 pinned)" in out
    assert "re-solved plan 1 keeping 1 of 1 pins" in rounds("history", "2")
    assert "plan 1 against the as-is days and crews" in rounds("diff", "1")
    assert "plan 1 is published" in rounds("publish", "1")

    client = signed_in("dispatcher")
    page = client.get(f"/crews/{green}/sheet/{THURSDAY}").get_data(as_text=True)
    assert "210 Bay St" in page and "Bayview Dental" in page
    with app.app_context():
        token = feed_token(green)
    response = client.get(f"/crews/{green}/feed.ics?token={token}")
    assert response.status_code == 200
    events = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    thursday = [e for e in events if e.decoded("DTSTART").date() == THURSDAY]
    assert len(thursday) == 1 and "210 Bay St" in str(thursday[0]["LOCATION"])

    out = rounds("replan", "--from", THURSDAY.isoformat(), "--reason", "rain",
                 "--time-limit", "1", "--no-progress", "--user", "cy")  # fmt: skip
    assert "draft plan 3: rain on Thu 03 Dec, re-planned from published plan 1" in out
    assert "A3#0: day" in out and "Thu 03 Dec" in out
    assert "re-planned from Thu 03 Dec (rain)" in rounds("history", "3")

    bad = runner.invoke(args=["move", "1", "A3", "--crew", "C2", "--date", "2027-01-01"])
    assert bad.exit_code != 0 and "outside plan 1" in bad.output
    bad = runner.invoke(args=["pin", "1", "NOPE"])
    assert bad.exit_code != 0 and "no visit 'NOPE'" in bad.output
