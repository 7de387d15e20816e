"""Estimates: Decimal totals by the invoice rule, numbering, status changes, frozen lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

import crm.models  # noqa: F401
import scheduling.models  # noqa: F401
from crm.agreements import FrequencyUnit
from crm.db import Base, make_engine, make_session_factory
from crm.estimates import (
    EstimateError,
    EstimateStatus,
    add_line,
    line_amounts,
    new_estimate,
    remove_line,
    set_status,
)
from crm.services import ServiceType
from tests.crm.billing_helpers import make_company
from tests.crm.crm_helpers import TODAY, make_estimate, make_prospect


def test_line_amounts_round_half_up_like_invoices() -> None:
    """3 x 14.45 = 43.35, tax 7.5 % = 3.25125 -> 3.25; 45.00 at 7.5 % = 3.375 -> 3.38 (half
    up); 0.5 x 0.05 = 0.025 -> 0.03 (banker's rounding would give 0.02)."""
    assert line_amounts(Decimal("3"), Decimal("14.45"), Decimal("0.0750")).tax == Decimal("3.25")
    a = line_amounts(Decimal("1"), Decimal("45.00"), Decimal("0.0750"))
    assert (a.amount, a.tax, a.total) == (Decimal("45.00"), Decimal("3.38"), Decimal("48.38"))
    b = line_amounts(Decimal("0.5"), Decimal("0.05"), Decimal("0"))  # 0.025 -> 0.03
    assert b.amount == Decimal("0.03")


def test_estimate_totals_are_sums_of_rounded_lines(session: Session) -> None:
    """Two lines of 48.38 and one of 96.75: total 193.51 = 45 + 45 + 90 net, 3.38 + 3.38 + 6.75."""
    company = make_company(session)
    windows = company.windows.service_type
    estimate = make_estimate(session, company.k1, windows, one_off=windows)
    add_line(session, estimate, windows, frequency_unit=FrequencyUnit.MONTH)
    totals = estimate.totals
    assert (totals.subtotal, totals.tax, totals.total) == (
        Decimal("180.00"), Decimal("13.51"), Decimal("193.51"))
    assert [line.frequency_label for line in estimate.lines] == ["weekly", "one-off", "monthly"]
    assert estimate.number == "Q2026-0001"


def test_numbers_follow_on_per_year(session: Session) -> None:
    """Each new estimate takes the next number of its year; a new year starts at 1."""
    company = make_company(session)
    numbers = [
        new_estimate(session, customer_id=company.k1.id, site_id=None, created_by="x",
                     today=day).number
        for day in (TODAY, TODAY, dt.date(2027, 1, 2))
    ]
    assert numbers == ["Q2026-0001", "Q2026-0002", "Q2027-0001"]


def test_status_changes_follow_the_allowed_transitions(session: Session) -> None:
    """Draft -> sent -> accepted is allowed; accepted -> draft is not; accepted lines are fixed."""
    company = make_company(session)
    estimate = make_estimate(session, make_prospect(session), company.windows.service_type)
    set_status(session, estimate, EstimateStatus.SENT)
    set_status(session, estimate, EstimateStatus.ACCEPTED)
    with pytest.raises(EstimateError, match="cannot become draft"):
        set_status(session, estimate, EstimateStatus.DRAFT)
    with pytest.raises(EstimateError, match="lines are fixed"):
        add_line(session, estimate, company.windows.service_type)
    with pytest.raises(EstimateError, match="lines are fixed"):
        remove_line(session, estimate, estimate.lines[0])


def test_add_line_rejects_fractions_of_cents(session: Session) -> None:
    """A price of 10.005 is refused with the value in the message."""
    company = make_company(session)
    estimate = make_estimate(session, company.k1, company.windows.service_type)
    with pytest.raises(EstimateError, match="10.005"):
        add_line(session, estimate, company.windows.service_type, unit_price=Decimal("10.005"))


def test_tax_rate_is_the_services(session: Session) -> None:
    """The line copies the service's tax rate, the rate the invoice will use."""
    company = make_company(session)
    estimate = make_estimate(session, company.k1, company.pool.service_type)
    assert estimate.lines[0].tax_rate == company.pool.service_type.tax_rate == Decimal("0")


# --- property ----------------------------------------------------------------------------


@contextmanager
def fresh_session() -> Iterator[Session]:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


prices = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("9999.99"), places=2)
quantities = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99.99"), places=2)
rates = st.sampled_from([Decimal("0"), Decimal("0.0500"), Decimal("0.0725"), Decimal("0.0750")])
lines = st.lists(st.tuples(quantities, prices, rates, st.booleans()), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None)
@given(items=lines)
def test_lines_sum_to_estimate_total(items: list[tuple[Decimal, Decimal, Decimal, bool]]) -> None:
    """Subtotal + tax = total, each the exact sum of the lines' cents, whatever the lines."""
    with fresh_session() as session:
        company = make_company(session)
        estimate = make_estimate(session, company.k1, company.pool.service_type)
        remove_line(session, estimate, estimate.lines[0])
        for i, (quantity, price, rate, recurring) in enumerate(items):
            service = ServiceType(code=f"s{i}", name=f"S{i}", category="x",
                                  default_duration_min=30, default_price=price, tax_rate=rate)
            add_line(session, estimate, service, quantity=quantity,
                     frequency_unit=FrequencyUnit.WEEK if recurring else None)
        session.commit()
        session.expire_all()  # read back from the database: Numeric keeps every cent
        totals = estimate.totals
        assert totals.subtotal == sum(line.amounts.amount for line in estimate.lines)
        assert totals.tax == sum(line.amounts.tax for line in estimate.lines)
        assert totals.total == totals.subtotal + totals.tax
        for line in estimate.lines:
            assert line.amounts.amount == (line.quantity * line.unit_price).quantize(
                Decimal("0.01"), rounding="ROUND_HALF_UP")
