"""Payments, open amounts, customer balances, invoice statuses and the receivables aging.

One allocation rule is used everywhere, so that the balance, the statuses and the aging
report always agree: credit notes and payments that name an invoice reduce that invoice;
payments on account (no invoice) then pay the oldest open invoices first (by due date).
What is left over is the customer's credit.

Public API::

    record_payment(session, customer, amount, method, date, invoice=None, reference=None)
    open_amounts(session, customer_id) -> dict[invoice_id, Decimal]
    balance(session, customer) -> Decimal
    update_statuses(session, as_of) -> int
    ar_aging(session, as_of) -> AgingReport
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.billing import Invoice, InvoiceKind, InvoiceStatus, Payment, PaymentMethod
from crm.customers import Customer

ZERO = Decimal("0.00")
BUCKETS: tuple[str, ...] = ("current", "1-30", "31-60", "61-90", "over 90")
"""Aging buckets by days past the due date; "current" is not yet due (or due today)."""


def record_payment(
    session: Session,
    customer: Customer,
    amount: Decimal,
    method: PaymentMethod,
    date: dt.date,
    *,
    invoice: Invoice | None = None,
    reference: str | None = None,
) -> Payment:
    """Record money received, in full or in part, then refresh the customer's statuses.

    Raises
    ------
    ValueError
        For a non-positive amount, or an invoice of another customer or a credit note.
    """
    if not isinstance(amount, Decimal) or amount <= 0:
        raise ValueError(f"amount must be a positive Decimal, got {amount!r}")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"amount {amount} has more than two decimals")
    if invoice is not None:
        if invoice.customer_id != customer.id:
            raise ValueError(f"invoice {invoice.number} belongs to another customer")
        if invoice.kind is not InvoiceKind.INVOICE or invoice.status is InvoiceStatus.VOID:
            raise ValueError(f"{invoice.number} is not an open invoice")
    payment = Payment(
        customer_id=customer.id,
        invoice=invoice,
        amount=amount,
        method=method,
        date=date,
        reference=reference,
    )
    session.add(payment)
    session.flush()
    update_customer_statuses(session, customer.id, date)
    return payment


def _invoices(session: Session, customer_id: int | None = None) -> list[Invoice]:
    """Receivable documents (not void) of one customer or all, oldest due first."""
    stmt = select(Invoice).where(Invoice.status != InvoiceStatus.VOID)
    if customer_id is not None:
        stmt = stmt.where(Invoice.customer_id == customer_id)
    return list(session.scalars(stmt.order_by(Invoice.due_date, Invoice.id)))


def _allocate(
    invoices: list[Invoice], payments: list[Payment]
) -> tuple[dict[int, Decimal], Decimal]:
    """Open amount per invoice (id) and the unapplied credit, by the module's one rule."""
    open_: dict[int, Decimal] = {}
    unapplied = ZERO
    for doc in invoices:
        if doc.kind is InvoiceKind.INVOICE:
            open_[doc.id] = open_.get(doc.id, ZERO) + doc.total
    for doc in invoices:
        if doc.kind is InvoiceKind.CREDIT_NOTE:
            target = doc.credits_invoice_id
            if target in open_:
                open_[target] += doc.total
            else:
                unapplied -= doc.total
    for payment in payments:
        if payment.invoice_id in open_:
            open_[payment.invoice_id] -= payment.amount
        else:
            unapplied += payment.amount
    # Over-credited or over-paid invoices pass their surplus on; then the oldest are paid.
    for invoice_id, amount in open_.items():
        if amount < 0:
            unapplied -= amount
            open_[invoice_id] = ZERO
    for invoice_id, amount in open_.items():
        applied = min(amount, unapplied)
        if applied > 0:
            open_[invoice_id] = amount - applied
            unapplied -= applied
    return open_, unapplied


def _payments(session: Session, customer_id: int | None = None) -> list[Payment]:
    stmt = select(Payment)
    if customer_id is not None:
        stmt = stmt.where(Payment.customer_id == customer_id)
    return list(session.scalars(stmt.order_by(Payment.date, Payment.id)))


