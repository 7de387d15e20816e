"""The CRM in a real headless Chromium: a prospect gets an estimate, the route-aware quote
panel prices the slots, and scheduling on a slot makes the prospect a customer.

Screenshots of every page go to ``test-artifacts/crm-*.png`` for a person to look at.
Skipped, with the reason, where Chromium or Playwright is missing.
"""

from __future__ import annotations

import pytest

from dashboard.demo import DISPATCHER_EMAIL, DISPATCHER_PASSWORD
from tests.dashboard.browser import screenshot, sign_in

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    screenshot(page, f"crm-{name}")


def test_browser_prospect_estimate_quote_schedule(demo_page) -> None:  # type: ignore[no-untyped-def]
    """Prospect -> estimate with a weekly lawn line -> quote panel -> schedule on the best slot."""
    page = demo_page
    sign_in(page, DISPATCHER_EMAIL, DISPATCHER_PASSWORD)

    page.goto("/prospects")
    assert page.locator("text=Janice Jimenez").count() == 1
    _shot(page, "prospects")
    row = page.locator("tr", has_text="Janice Jimenez")
    row.locator("a", has_text="Estimate").click()
    page.wait_for_load_state()
    assert "/estimates/new" in page.url
    _shot(page, "estimate-new")
    page.click("button:has-text('Create estimate')")
    page.wait_for_load_state()
    assert page.locator(".flash-success").count() == 1

    page.select_option("select[name=service_id]", label="Lawn mowing — 45.00, 40 min")
    page.select_option("select[name=frequency]", value="week:1")
    page.fill("input[name=unit_price]", "52.00")
    page.click("button:has-text('Add line')")
    page.wait_for_load_state()
    assert page.locator("tfoot", has_text="55.90").count() == 1  # 52.00 + 3.90 tax
    quote = page.locator("#quote")
    assert quote.locator("h2", has_text="Route-aware quote").count() == 1
    _shot(page, "estimate-quote")

    slots = quote.locator("tbody tr")
    if slots.count():
        assert quote.locator("text=min").count() >= 1
        slots.first.locator("button", has_text="Schedule here").click()
        page.wait_for_load_state()
    else:  # the quote module is missing or found no slot: schedule without one
        page.click("#schedule button[type=submit]")
        page.wait_for_load_state()
    assert page.locator(".flash-success", has_text="Scheduled from").count() == 1
    assert page.locator("text=scheduled as").count() == 1
    _shot(page, "estimate-scheduled")

    page.click("a:has-text('Janice Jimenez')")

    page.wait_for_load_state()
    assert page.locator("h1 .badge-active").count() == 1
    assert page.locator(".timeline", has_text="Converted from prospect to customer").count() == 1
    _shot(page, "customer")

    # A one-off job for another prospect: schedule and invoice in one step, then pay part.
    page.goto("/prospects")
    page.locator("tr", has_text="James Evans").locator("a", has_text="Estimate").click()
    page.wait_for_load_state()
    page.click("button:has-text('Create estimate')")
    page.wait_for_load_state()
    page.select_option("select[name=service_id]", label="Gutter cleaning — 95.00, 60 min")
    page.select_option("select[name=frequency]", value="")
    page.click("button:has-text('Add line')")
    page.wait_for_load_state()
    page.fill("#schedule-invoice input[name=date]", "2026-11-02")
    page.click("#schedule-invoice button[type=submit]")
    page.wait_for_load_state()
    assert "/invoices/" in page.url
    assert page.locator("tr.grand", has_text="102.13").count() == 1  # 95.00 + 7.13 tax
    _shot(page, "invoice")
    page.click("button:has-text('Mark sent')")
    page.wait_for_load_state()
    page.click("a:has-text('Record payment')")
    page.fill("input[name=amount]", "50.00")
    page.click("button:has-text('Record payment')")
    page.wait_for_load_state()
    assert page.locator(".flash-success", has_text="Payment of 50.00").count() == 1
    page.goto("/aging?as_of=2026-12-20")
    row = page.locator("tr", has_text="James Evans")
    assert row.locator("text=52.13").count() == 2  # its bucket (1-30 days late) and balance
    _shot(page, "aging")

    for path, name in (("/customers?q=lead", "customers"), ("/estimates", "estimates"),
                       ("/customers/duplicates", "duplicates"), ("/invoices", "invoices"),
                       ("/reminders", "reminders"), ("/completions", "completions"),
                       ("/payments/new", "payment")):
        page.goto(path)
        assert page.locator("main h1").count() == 1, path
        _shot(page, name)
