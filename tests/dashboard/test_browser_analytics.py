"""The owner's analytics page in a real headless Chromium: the plotly charts draw offline.

The sample company gets an as-is plan and an optimized plan of the sample week (tiny solver
budgets: the figures only need to exist), then the owner signs in and opens /analytics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dashboard.demo import OWNER_EMAIL, OWNER_PASSWORD
from optimizer import SolveParams
from scheduling.planning import parse_week, plan_week
from scheduling.plans import publish
from tests.dashboard.browser import screenshot, sign_in

pytestmark = pytest.mark.browser

WEEK = parse_week("2026-W49")
PARAMS = SolveParams(time_limit_s=None, solution_limit=20)


@pytest.fixture
def analytics_server(sample_company: Callable[..., Any], serve_app: Callable[..., str]) -> str:
    """Sample company (first 60 agreements active), an as-is and a published optimized week."""
    factory = sample_company(active=60)
    plan_week(factory, WEEK, PARAMS, mode="as_is")
    optimized = plan_week(factory, WEEK, PARAMS, mode="optimize")
    with factory.begin() as session:
        publish(session, optimized)
    return serve_app()


def test_browser_owner_sees_analytics_charts(open_page, analytics_server: str) -> None:  # type: ignore[no-untyped-def]
    """Four plotly charts render (SVG drawn, no network), with their tables beside them."""
    page = open_page(analytics_server, height=900)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(analytics_server) and not r.url.startswith("data:")
            else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, OWNER_EMAIL, OWNER_PASSWORD)
    page.click("nav.mainnav >> text=Analytics")
    page.wait_for_selector("#chart-as_is .main-svg", timeout=30_000)
    for name in ("utilization", "revenue", "trend", "as_is"):
        assert page.locator(f"#chart-{name} .main-svg").count() >= 1, name
    assert page.locator("#chart-utilization .bars .point").count() >= 2
    assert page.locator("#crew-table tbody tr").count() >= 2
    assert page.locator("#as-is-table tbody tr").count() == 1
    screenshot(page, "analytics")
    assert errors == []
    assert outside == []