def open_amounts(session: Session, customer_id: int) -> dict[int, Decimal]:
    """What is still owed on each of the customer's invoices (0 when settled)."""
    return _allocate(_invoices(session, customer_id), _payments(session, customer_id))[0]


def balance(session: Session, customer: Customer) -> Decimal:
    """Invoiced - credited - paid (void invoices excluded); negative means the customer is
    in credit."""
    invoiced = session.scalar(
        select(func.coalesce(func.sum(Invoice.total), 0)).where(
            Invoice.customer_id == customer.id, Invoice.status != InvoiceStatus.VOID
        )
    )
    paid = session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.customer_id == customer.id
        )
    )
    return (Decimal(invoiced) - Decimal(paid)).quantize(Decimal("0.01"))


def _status(invoice: Invoice, open_amount: Decimal, as_of: dt.date) -> InvoiceStatus:
    if open_amount <= 0:
        return InvoiceStatus.PAID
    return InvoiceStatus.OVERDUE if as_of > invoice.due_date else InvoiceStatus.SENT


def update_customer_statuses(session: Session, customer_id: int, as_of: dt.date) -> int:
    invoices = _invoices(session, customer_id)
    open_, _ = _allocate(invoices, _payments(session, customer_id))
    changed = 0
    for invoice in invoices:
        if invoice.kind is not InvoiceKind.INVOICE or invoice.status is InvoiceStatus.DRAFT:
            continue
        status = _status(invoice, open_[invoice.id], as_of)
        if status is not invoice.status:
            invoice.status = status
            changed += 1
    session.flush()
    return changed


def update_statuses(session: Session, as_of: dt.date) -> int:
    """Set every sent invoice to PAID, OVERDUE or SENT as of ``as_of``; returns how many
    changed. Drafts and void invoices keep their status (nobody is chasing them)."""
    customer_ids = session.scalars(select(Invoice.customer_id).distinct()).all()
    return sum(update_customer_statuses(session, cid, as_of) for cid in customer_ids)


@dataclass
class AgingRow:
    """One customer's open amounts per bucket; ``credit`` is unapplied money (<= 0)."""

    customer_id: int
    customer_name: str
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, ZERO))
    credit: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        """Equal to :func:`balance` of the customer."""
        return sum(self.buckets.values(), ZERO) + self.credit


@dataclass
class AgingReport:
    as_of: dt.date
    rows: list[AgingRow]

    @property
    def totals(self) -> dict[str, Decimal]:
        return {b: sum((r.buckets[b] for r in self.rows), ZERO) for b in BUCKETS}


def bucket(days_past_due: int) -> str:
    """The aging bucket of an amount ``days_past_due`` days after its due date."""
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1-30"
    if days_past_due <= 60:
        return "31-60"
    if days_past_due <= 90:
        return "61-90"
    return "over 90"


def ar_aging(session: Session, as_of: dt.date) -> AgingReport:
    """Accounts receivable aging as of ``as_of``: per customer with a non-zero balance,
    open invoice amounts bucketed by days past due (drafts included: they are owed too)."""
    rows = []
    customers = session.scalars(
        select(Customer)
        .where(
            Customer.id.in_(select(Invoice.customer_id))
            | Customer.id.in_(select(Payment.customer_id))
        )
        .order_by(Customer.name, Customer.id)
    )
    for customer in customers:
        invoices = _invoices(session, customer.id)
        open_, unapplied = _allocate(invoices, _payments(session, customer.id))
        row = AgingRow(customer.id, customer.name, credit=-unapplied)
        for invoice in invoices:
            amount = open_.get(invoice.id, ZERO)
            if amount:
                row.buckets[bucket((as_of - invoice.due_date).days)] += amount
        if row.total or any(row.buckets.values()):
            rows.append(row)
    return AgingReport(as_of, rows)
