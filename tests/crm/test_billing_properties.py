"""Hypothesis properties of billing: totals add up, balances balance, re-runs change nothing.

Each example builds its own in-memory SQLite database (a few milliseconds), so examples never
share state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

import crm.models  # noqa: F401
import scheduling.models  # noqa: F401
from crm.billing import Invoice, InvoiceStatus, PaymentMethod
from crm.db import Base, make_engine, make_session_factory
from crm.invoicing import credit_note, invoice_period, mark_sent
from crm.payments import ar_aging, balance, record_payment
from tests.crm.billing_helpers import complete, make_company

PROPERTY = settings(max_examples=25, deadline=None)

prices = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("999.99"), places=2)
rates = st.sampled_from([Decimal("0"), Decimal("0.0500"), Decimal("0.0725"), Decimal("0.2000")])
days = st.sets(st.integers(min_value=1, max_value=30), max_size=8)


@contextmanager
def fresh_session() -> Iterator[Session]:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


@PROPERTY
@given(price1=prices, price2=prices, rate=rates, days1=days, days2=days)
def test_lines_sum_to_invoice_totals(price1, price2, rate, days1, days2):
    """Subtotal, tax and total are exactly the sums of the rounded lines."""
    with fresh_session() as session:
        company = make_company(session)
        company.windows.price, company.pool.price = price1, price2
        company.windows.service_type.tax_rate = rate
        for d in days1:
            complete(session, company, company.windows, dt.date(2026, 11, d))
        for d in days2:
            complete(session, company, company.pool, dt.date(2026, 11, d))
        for invoice in invoice_period(session, "2026-11"):
            assert invoice.subtotal == sum(li.amount for li in invoice.lines)
            assert invoice.tax_total == sum(li.tax_amount for li in invoice.lines)
            assert invoice.total == sum(li.line_total for li in invoice.lines)
            for line in invoice.lines:
                assert line.amount + line.tax_amount == line.line_total
                assert line.line_total.as_tuple().exponent == -2


@PROPERTY
@example(price=Decimal("0.00"), days1={1}, payments=[], credit=False)  # owes nothing when sent
@given(
    price=prices,
    days1=days,
    payments=st.lists(
        st.tuples(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2),
                  st.booleans()),
        max_size=4,
    ),
    credit=st.booleans(),
)
def test_balance_is_invoiced_minus_credited_minus_paid(price, days1, payments, credit):
    """balance == invoiced - credited - paid, and the aging report sums to the balance."""
    with fresh_session() as session:
        company = make_company(session)
        company.windows.price = price
        for d in days1:
            complete(session, company, company.windows, dt.date(2026, 11, d))
        invoices = invoice_period(session, "2026-11")
        mark_sent(session, invoices)
        invoiced = sum((i.total for i in invoices), Decimal("0"))
        credited = Decimal("0")
        if credit and invoices:
            note = credit_note(session, invoices[0], issue_date=dt.date(2026, 12, 3), reason="p")
            credited = -note.total
        paid = Decimal("0")
        for amount, on_invoice in payments:
            target = invoices[0] if on_invoice and invoices else None
            record_payment(session, company.k1, amount, PaymentMethod.CARD,
                           dt.date(2026, 12, 4), invoice=target)
            paid += amount
        assert balance(session, company.k1) == invoiced - credited - paid
        rows = [r for r in ar_aging(session, dt.date(2027, 3, 1)).rows
                if r.customer_id == company.k1.id]
        assert sum((r.total for r in rows), Decimal("0")) == invoiced - credited - paid
        if invoices and invoiced - credited - paid <= 0:
            assert invoices[0].status is InvoiceStatus.PAID


@PROPERTY
@given(days1=days, days2=days, split=st.integers(min_value=1, max_value=30))
def test_rerun_batch_changes_nothing(days1, days2, split):
    """A second batch after more completions bills only those; a third bills nothing."""
    with fresh_session() as session:
        company = make_company(session)
        for d in days1:
            complete(session, company, company.windows, dt.date(2026, 11, d))
        early = {d for d in days2 if d <= split}
        for d in early:
            complete(session, company, company.pool, dt.date(2026, 11, d))
        first = invoice_period(session, "2026-11")
        for d in days2 - early:
            complete(session, company, company.pool, dt.date(2026, 11, d))
        second = invoice_period(session, "2026-11")
        before = [(i.number, i.total) for i in session.scalars(select(Invoice))]
        assert invoice_period(session, "2026-11") == []
        assert [(i.number, i.total) for i in session.scalars(select(Invoice))] == before
        billed = sum(len(i.lines) for i in first + second)
        assert billed == len(days1) + len(days2)
