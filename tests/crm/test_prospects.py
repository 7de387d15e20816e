"""Prospects become customers by hand, or when an estimate of theirs is scheduled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.agreements import AgreementStatus
from crm.billing import Invoice, InvoiceStatus, VisitCompletion
from crm.customers import CustomerStatus
from crm.estimate_scheduling import SlotChoice, schedule_and_invoice, schedule_recurring
from crm.estimates import EstimateError, EstimateStatus
from crm.invoicing import invoice_period
from crm.notes import history
from crm.prospects import ConversionError, convert_to_customer, prospects
from tests.crm.billing_helpers import make_company
from tests.crm.crm_helpers import make_estimate, make_prospect

UTC = dt.UTC


def test_convert_prospect_by_hand_writes_history(session: Session) -> None:
    """The prospect becomes active and its history says who converted it."""
    prospect = make_prospect(session)
    assert prospects(session) == [prospect]
    convert_to_customer(session, prospect, author="office@example.com")
    assert prospect.status is CustomerStatus.ACTIVE
    (note,) = history(session, prospect.id)
    assert note.author == "office@example.com"
    assert note.body == "Converted from prospect to customer"
    assert prospects(session) == []


def test_convert_active_customer_is_refused(session: Session) -> None:
    """An active customer is not a prospect: nothing changes, nothing is written."""
    company = make_company(session)
    with pytest.raises(ConversionError, match="not a prospect"):
        convert_to_customer(session, company.k1)
    assert history(session, company.k1.id) == []


def test_schedule_recurring_creates_agreement_and_converts(session: Session) -> None:
    """A weekly line becomes agreement EST-<id>-1 at the quoted price; the prospect converts."""
    company = make_company(session)
    prospect = make_prospect(session)
    estimate = make_estimate(session, prospect, company.windows.service_type,
                             recurring_price=Decimal("52.50"))
    (agreement,) = schedule_recurring(session, estimate, start=dt.date(2026, 12, 1),
                                      author="office@example.com",
                                      choice=SlotChoice(crew_id=company.crew.id, days=(2,)))
    assert agreement.external_id == f"EST-{estimate.id}-1"
    assert agreement.price == Decimal("52.50")
    assert agreement.status is AgreementStatus.ACTIVE
    assert agreement.site is prospect.sites[0]
    assert (agreement.preferred_crew_id, agreement.day_patterns) == (company.crew.id, [[2]])
    assert agreement.duration_min == company.windows.service_type.default_duration_min
    assert estimate.status is EstimateStatus.SCHEDULED
    assert prospect.status is CustomerStatus.ACTIVE
    assert "scheduled as agreement(s) EST-" in history(session, prospect.id)[0].body
    with pytest.raises(EstimateError, match="scheduled"):
        schedule_recurring(session, estimate, start=dt.date(2026, 12, 1))


def test_declined_estimate_cannot_be_scheduled(session: Session) -> None:
    """Declined means declined: no agreement, the prospect stays a prospect."""
    company = make_company(session)
    prospect = make_prospect(session)
    estimate = make_estimate(session, prospect, company.windows.service_type)
    estimate.status = EstimateStatus.DECLINED
    with pytest.raises(EstimateError, match="declined"):
        schedule_recurring(session, estimate, start=dt.date(2026, 12, 1))
    assert prospect.status is CustomerStatus.PROSPECT


def test_schedule_and_invoice_one_off_in_one_step(session: Session) -> None:
    """One-off lines: an ended agreement, a completion and a draft invoice equal to the quote;
    the monthly batch then finds nothing left to bill."""
    company = make_company(session)
    prospect = make_prospect(session)
    windows = company.windows.service_type
    estimate = make_estimate(session, prospect, windows, one_off=windows)
    start = dt.datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    result = schedule_and_invoice(session, estimate, crew=company.crew, started_at=start,
                                  ended_at=start + dt.timedelta(hours=2))
    (agreement,) = result.agreements
    assert agreement.external_id == f"EST-{estimate.id}-2"
    assert agreement.status is AgreementStatus.ENDED and agreement.end_date == start.date()
    invoice = result.invoice
    one_off = estimate.one_off_lines[0].amounts
    # 2 x 45.00 = 90.00 net, tax 7.5 % = 6.75, total 96.75
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        one_off.amount, one_off.tax, one_off.total) == (
        Decimal("90.00"), Decimal("6.75"), Decimal("96.75"))
    assert invoice.status is InvoiceStatus.DRAFT and invoice.period == "2026-11"
    assert prospect.status is CustomerStatus.ACTIVE
    assert estimate.status is EstimateStatus.ACCEPTED, "the weekly line is not scheduled yet"
    assert session.scalar(select(VisitCompletion).where(
        VisitCompletion.agreement_id == agreement.id)).invoiced
    batch = invoice_period(session, "2026-11")
    assert all(line.completion.agreement_id != agreement.id
               for inv in batch for line in inv.lines)
    assert len(session.scalars(select(Invoice)).all()) == 1 + len(batch)
    schedule_recurring(session, estimate, start=dt.date(2026, 12, 1))
    assert estimate.status is EstimateStatus.SCHEDULED
