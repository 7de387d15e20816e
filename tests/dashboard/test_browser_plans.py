"""The dispatcher's week in a real headless Chromium: board, move, re-plan, diff, publish, map.

The served app has a published week of a small slice of the sample company. Every request
to a host other than the app is aborted and recorded, so the pages are shown to work without
internet (the map draws its routes from the vendored plotly.js with no tiles). Screenshots
of every page go to ``test-artifacts/``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update
from werkzeug.serving import make_server

from crm.agreements import Agreement, AgreementStatus
from crm.db import make_engine, make_session_factory
from dashboard import create_app
from dashboard.config import TestConfig
from dashboard.db import get_database
from dashboard.demo import DISPATCHER_EMAIL, DISPATCHER_PASSWORD, load_demo
from optimizer import SolveParams
from scheduling.planning import plan_week
from scheduling.plans import publish
from tests.dashboard.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

WEEK = dt.date(2026, 11, 30)
#: Agreements kept active: enough for a board that looks like a working week, quick to plan.
AGREEMENTS = 120


@pytest.fixture
def planned_server(database_url: str) -> Iterator[tuple[str, int]]:
    """The app (CSRF on) with a published week 49 of a slice of the sample company.

    Yields the base URL and the published plan's id.
    """
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        load_demo(session)
        keep = session.scalars(
            select(Agreement.id)
            .where(Agreement.status == AgreementStatus.ACTIVE)
            .order_by(Agreement.external_id)
            .limit(AGREEMENTS)
        ).all()
        session.execute(
            update(Agreement).where(Agreement.id.not_in(keep)).values(status=AgreementStatus.PAUSED)
        )
    plan_id = plan_week(
        factory, WEEK, SolveParams(time_limit_s=None, solution_limit=10), created_by="nightly"
    )
    with factory.begin() as session:
        publish(session, plan_id)
    engine.dispose()
    config = TestConfig(database_url)
    config.WTF_CSRF_ENABLED = True
    config.SOLVER_TIME_LIMIT_S = 2
    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", plan_id
    server.shutdown()
    thread.join(timeout=10)
    get_database(app).engine.dispose()


@pytest.fixture
def offline_page(planned_server: tuple[str, int]):  # type: ignore[no-untyped-def]
    """A browser page that may only talk to the app; yields (page, plan id, blocked URLs)."""
    if CHROMIUM is None:
        pytest.skip("chromium not installed: browser tests skipped (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    base, plan_id = planned_server
    app_host = urlsplit(base).netloc
    blocked: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)

    def only_the_app(route) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(route.request.url).netloc == app_host:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base, viewport={"width": 1440, "height": 900})
        context.route("**/*", only_the_app)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page, plan_id, blocked
        context.close()
        browser.close()


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(ARTIFACTS / f"plans-{name}.png"), full_page=True)


def test_browser_dispatcher_adjusts_replans_and_publishes_the_week(offline_page) -> None:  # type: ignore[no-untyped-def]
    """Sign in, move a visit on the board, re-plan with progress, read the diff, publish."""
    page, published_id, blocked = offline_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/login")
    page.fill("#email", DISPATCHER_EMAIL)
    page.fill("#password", DISPATCHER_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/plans")
    assert page.locator("text=Week 49").count() >= 1
    _shot(page, "list")

    page.goto(f"/plans/{published_id}/board")
    cards = page.locator("a.visit")
    assert cards.count() > 20
    _shot(page, "board")

    # Move the first visit to another day through the dialog: a new draft opens.
    card = cards.first
    customer = card.locator(".visit-customer").inner_text()
    old_date = card.locator("xpath=ancestor::td").get_attribute("data-date")
    card.click()
    dialog = page.locator("#visit-dialog")
    assert dialog.is_visible()
    options = dialog.locator("select[name=date] option").evaluate_all("os => os.map(o => o.value)")
    new_date = next(d for d in options if d != old_date and dt.date.fromisoformat(d).weekday() < 5)
    dialog.locator("select[name=date]").select_option(new_date)
    page.screenshot(path=str(ARTIFACTS / "plans-move-dialog.png"))
    dialog.locator("button:has-text('Move visit')").click()
    page.wait_for_url("**/board")
    assert "in a new draft, version 2" in page.locator(".flashes").inner_text()
    moved = page.locator(f"td[data-date='{new_date}'] a.visit.pinned", has_text=customer)
    assert moved.count() == 1
    crew_id = moved.locator("xpath=ancestor::td").get_attribute("data-crew")
    visit_page = moved.get_attribute("href")
    draft_url = page.url
    _shot(page, "board-after-move")

    # Re-plan around the pin in the background; the progress page polls until done.
    page.click("button:has-text('Re-plan around pins')")
    page.wait_for_url("**/plans/runs/*")
    assert page.locator("[role=progressbar]").count() == 1
    _shot(page, "run-running")
    page.locator("a:has-text('Open the new draft')").wait_for(timeout=60_000)
    _shot(page, "run-done")
    page.click("a:has-text('Open the new draft')")
    page.wait_for_url("**/board")
    assert page.url != draft_url
    assert page.locator("h1").inner_text().startswith("Version 3")
    assert (
        page.locator(f"td[data-date='{new_date}'] a.visit.pinned", has_text=customer).count() == 1
    )

    # Read the diff against the published plan and publish.
    page.click("a:has-text('Review & publish')")
    page.wait_for_url("**/diff")
    assert page.locator(".diff-table tbody tr", has_text=customer).count() >= 1
    _shot(page, "diff")
    page.click("button:has-text('Publish version 3')")
    page.wait_for_url("**/board")
    assert "customer notice" in page.locator(".flashes").inner_text()
    assert page.locator(".badge-published").count() == 1
    _shot(page, "published")

    # The map of the new day draws lines and numbered stops from the app's own plotly.js.
    page.goto(page.url.replace("/board", f"/map?day={new_date}"))
    page.locator("#route-map .scatterlayer .trace").first.wait_for()
    assert page.locator("#route-map .scatterlayer .lines path").count() >= 1
    assert page.locator("#route-map .scatterlayer .textpoint").count() >= 1
    _shot(page, "map")
    page.goto(page.url.split("?")[0])
    page.locator("#route-map .scatterlayer .trace").first.wait_for()
    assert page.locator("#route-map .legendtext").count() >= 3
    _shot(page, "map-week")

    # Without the dialog (no script) a card opens the visit's own page with the same forms.
    page.goto(visit_page)
    assert page.locator("form.move-form select[name=crew_id]").count() == 1
    _shot(page, "visit")

    # The crew of the moved visit sees it on its sheet of the new day.
    page.goto(f"/crews/{crew_id}/sheet/{new_date}")
    assert page.locator(".stop-row", has_text=customer).count() == 1
    _shot(page, "crew-sheet")

    page.goto("/plans")
    assert page.locator(".plans-table tbody tr").count() == 3
    _shot(page, "list-after")

    assert not errors, errors
    assert not blocked, f"pages asked for other hosts: {blocked}"
