"""CRM, estimate and billing pages: role checks on every route, and each form end to end."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.agreements import Agreement
from crm.billing import Invoice, InvoiceStatus, Payment
from crm.customers import Customer, CustomerStatus, Site
from crm.estimates import Estimate, EstimateStatus
from crm.notes import CustomerNote
from crm.reminders import ReminderRule
from dashboard import create_app
from dashboard.config import TestConfig
from dashboard.db import get_database
from tests.dashboard.conftest import PASSWORD

Client = Callable[[str], FlaskClient]

GET_ROUTES = (
    "/customers/1", "/prospects", "/customers/duplicates", "/customers/merge?keep=1&remove=2",
    "/estimates", "/estimates/new", "/estimates/1", "/invoices", "/invoices/1", "/payments/new",
    "/aging", "/completions", "/reminders",
)
POST_ROUTES = (
    "/customers/1/notes", "/customers/1/tags", "/customers/1/convert", "/customers/merge",
    "/estimates/new", "/estimates/1/lines", "/estimates/1/lines/1/delete", "/estimates/1/status",
    "/estimates/1/schedule", "/estimates/1/schedule-invoice", "/invoices/1/send",
    "/payments/new", "/completions", "/completions/import", "/reminders/rules/1",
)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _customer(session: Session, name: str) -> Customer:
    return session.scalars(select(Customer).where(Customer.name == name)).one()


# --- roles -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", GET_ROUTES + POST_ROUTES)
def test_anonymous_is_sent_to_sign_in(client: FlaskClient, users: dict[str, str],
                                      path: str) -> None:
    """Every new page and form redirects an anonymous visitor to the sign-in page."""
    method = client.post if path in POST_ROUTES and path not in GET_ROUTES else client.get
    response = method(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", GET_ROUTES + POST_ROUTES)
def test_crew_is_forbidden(signed_in: Client, path: str) -> None:
    """A crew account gets 403 on every office page and form."""
    client = signed_in("crew")
    method = client.post if path in POST_ROUTES and path not in GET_ROUTES else client.get
    assert method(path).status_code == 403


def test_only_the_owner_edits_reminder_rules(signed_in: Client, session: Session) -> None:
    """A dispatcher sees the rules but cannot change them; the owner can."""
    client = signed_in("dispatcher")
    page = client.get("/reminders").get_data(as_text=True)
    assert "the owner edits rules" in page
    rule = session.scalars(select(ReminderRule).order_by(ReminderRule.id)).first()
    assert client.post(f"/reminders/rules/{rule.id}", data={"days": "10"}).status_code == 403
    client.post("/logout")
    owner = signed_in("owner")
    owner.post(f"/reminders/rules/{rule.id}", data={"days": "60", "active": "1"})
    session.refresh(rule)
    assert (rule.days, rule.active) == (60, True)
    owner.post(f"/reminders/rules/{rule.id}", data={"days": "60"})
    session.refresh(rule)
    assert rule.active is False


# --- customers ---------------------------------------------------------------------------


def test_customer_page_history_tags_and_clv(signed_in: Client, session: Session) -> None:
    """A note and tags posted on the page show up; balance and lifetime value are shown."""
    client = signed_in("dispatcher")
    bayview = _customer(session, "Bayview Dental")
    client.post(f"/customers/{bayview.id}/notes", data={"kind": "call", "body": "Asked for Fri"})
    client.post(f"/customers/{bayview.id}/tags", data={"tags": "Commercial; dental, dental"})
    page = _text(client.get(f"/customers/{bayview.id}").get_data(as_text=True))
    assert "call" in page and "Asked for Fri" in page and "dispatcher@example.com" in page
    session.refresh(bayview)
    assert bayview.tags == ["commercial", "dental"]
    assert "Balance $0.00" in page and "Lifetime value" in page
    # 150.00 every 2 weeks (26/year) + 45.00 weekly (52/year) = 3,900 + 2,340
    assert "Next 12 months $6,240.00" in page


@pytest.mark.parametrize(("query", "found", "absent"), [
    ("8135550102", "Bayview Dental", "Alice Anders"),   # phone digits
    ("Palm Ave", "Alice Anders", "Bayview Dental"),     # site address
    ("commercial", "Bayview Dental", "Alice Anders"),   # tag
    ("alice@", "Alice Anders", "Bayview Dental"),       # e-mail
])
def test_customer_search_box(signed_in: Client, query: str, found: str, absent: str) -> None:
    """The list's search box finds customers by phone, address, tag and e-mail."""
    page = signed_in("dispatcher").get(f"/customers?q={query}").get_data(as_text=True)
    assert found in page and absent not in page


