"""Route sheet, CSV and calendar feed pages: who may see what, and what they contain."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.agreements import Agreement
from crm.crews import Crew
from dashboard import crew_views
from dashboard.crew_views import feed_token
from dashboard.demo import CREW_PASSWORD, crew_email
from scheduling.models import Plan, PlannedVisit, PlanStatus
from scheduling.planning import plan_week
from scheduling.plans import publish
from scheduling.sheet_exports import CSV_COLUMNS
from tests.dashboard.browser import screenshot

WEEK = dt.date(2026, 11, 30)
TUESDAY = "2026-12-01"


@pytest.fixture
def plan(session: Session, tiny_company: dict[str, int]) -> dict[str, int]:
    """A published week for the tiny company: Blue Crew visits A1 then A2 on Tuesday, Green
    Crew A3 on Friday. Returns crew ids by external id."""
    agreements = {a.external_id: a.id for a in session.scalars(select(Agreement))}
    c1, c2 = tiny_company["C1"], tiny_company["C2"]
    week = Plan(
        week_start=WEEK, version=1, status=PlanStatus.PUBLISHED,
        published_at=dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC),
    )
    tuesday, friday = WEEK + dt.timedelta(days=1), WEEK + dt.timedelta(days=4)
    week.visits = [
        PlannedVisit(agreement_id=agreements["A1"], date=tuesday, crew_id=c1, sequence=0,
                     arrival_s=7 * 3600 + 40 * 60, start_s=8 * 3600, end_s=8 * 3600 + 47 * 60,
                     travel_s=600, distance_m=4000),
        PlannedVisit(agreement_id=agreements["A2"], date=tuesday, crew_id=c1, sequence=1,
                     arrival_s=9 * 3600, start_s=9 * 3600, end_s=10 * 3600, travel_s=780,
                     distance_m=6500),
        PlannedVisit(agreement_id=agreements["A3"], date=friday, crew_id=c2, sequence=0,
                     arrival_s=7 * 3600 + 15 * 60, start_s=7 * 3600 + 15 * 60,
                     end_s=8 * 3600, travel_s=900, distance_m=7000),
    ]
    session.add(week)
    session.commit()
    return tiny_company


@pytest.fixture
def feed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the feed's "today" so the published week is always in its window."""
    monkeypatch.setattr(crew_views, "company_today", lambda: WEEK)


def test_crew_user_sees_only_its_own_crew(signed_in, plan) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("crew")
    own, other = plan["C1"], plan["C2"]
    response = client.get(f"/crews/{own}/sheet/{TUESDAY}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("Alice Anders", "101 Palm Ave", "Gate code 1234", "Bayview Dental",
                 "07:30", "07:40", "08:00–08:47", "08:00–12:00", "Leave the depot",
                 "Back at the depot", "openstreetmap.org/directions", "print.css"):
        assert text in page, text
    assert page.index("Alice Anders") < page.index("Bayview Dental")
    for url in (f"/crews/{other}/sheet/{TUESDAY}", f"/crews/{other}/sheet/{TUESDAY}.csv",
                f"/crews/{other}/feed.ics"):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ["owner", "dispatcher"])
def test_office_sees_every_crew(signed_in, plan, role: str) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(role)
    for crew_id in plan.values():
        assert client.get(f"/crews/{crew_id}/sheet/{TUESDAY}").status_code == 200
        assert client.get(f"/crews/{crew_id}/feed.ics").status_code == 200
    assert client.get(f"/crews/{plan['C2']}/sheet/2026-12-04.csv").status_code == 200
    assert client.get("/crews/9999/sheet/2026-12-01").status_code == 404


