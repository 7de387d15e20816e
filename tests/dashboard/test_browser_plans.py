"""The dispatcher's week in a real headless Chromium: board, move, re-plan, diff, publish, map.

The served app has a published week of a small slice of the sample company. Every request
to a host other than the app is aborted and recorded, so the pages are shown to work without
internet (the map draws its routes from the vendored plotly.js with no tiles). Screenshots
of every page go to ``test-artifacts/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from dashboard.demo import DISPATCHER_EMAIL, DISPATCHER_PASSWORD
from optimizer import SolveParams
from scheduling.planning import plan_week
from scheduling.plans import publish
from tests.dashboard.browser import screenshot, sign_in

pytestmark = pytest.mark.browser

WEEK = dt.date(2026, 11, 30)
#: Agreements kept active: enough for a board that looks like a working week, quick to plan.
AGREEMENTS = 120


@pytest.fixture
def offline_page(
    open_page: Callable[..., Any],
    sample_company: Callable[..., Any],
    serve_app: Callable[..., str],
) -> tuple[Any, int, list[str]]:
    """The app (CSRF on) with a published week 49 of a slice of the sample company, in a
    browser page that may only talk to the app: (page, plan id, blocked URLs)."""
    factory = sample_company(active=AGREEMENTS)
    plan_id = plan_week(
        factory, WEEK, SolveParams(time_limit_s=None, solution_limit=10), created_by="nightly"
    )
    with factory.begin() as session:
        publish(session, plan_id)
    base = serve_app(SOLVER_TIME_LIMIT_S=2)
    app_host = urlsplit(base).netloc
    blocked: list[str] = []

    def only_the_app(route) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(route.request.url).netloc == app_host:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page = open_page(base, width=1440, height=900)
    page.context.route("**/*", only_the_app)
    page.set_default_timeout(15_000)
    return page, plan_id, blocked


def _shot(page, name: str, full_page: bool = True) -> None:  # type: ignore[no-untyped-def]
    screenshot(page, f"plans-{name}", full_page)


def test_browser_dispatcher_adjusts_replans_and_publishes_the_week(offline_page) -> None:  # type: ignore[no-untyped-def]
    """Sign in, move a visit on the board, re-plan with progress, read the diff, publish."""
    page, published_id, blocked = offline_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, DISPATCHER_EMAIL, DISPATCHER_PASSWORD)
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
    _shot(page, "move-dialog", full_page=False)
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
    # The street map fetches the full plotly bundle on demand and redraws as scattermap
    # (its tiles and fonts are blocked here, which the map library reports as "Map error.";
    # any other script error still fails the test).
    before, asked_before = len(errors), len(blocked)
    page.check("#street-tiles")
    page.wait_for_function("document.getElementById('route-map').dataset.view === 'street'")
    assert page.evaluate("typeof Plotly.PlotSchema.get().traces.scattermap") == "object"
    page.uncheck("#street-tiles")
    page.wait_for_function("document.getElementById('route-map').dataset.view === 'plain'")
    page.locator("#route-map .scatterlayer .trace").first.wait_for()
    errors[before:] = [e for e in errors[before:] if e != "Map error."]
    street = blocked[asked_before:]
    assert any(url.startswith("https://tile.openstreetmap.org/") for url in street), street
    blocked[asked_before:] = [
        u for u in street if not u.startswith(("https://tile.openstreetmap.org/",
                                                "https://fonts.openmaptiles.org/"))
    ]

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
