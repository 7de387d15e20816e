"""The owner's analytics page: who may open it, and that charts and tables show the same figures."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.agreements import Agreement
from dashboard.analytics_charts import as_is_figure, utilization_figure
from scheduling.analytics import CrewSummary
from scheduling.models import Plan, PlannedVisit, PlanStatus

WEEK = dt.date(2026, 11, 30)
H, MIN = 3600, 60


def _week_plan(session: Session, crews: dict[str, int], version: int, status: PlanStatus,
               mode: str, week: dt.date = WEEK, travel: int = 600) -> Plan:
    """Blue Crew visits A1 (47 min) and A2 (60 min) on Tuesday of ``week``."""
    ids = {a.external_id: a.id for a in session.scalars(select(Agreement))}
    tuesday = week + dt.timedelta(days=1)
    plan = Plan(week_start=week, version=version, status=status, params={"mode": mode})
    plan.visits = [
        PlannedVisit(agreement_id=ids["A1"], date=tuesday, crew_id=crews["C1"], sequence=0,
                     arrival_s=8 * H, start_s=8 * H, end_s=8 * H + 47 * MIN, travel_s=travel),
        PlannedVisit(agreement_id=ids["A2"], date=tuesday, crew_id=crews["C1"], sequence=1,
                     arrival_s=9 * H, start_s=9 * H, end_s=10 * H, travel_s=travel),
    ]
    session.add(plan)
    session.commit()
    return plan


@pytest.fixture
def plans(session: Session, tiny_company: dict[str, int]) -> dict[str, int]:
    """Two weeks: the first with an as-is and a published optimized plan, the next a draft."""
    as_is = _week_plan(session, tiny_company, 1, PlanStatus.DRAFT, "as_is", travel=1200)
    published = _week_plan(session, tiny_company, 2, PlanStatus.PUBLISHED, "optimize")
    later = _week_plan(session, tiny_company, 1, PlanStatus.DRAFT, "optimize",
                       week=WEEK + dt.timedelta(weeks=1))
    return {"as_is": as_is.id, "published": published.id, "later": later.id}


def _figures(html: str) -> dict[str, dict]:
    found = re.findall(r'<script type="application/json" id="figure-([a-z_]+)">(.*?)</script>',
                       html, re.S)
    return {name: json.loads(body) for name, body in found}


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("dispatcher", 403), ("crew", 403)])
def test_analytics_is_for_owners_only(
    signed_in: Callable[[str], FlaskClient], plans: dict[str, int], role: str, status: int
) -> None:
    """Revenue per crew is the owner's: dispatchers and crews get 403."""
    assert signed_in(role).get("/analytics").status_code == status


def test_analytics_needs_sign_in(client: FlaskClient) -> None:
    response = client.get("/analytics")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_dispatcher_nav_has_no_analytics(signed_in: Callable[[str], FlaskClient]) -> None:
    """Only owners see the Analytics link."""
    assert 'href="/analytics"' not in signed_in("dispatcher").get("/customers").get_data(
        as_text=True
    )


def test_owner_nav_has_analytics(signed_in: Callable[[str], FlaskClient]) -> None:
    assert 'href="/analytics"' in signed_in("owner").get("/customers").get_data(as_text=True)


def test_page_shows_latest_week_with_charts_and_tables(
    signed_in: Callable[[str], FlaskClient], plans: dict[str, int]
) -> None:
    """Latest week: Blue Crew, 2 visits, 107 min on site of an 8.5 h shift = 21.0 %."""
    html = signed_in("owner").get("/analytics").get_data(as_text=True)
    figures = _figures(html)
    assert set(figures) == {"utilization", "revenue", "trend", "as_is"}
    assert figures["utilization"]["data"][0]["y"] == ["Blue Crew"]
    assert figures["utilization"]["data"][0]["x"] == [21.0]  # 107 / 510 min
    assert "21.0%" in html and "vendor/plotly-basic.min.js" in html
    assert "07 Dec 2026" in html  # the later week is the default
    # revenue 120 + 150 over 8.5 h = 31.76 per crew-hour, in the chart and the table
    assert figures["revenue"]["data"][0]["x"] == [31.76] and "31.76" in html
    assert figures["trend"]["data"][0]["x"] == ["2026-11-30", "2026-12-07"]


def test_as_is_comparison_uses_the_published_plan(
    signed_in: Callable[[str], FlaskClient], plans: dict[str, int]
) -> None:
    """As-is legs of 20 min against 10 min optimized: the as-is bar is the higher one."""
    html = signed_in("owner").get("/analytics?week=2026-11-30").get_data(as_text=True)
    as_is = _figures(html)["as_is"]
    assert as_is["data"][0]["x"] == ["2026-11-30"]
    as_is_h, optimized_h = as_is["data"][0]["y"][0], as_is["data"][1]["y"][0]
    assert as_is_h > optimized_h > 0
    assert "30 Nov 2026 · plan v2 (published)" in html


def test_unknown_week_falls_back_to_latest(
    signed_in: Callable[[str], FlaskClient], plans: dict[str, int]
) -> None:
    html = signed_in("owner").get("/analytics?week=not-a-date").get_data(as_text=True)
    assert "Crews, week of 07 Dec 2026" in html


def test_page_without_plans_explains_how_to_get_some(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    html = signed_in("owner").get("/analytics").get_data(as_text=True)
    assert "No plans yet" in html and "rounds plan" in html
    assert "plotly-basic.min.js" not in html


def test_figures_are_plain_json() -> None:
    """Figures are dicts that survive a JSON round trip (no plotly objects)."""
    # 1 h on site and 0.5 h driving of 2 h paid: 50 % and 25 %
    line = CrewSummary(1, "Blue", "#123456", 1, 2, 3600, 1800, 7200, 0, Decimal("10"))
    figure = utilization_figure([line])
    assert json.loads(json.dumps(figure)) == figure
    assert figure["data"][0]["x"] == [50.0] and figure["data"][1]["x"] == [25.0]
    assert as_is_figure([])["data"][0]["x"] == []