def test_anonymous_is_sent_to_sign_in(client: FlaskClient, plan) -> None:  # type: ignore[no-untyped-def]
    for url in (f"/crews/{plan['C1']}/sheet/{TUESDAY}", f"/crews/{plan['C1']}/feed.ics"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_days_without_a_plan_or_visits_say_so(signed_in, plan) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("crew")
    crew_id = plan["C1"]
    response = client.get(f"/crews/{crew_id}/sheet/2026-12-08")
    assert response.status_code == 200
    assert "No published plan for this day" in response.get_data(as_text=True)
    response = client.get(f"/crews/{crew_id}/sheet/2026-12-02")
    assert response.status_code == 200
    assert "No visits for Blue Crew on this day" in response.get_data(as_text=True)
    assert client.get(f"/crews/{crew_id}/sheet/2026-12-08.csv").status_code == 404
    assert client.get(f"/crews/{crew_id}/sheet/not-a-day").status_code == 404
    assert client.get("/crews/9999/sheet/2026-12-01").status_code == 403  # not its crew


def test_a_day_without_work_points_to_the_next_one(signed_in, plan) -> None:  # type: ignore[no-untyped-def]
    """Before the published week (no plan yet) the crew is sent to Tuesday, its first day of
    work; after its last visit there is no next day to offer."""
    client = signed_in("crew")
    crew_id = plan["C1"]
    page = client.get(f"/crews/{crew_id}/sheet/2026-11-25").get_data(as_text=True)
    assert "No published plan for this day" in page
    assert f"/crews/{crew_id}/sheet/{TUESDAY}" in page and "Next work: Tuesday 01 December" in page
    page = client.get(f"/crews/{crew_id}/sheet/2026-12-02").get_data(as_text=True)
    assert "No visits for Blue Crew" in page and "Next work" not in page


def test_today_redirects_to_the_dated_sheet(signed_in, plan, feed_today) -> None:  # type: ignore[no-untyped-def]
    response = signed_in("crew").get(f"/crews/{plan['C1']}/sheet")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/crews/{plan['C1']}/sheet/{WEEK.isoformat()}")


def test_crew_page_links_to_todays_sheet(signed_in, plan) -> None:  # type: ignore[no-untyped-def]
    crew_id = plan["C1"]
    page = signed_in("crew").get(f"/crews/{crew_id}").get_data(as_text=True)
    assert f'href="/crews/{crew_id}/sheet"' in page


def test_csv_has_the_columns_and_the_stops(signed_in, plan) -> None:  # type: ignore[no-untyped-def]
    response = signed_in("crew").get(f"/crews/{plan['C1']}/sheet/{TUESDAY}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert [(r["order"], r["customer"], r["arrival"], r["start"], r["end"]) for r in rows] == [
        ("1", "Alice Anders", "07:40", "08:00", "08:47"),
        ("2", "Bayview Dental", "09:00", "09:00", "10:00"),
    ]
    assert rows[0]["access_notes"] == "Gate code 1234"
    assert (rows[0]["window_start"], rows[0]["window_end"]) == ("08:00", "12:00")
    assert rows[1]["window_start"] == "" and rows[0]["service"]


def test_feed_with_token_needs_no_sign_in_and_parses_back(
    app: Flask, client: FlaskClient, plan, feed_today  # type: ignore[no-untyped-def]
) -> None:
    crew_id = plan["C1"]
    with app.app_context():
        token = feed_token(crew_id)
    response = client.get(f"/crews/{crew_id}/feed.ics?token={token}")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert [str(e["UID"]) for e in events] == [
        f"visit-A1-{TUESDAY}-0@rounds", f"visit-A2-{TUESDAY}-0@rounds",
    ]
    first = events[0]
    start = first.decoded("DTSTART")
    assert start == dt.datetime(2026, 12, 1, 13, 0, tzinfo=dt.UTC)  # 08:00 EST
    assert str(start.tzinfo) == "America/New_York"
    assert first.decoded("DTEND") - start == dt.timedelta(minutes=47)
    assert str(first["SUMMARY"]).endswith("Alice Anders")
    assert str(first["LOCATION"]) == "101 Palm Ave, Tampa, FL 33602"
    assert "Gate code 1234" in str(first["DESCRIPTION"])
    # The same feed twice is byte-identical: calendar apps see no change.
    assert client.get(f"/crews/{crew_id}/feed.ics?token={token}").data == response.data


def test_feed_rejects_wrong_tokens(app: Flask, client: FlaskClient, plan, signed_in) -> None:  # type: ignore[no-untyped-def]
    c1, c2 = plan["C1"], plan["C2"]
    with app.app_context():
        token_c1 = feed_token(c1)
    assert feed_token(c1, "another-key") != token_c1
    assert client.get(f"/crews/{c1}/feed.ics?token=wrong").status_code == 403
    assert client.get(f"/crews/{c2}/feed.ics?token={token_c1}").status_code == 403
    assert client.get(f"/crews/{c1}/feed.ics?token=").status_code == 403
    # a signed-in crew with a stale token still gets a clear refusal
    assert signed_in("crew").get(f"/crews/{c1}/feed.ics?token=wrong").status_code == 403


def test_feed_leaves_out_old_days(signed_in, plan, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(crew_views, "company_today", lambda: WEEK + dt.timedelta(days=30))
    response = signed_in("crew").get(f"/crews/{plan['C1']}/feed.ics")
    assert response.status_code == 200
    assert not icalendar.Calendar.from_ical(response.data).walk("VEVENT")


# --- the sheet in a real browser -----------------------------------------------------------


@pytest.fixture
def planned_demo(
    sample_company: Callable[..., Any], serve_app: Callable[..., str]
) -> tuple[str, int, str, str]:
    """The sample company (first 25 agreements) with week 49 published, served in a thread.

    Returns the base URL, the busiest crew's id, its busiest day and that crew's e-mail.
    """
    from optimizer import SolveParams

    factory = sample_company(active=25)
    plan_id = plan_week(factory, WEEK, SolveParams(time_limit_s=None, solution_limit=10))
    with factory.begin() as session:
        publish(session, plan_id, now=dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC))
        crew_id, day, _ = session.execute(
            select(PlannedVisit.crew_id, PlannedVisit.date, func.count())
            .group_by(PlannedVisit.crew_id, PlannedVisit.date)
            .order_by(func.count().desc(), PlannedVisit.crew_id, PlannedVisit.date)
        ).first()
        email = crew_email(session.get(Crew, crew_id).external_id)
    return serve_app(), crew_id, day.isoformat(), email


@pytest.mark.browser
def test_browser_crew_opens_its_route_sheet(open_page, planned_demo) -> None:  # type: ignore[no-untyped-def]
    """The crew signs in, opens its sheet, and the page (screen and print) is saved."""
    base, crew_id, day, email = planned_demo
    page = open_page(base)
    page.goto(f"/crews/{crew_id}/sheet/{day}")
    assert "/login" in page.url
    page.fill("#email", email)
    page.fill("#password", CREW_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/crews/{crew_id}/sheet/{day}")
    rows = page.locator(".sheet-table tr.stop-row")
    assert rows.count() >= 3
    assert page.locator("text=Leave the depot").count() == 1
    screenshot(page, "route-sheet")
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    screenshot(page, "route-sheet-print")