def test_prospects_list_and_convert(signed_in: Client, session: Session) -> None:
    """Carlos is listed as a prospect; Convert makes him active with a history entry."""
    client = signed_in("dispatcher")
    assert "Carlos Cruz" in client.get("/prospects").get_data(as_text=True)
    carlos = _customer(session, "Carlos Cruz")
    response = client.post(f"/customers/{carlos.id}/convert", data={"next": "prospects"})
    assert response.headers["Location"].endswith("/prospects")
    session.refresh(carlos)
    assert carlos.status is CustomerStatus.ACTIVE
    assert "No prospects" in client.get("/prospects").get_data(as_text=True)
    assert session.scalar(select(CustomerNote.body).where(CustomerNote.customer_id == carlos.id)
                          ) == "Converted from prospect to customer"


def test_duplicates_confirm_then_merge(signed_in: Client, session: Session) -> None:
    """A copy of Bayview shows as a duplicate; the confirm page lists what moves; merging
    moves its site and leaves it inactive."""
    copy = Customer(external_id="CU9", name="Bayview Dental LLC", phone="(813) 555-0102")
    Site(external_id="S9", customer=copy, address="200 Bay Street, Tampa, FL 33606")
    session.add(copy)
    session.commit()
    client = signed_in("dispatcher")
    page = _text(client.get("/customers/duplicates").get_data(as_text=True))
    assert "Bayview Dental" in page and "same phone 8135550102" in page
    keep = _customer(session, "Bayview Dental")
    confirm = _text(client.get(f"/customers/merge?keep={keep.id}&remove={copy.id}")
                    .get_data(as_text=True))
    assert "Merge Bayview Dental LLC into Bayview Dental" in confirm and "1 site(s)" in confirm
    response = client.post("/customers/merge", data={"keep": keep.id, "remove": copy.id})
    assert response.headers["Location"].endswith(f"/customers/{keep.id}")
    session.expire_all()
    assert {s.external_id for s in keep.sites} == {"S2", "S3", "S9"}
    assert copy.status is CustomerStatus.INACTIVE and copy.notes.startswith("merged into")


# --- estimates ---------------------------------------------------------------------------


def _new_estimate(client: FlaskClient, session: Session) -> Estimate:
    carlos = _customer(session, "Carlos Cruz")
    response = client.post("/estimates/new", data={
        "customer_id": carlos.id, "site_id": "new", "address": "5 Hyde Park Ave, Tampa",
        "lat": "27.9380", "lon": "-82.4740"})
    assert response.status_code == 302
    return session.scalars(select(Estimate).where(Estimate.customer_id == carlos.id)).one()


def _service_id(session: Session, code: str) -> int:
    from crm.services import ServiceType
    return session.scalars(select(ServiceType.id).where(ServiceType.code == code)).one()


def test_estimate_lines_totals_and_quote_panel(signed_in: Client, session: Session) -> None:
    """Two lines from the catalog: totals by the invoice rule; the quote panel is there
    (slots, or a note saying why not) and the page never fails because of it."""
    client = signed_in("dispatcher")
    estimate = _new_estimate(client, session)
    client.post(f"/estimates/{estimate.id}/lines", data={
        "service_id": _service_id(session, "lawn_mow"), "frequency": "week:1",
        "visits_per_period": "1", "quantity": "1", "unit_price": "47.50"})
    client.post(f"/estimates/{estimate.id}/lines", data={
        "service_id": _service_id(session, "hedge_trim"), "frequency": "", "quantity": "1"})
    page = _text(client.get(f"/estimates/{estimate.id}").get_data(as_text=True))
    # 47.50 + 3.56 (7.5 % of 47.50 = 3.5625) and 70.00 + 5.25: 117.50 net, 8.81 tax, 126.31
    assert "Totals (recurring lines: one visit each) 117.50 8.81 126.31" in page
    assert "Route-aware quote" in page
    assert ("Extra drive / week" in page) or ("not available" in page) or ("could not" in page)
    assert "Schedule and invoice" in page


