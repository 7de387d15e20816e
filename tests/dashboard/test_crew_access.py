"""A crew user sees its own route sheet and calendar-feed link, and nothing else.

Walks every route of the app (so pages added later are checked too) as a signed-in crew user
and asserts that only the crew's own pages answer; everything else is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.agreements import Agreement
from dashboard.crew_views import feed_token
from scheduling.models import Plan, PlannedVisit, PlanStatus

WEEK = dt.date(2026, 11, 30)
TUESDAY = WEEK + dt.timedelta(days=1)

#: Endpoints a crew user may open (with its own crew id where the URL has one).
CREW_ALLOWED = {
    "main.index",
    "auth.login",
    "auth.logout",
    "static",
    "crm.crew_detail",
    "crm.no_crew",
    "crew.today_sheet",
    "crew.sheet",
    "crew.sheet_csv_download",
    "crew.feed",
    # The API scopes a crew to its own data itself (tests/dashboard/test_api.py).
    "api.health",
    "api.openapi",
    "api.list_plans",
    "api.get_plan",
    "api.plan_visits",
    "api.list_crews",
    "api.get_crew",
}


@pytest.fixture
def published(session: Session, tiny_company: dict[str, int]) -> dict[str, int]:
    """A published week in which both crews work on Tuesday; ids of the plan and a visit."""
    ids = {a.external_id: a.id for a in session.scalars(select(Agreement))}
    plan = Plan(week_start=WEEK, version=1, status=PlanStatus.PUBLISHED,
                published_at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
    plan.visits = [
        PlannedVisit(agreement_id=ids["A1"], date=TUESDAY, crew_id=tiny_company["C1"],
                     sequence=0, arrival_s=28800, start_s=28800, end_s=31000, travel_s=600),
        PlannedVisit(agreement_id=ids["A3"], date=TUESDAY, crew_id=tiny_company["C2"],
                     sequence=0, arrival_s=28800, start_s=28800, end_s=31000, travel_s=600),
    ]
    session.add(plan)
    session.commit()
    return {"plan_id": plan.id, "visit_id": plan.visits[1].id, **tiny_company}


def _url(rule: str, values: dict[str, object]) -> str:
    """The rule with its arguments filled in; ids not named in ``values`` are 1."""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values.get(m.group(1), 1)), rule)


def test_crew_user_is_refused_everything_but_its_own_pages(
    app: Flask, signed_in: Callable[[str], FlaskClient], published: dict[str, int]
) -> None:
    """Office pages and actions answer 403 (or 404); another crew's pages answer 403."""
    client = signed_in("crew")
    values = {
        "crew_id": published["C2"],  # another crew's id wherever a URL takes one
        "plan_id": published["plan_id"],
        "visit_id": published["visit_id"],
        "day": TUESDAY.isoformat(),
        "filename": "rounds.css",
    }
    checked = []
    for rule in app.url_map.iter_rules():
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        takes_crew = "crew_id" in rule.arguments
        if rule.endpoint in CREW_ALLOWED and not takes_crew:
            continue
        url = _url(rule.rule, values)
        for method in methods:
            response = client.open(url, method=method)
            if rule.endpoint == "crew.feed":
                expected = {403}  # no token: the signed-in rules apply
            elif rule.rule.startswith("/api/") and method != "GET":
                expected = {401}  # API writes take a bearer token, never the session
            elif takes_crew:
                expected = {403}
            else:
                expected = {403, 404}
            assert response.status_code in expected, (method, url, response.status_code)
            checked.append((method, url))
    assert len(checked) >= 5


def test_crew_user_opens_its_own_sheet_and_feed(
    signed_in: Callable[[str], FlaskClient], published: dict[str, int]
) -> None:
    """The crew's page links to today's sheet; the sheet shows its visits and the feed link."""
    client = signed_in("crew")
    crew_id = published["C1"]
    assert client.get("/").headers["Location"] == f"/crews/{crew_id}"
    home = client.get(f"/crews/{crew_id}").get_data(as_text=True)
    assert f"/crews/{crew_id}/sheet" in home
    sheet = client.get(f"/crews/{crew_id}/sheet/{TUESDAY.isoformat()}")
    assert sheet.status_code == 200
    html = sheet.get_data(as_text=True)
    assert "101 Palm Ave" in html and "210 Bay St" not in html  # only its own visit
    assert f"feed.ics?token={feed_token(crew_id, 'test-secret-key')}" in html
    assert client.get(f"/crews/{crew_id}/feed.ics").status_code == 200


def test_crew_nav_shows_only_its_round(
    signed_in: Callable[[str], FlaskClient], published: dict[str, int]
) -> None:
    """The crew's nav has one link, to its own round: no office or owner pages."""
    html = signed_in("crew").get(f"/crews/{published['C1']}").get_data(as_text=True)
    nav = html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="([^"]+)"', nav) == [f"/crews/{published['C1']}"]
