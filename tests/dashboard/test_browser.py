"""The dashboard in a real headless Chromium: sign in, customers, crews.

Driven by Playwright for Python against Debian's ``chromium`` (Playwright's own browser
download is not used). Screenshots of every page go to ``test-artifacts/`` for a person to
look at. Skipped, with the reason, where Chromium or Playwright is missing.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from crm.db import make_engine, make_session_factory
from dashboard import create_app
from dashboard.config import TestConfig
from dashboard.db import get_database
from dashboard.demo import DISPATCHER_EMAIL, DISPATCHER_PASSWORD, load_demo

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live_server(database_url: str) -> Iterator[str]:
    """The app with the sample company and CSRF on, served on 127.0.0.1 in a thread."""
    engine = make_engine(database_url)
    with make_session_factory(engine).begin() as session:
        load_demo(session)
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
    get_database(app).engine.dispose()  # close pooled connections before the database goes


@pytest.fixture
def page(live_server: str):  # type: ignore[no-untyped-def]
    """A fresh browser page; the test is skipped without Chromium or Playwright."""
    if CHROMIUM is None:
        pytest.skip("chromium not installed: browser tests skipped (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 860})
        yield context.new_page()
        context.close()
        browser.close()


def test_browser_sign_in_and_browse_the_company(page) -> None:  # type: ignore[no-untyped-def]
    """A dispatcher signs in through the real form (with CSRF) and sees customers and crews."""
    page.goto("/customers")
    assert "/login" in page.url
    page.screenshot(path=str(ARTIFACTS / "login.png"), full_page=True)

    page.fill("#email", DISPATCHER_EMAIL)
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert "/login" in page.url
    assert page.locator(".field-error, .flash").count() >= 1

    page.fill("#email", DISPATCHER_EMAIL)
    page.fill("#password", DISPATCHER_PASSWORD)
    page.click("button[type=submit]")
    page.goto("/customers")
    assert page.locator("text=Alan Hamilton").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "customers.png"), full_page=True)

    page.goto("/crews")
    assert page.locator("table tbody tr").count() == 8
    page.screenshot(path=str(ARTIFACTS / "crews.png"), full_page=True)