def test_schedule_and_invoice_from_the_page(signed_in: Client, session: Session) -> None:
    """Schedule makes the agreement and converts Carlos; Schedule and invoice bills the
    one-off line and lands on the invoice."""
    client = signed_in("dispatcher")
    estimate = _new_estimate(client, session)
    for frequency, code in (("week:2", "lawn_mow"), ("", "hedge_trim")):
        client.post(f"/estimates/{estimate.id}/lines", data={
            "service_id": _service_id(session, code), "frequency": frequency})
    client.post(f"/estimates/{estimate.id}/status", data={"status": "accepted"})
    client.post(f"/estimates/{estimate.id}/schedule", data={"start": "2026-12-01"})
    agreement = session.scalars(select(Agreement).where(
        Agreement.external_id == f"EST-{estimate.id}-1")).one()
    assert (agreement.frequency_interval, agreement.price) == (2, Decimal("45.00"))
    crew_id = session.scalar(select(func.min(Agreement.current_crew_id)))
    response = client.post(f"/estimates/{estimate.id}/schedule-invoice", data={
        "crew_id": crew_id, "date": "2026-11-20", "start": "09:00", "end": "10:15"})
    invoice = session.scalars(select(Invoice)).one()
    assert response.headers["Location"].endswith(f"/invoices/{invoice.id}")
    assert invoice.total == Decimal("75.25")  # 70.00 + 5.25 tax
    session.expire_all()
    assert estimate.status is EstimateStatus.SCHEDULED
    assert _customer(session, "Carlos Cruz").status is CustomerStatus.ACTIVE
    page = _text(client.get(f"/invoices/{invoice.id}").get_data(as_text=True))
    assert f"Invoice {invoice.number}" in page and "Total $75.25" in page
    assert "print.css" in client.get(f"/invoices/{invoice.id}").get_data(as_text=True)


def test_bad_line_is_flashed_not_saved(signed_in: Client, session: Session) -> None:
    """A price with a fraction of a cent is refused with a message."""
    client = signed_in("dispatcher")
    estimate = _new_estimate(client, session)
    response = client.post(f"/estimates/{estimate.id}/lines", data={
        "service_id": _service_id(session, "lawn_mow"), "unit_price": "1.005"},
        follow_redirects=True)
    assert "1.005" in response.get_data(as_text=True)
    session.refresh(estimate)
    assert estimate.lines == []


# --- billing -----------------------------------------------------------------------------


def test_payment_invoice_status_and_aging(signed_in: Client, session: Session) -> None:
    """A one-off job's invoice, sent, then paid in part: aging shows the rest, then paid."""
    client = signed_in("dispatcher")
    estimate = _new_estimate(client, session)
    client.post(f"/estimates/{estimate.id}/lines", data={
        "service_id": _service_id(session, "hedge_trim"), "frequency": ""})
    crew_id = session.scalar(select(func.min(Agreement.current_crew_id)))
    client.post(f"/estimates/{estimate.id}/schedule-invoice", data={
        "crew_id": crew_id, "date": "2026-11-02", "start": "09:00", "end": "10:00"})
    invoice = session.scalars(select(Invoice)).one()
    client.post(f"/invoices/{invoice.id}/send")
    carlos = _customer(session, "Carlos Cruz")
    client.post("/payments/new", data={"customer_id": carlos.id, "invoice_id": invoice.id,
                                       "amount": "50.00", "method": "check",
                                       "date": "2026-11-20"})
    aging = _text(client.get("/aging?as_of=2026-12-15").get_data(as_text=True))
    assert "Carlos Cruz" in aging and "25.25" in aging  # 75.25 - 50.00, 13 days late
    client.post("/payments/new", data={"customer_id": carlos.id, "amount": "25.25",
                                       "method": "cash", "date": "2026-12-16"})
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID
    assert session.scalar(select(func.count(Payment.id))) == 2
    listing = _text(client.get("/invoices?status=paid").get_data(as_text=True))
    assert invoice.number in listing


