"""The owner's analytics page in a real headless Chromium: the plotly charts draw offline.

The sample company gets an as-is plan and an optimized plan of the sample week (tiny solver
budgets: the figures only need to exist), then the owner signs in and opens /analytics.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from werkzeug.serving import make_server

from crm.agreements import Agreement, AgreementStatus
from crm.db import make_engine, make_session_factory
from dashboard import create_app
from dashboard.config import TestConfig
from dashboard.db import get_database
from dashboard.demo import OWNER_EMAIL, OWNER_PASSWORD, load_demo
from optimizer import SolveParams
from scheduling.planning import parse_week, plan_week
from scheduling.plans import publish
from tests.dashboard.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

WEEK = parse_week("2026-W49")
PARAMS = SolveParams(time_limit_s=None, solution_limit=20)


@pytest.fixture
def analytics_server(database_url: str) -> Iterator[str]:
    """Sample company (first 60 agreements active), an as-is and a published optimized week."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        load_demo(session)
        keep = session.scalars(
            select(Agreement.id).where(Agreement.status == AgreementStatus.ACTIVE)
            .order_by(Agreement.external_id).limit(60)
        ).all()
        session.execute(update(Agreement).where(Agreement.id.not_in(keep))
                        .values(status=AgreementStatus.PAUSED))
    plan_week(factory, WEEK, PARAMS, mode="as_is")
    optimized = plan_week(factory, WEEK, PARAMS, mode="optimize")
    with factory.begin() as session:
        publish(session, optimized)
    engine.dispose()
    config = TestConfig(database_url)
    config.WTF_CSRF_ENABLED = True
    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    get_database(app).engine.dispose()


def test_browser_owner_sees_analytics_charts(analytics_server: str) -> None:
    """Four plotly charts render (SVG drawn, no network), with their tables beside them."""
    if CHROMIUM is None:
        pytest.skip("chromium not installed: browser tests skipped (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=analytics_server,
                                      viewport={"width": 1280, "height": 900})
        page = context.new_page()
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(analytics_server) and not r.url.startswith("data:")
                else None)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto("/login")
        page.fill("#email", OWNER_EMAIL)
        page.fill("#password", OWNER_PASSWORD)
        page.click("button[type=submit]")
        page.click("nav.mainnav >> text=Analytics")
        page.wait_for_selector("#chart-as_is .main-svg", timeout=30_000)
        for name in ("utilization", "revenue", "trend", "as_is"):
            assert page.locator(f"#chart-{name} .main-svg").count() >= 1, name
        assert page.locator("#chart-utilization .bars .point").count() >= 2
        assert page.locator("#crew-table tbody tr").count() >= 2
        assert page.locator("#as-is-table tbody tr").count() == 1
        page.screenshot(path=str(ARTIFACTS / "analytics.png"), full_page=True)
        context.close()
        browser.close()
    assert errors == []
    assert outside == []
