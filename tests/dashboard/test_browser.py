"""The dashboard in a real headless Chromium: sign in, customers, crews.

Driven by Playwright for Python against Debian's ``chromium`` (fixtures in ``conftest.py``).
Screenshots of every page go to ``test-artifacts/`` for a person to look at. Skipped, with the
reason, where Chromium or Playwright is missing.
"""

from __future__ import annotations

import pytest

from dashboard.demo import DISPATCHER_EMAIL, DISPATCHER_PASSWORD
from tests.dashboard.browser import screenshot

pytestmark = pytest.mark.browser


def test_browser_sign_in_and_browse_the_company(demo_page) -> None:  # type: ignore[no-untyped-def]
    """A dispatcher signs in through the real form (with CSRF) and sees customers and crews."""
    page = demo_page
    page.goto("/customers")
    assert "/login" in page.url
    screenshot(page, "login")

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
    screenshot(page, "customers")

    page.goto("/crews")
    assert page.locator("table tbody tr").count() == 8
    screenshot(page, "crews")