def test_completions_page_and_csv_upload(signed_in: Client, session: Session) -> None:
    """Without a published plan the page says so; a crew sheet upload records visits, and a
    bad sheet records nothing."""
    client = signed_in("dispatcher")
    page = client.get("/completions?date=2026-11-03").get_data(as_text=True)
    assert "No published plan covers 2026-11-03" in page
    header = "agreement_id,date,crew_id,start,end,planned_visit_id,note\n"
    good = header + "A1,2026-11-03,C1,08:00,09:30,,\n"
    bad = good + "A9,2026-11-03,C1,08:00,09:30,,\n"
    response = client.post("/completions/import", data={
        "file": (io.BytesIO(bad.encode()), "sheet.csv")}, follow_redirects=True)
    assert "nothing imported" in response.get_data(as_text=True)
    response = client.post("/completions/import", data={
        "file": (io.BytesIO(good.encode()), "sheet.csv")}, follow_redirects=True)
    assert "sheet.csv: 1 row(s); 1 were created" in _text(response.get_data(as_text=True))


def test_mark_planned_visit_done(signed_in: Client, session: Session) -> None:
    """A visit of the published plan is marked done with its actual times (company clock)."""
    from scheduling.models import Plan, PlannedVisit, PlanStatus

    agreement = session.scalars(select(Agreement).where(Agreement.external_id == "A1")).one()
    plan = Plan(week_start=dt.date(2026, 11, 2), version=1, status=PlanStatus.PUBLISHED)
    visit = PlannedVisit(plan=plan, agreement=agreement, date=dt.date(2026, 11, 3),
                         crew_id=agreement.current_crew_id, sequence=1, arrival_s=8 * 3600,
                         start_s=8 * 3600, end_s=9 * 3600 + 1800)
    session.add_all([plan, visit])
    session.commit()
    client = signed_in("dispatcher")
    page = _text(client.get("/completions?date=2026-11-03").get_data(as_text=True))
    assert "101 Palm Ave, Tampa, FL 33602" in page and "08:00" in page
    client.post("/completions", data={"planned_visit_id": visit.id, "start": "08:10",
                                      "end": "09:35"})
    page = _text(client.get("/completions?date=2026-11-03").get_data(as_text=True))
    assert "✓ 08:10–09:35" in page
    again = client.post("/completions", data={"planned_visit_id": visit.id, "start": "08:10",
                                              "end": "09:35"}, follow_redirects=True)
    assert "already has a completed visit" in again.get_data(as_text=True)


def test_reminders_page_lists_rules_and_reminders(signed_in: Client) -> None:
    """The page creates the default rules and lists what fires today."""
    page = _text(signed_in("owner").get("/reminders").get_data(as_text=True))
    assert "No visit in N days" in page and "Season starts within N days" in page


# --- CSRF --------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(database_url: str, users: dict[str, str]) -> Iterator[Flask]:
    config = TestConfig(database_url)
    config.WTF_CSRF_ENABLED = True
    app = create_app(config)
    yield app
    get_database(app).engine.dispose()


def test_forms_need_the_csrf_token(csrf_app: Flask, users: dict[str, str],
                                   session: Session) -> None:
    """With CSRF on (production), a note without the page's token is refused; with it, saved."""
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": users["dispatcher"], "password": PASSWORD,
                                "csrf_token": token})
    alice = _customer(session, "Alice Anders")
    assert client.post(f"/customers/{alice.id}/notes", data={"body": "x"}).status_code == 400
    page = client.get(f"/customers/{alice.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/customers/{alice.id}/notes",
                           data={"body": "Gate code changed", "csrf_token": token})
    assert response.status_code == 302
    assert session.scalar(select(CustomerNote.body)) == "Gate code changed"


def test_dates_are_company_dates() -> None:
    """Guard: the tests above use fixed dates, never today's (deterministic)."""
    assert dt.date(2026, 11, 20).isoformat() == "2026-11-20"
