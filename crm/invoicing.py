"""Monthly invoicing of completed visits, gapless numbering, voids and credit notes.

Every function takes the caller's session and never commits: a batch is numbered and written
in the caller's one transaction, so either every invoice of the batch exists with
consecutive numbers, or none does and no number was used.

Public API::

    invoice_period(session, "2026-11", issue_date=None, net_days=30) -> list[Invoice]
    next_numbers(session, year, count) -> list[str]
    invoice_completions(number, customer_id, completions, issue_date=, period=) -> Invoice
    void_invoice(session, invoice, reason)
    credit_note(session, invoice, issue_date, reason, rebill=False) -> Invoice
    mark_sent(session, invoices)
    export_quickbooks_csv(invoices, file)
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import IO

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm.agreements import Agreement
from crm.billing import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    NumberSequence,
    VisitCompletion,
)
from crm.customers import Customer, Site
from crm.payments import update_customer_statuses
from crm.services import ServiceType

CENT = Decimal("0.01")
DEFAULT_NET_DAYS = 30
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class InvoicingError(ValueError):
    """A request the books cannot honour (voiding a sent invoice, crediting a credit note)."""


def money(value: Decimal) -> Decimal:
    """Round to cents, half up (the way a customer checks a bill by hand, not banker's)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    """A calendar month, written "2026-11"."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse "YYYY-MM"; ``ValueError`` names the bad value."""
        match = PERIOD_RE.match(text.strip())
        if not match:
            raise ValueError(f"period {text!r} is not a month like 2026-11")
        return cls(int(match[1]), int(match[2]))

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


# --- numbering ---------------------------------------------------------------------------


def next_numbers(session: Session, year: int, count: int) -> list[str]:
    """Reserve ``count`` consecutive invoice numbers of ``year`` ("2026-000123").

    The year's counter row is created if missing (an upsert that ignores a concurrent
    creator) and then read ``FOR UPDATE``: on PostgreSQL a second batch waits here until the
    first commits or rolls back, so two batches never share or skip a number. SQLite has no
    row locks but allows one writer at a time, which gives the same guarantee. Numbers are
    only consumed if the caller commits.
    """
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(NumberSequence)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    sequence = session.scalars(
        select(NumberSequence)
        .where(NumberSequence.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    first = sequence.last_number + 1
    sequence.last_number += count
    session.flush()
    return [f"{year:04d}-{n:06d}" for n in range(first, first + count)]


# --- the monthly batch -------------------------------------------------------------------


def _line_amounts(
    quantity: Decimal, unit_price: Decimal, tax_rate: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """Net, tax and total of one line, each rounded to cents (tax on the rounded net)."""
    amount = money(quantity * unit_price)
    tax = money(amount * tax_rate)
    return amount, tax, amount + tax


def _set_totals(invoice: Invoice) -> None:
    invoice.subtotal = sum((line.amount for line in invoice.lines), Decimal("0.00"))
    invoice.tax_total = sum((line.tax_amount for line in invoice.lines), Decimal("0.00"))
    invoice.total = sum((line.line_total for line in invoice.lines), Decimal("0.00"))


def uninvoiced_completions(session: Session, period: Period) -> list[VisitCompletion]:
    """Completed visits of ``period`` that no invoice line holds, by customer, date, id."""
    stmt = (
        select(VisitCompletion)
        .join(Agreement, VisitCompletion.agreement_id == Agreement.id)
        .join(Site, Agreement.site_id == Site.id)
        .outerjoin(InvoiceLine, InvoiceLine.completion_id == VisitCompletion.id)
        .where(
            VisitCompletion.date >= period.first_day,
            VisitCompletion.date <= period.last_day,
            InvoiceLine.id.is_(None),
        )
        .order_by(Site.customer_id, VisitCompletion.date, VisitCompletion.id)
    )
    return list(session.scalars(stmt))


def invoice_period(
    session: Session,
    period: str,
    *,
    issue_date: dt.date | None = None,
    net_days: int = DEFAULT_NET_DAYS,
) -> list[Invoice]:
    """Invoice every completed, not yet invoiced visit of ``period``: one invoice per customer.

    Parameters
    ----------
    session:
        The caller's session; the batch is flushed, never committed.
    period:
        The month, "2026-11".
    issue_date:
        Default: the day after the period ends, so that a re-run of a past month dates its
        invoices the same way.
    net_days:
        Payment terms; ``due_date = issue_date + net_days``.

    Returns
    -------
    list[Invoice]
        The new invoices (status DRAFT), in number order; empty when there is nothing left
        to invoice, so running a batch twice invoices nothing twice.

    Raises
    ------
    ValueError
        For a malformed period or negative ``net_days``.
    """
    month = Period.parse(period)
    if net_days < 0:
        raise ValueError(f"net_days must be >= 0, got {net_days}")
    issued = issue_date or month.last_day + dt.timedelta(days=1)
    # Lock the year's counter *before* reading the visits: a concurrent batch then waits and,
    # once it reads, sees this batch's lines and skips those visits.
    next_numbers(session, issued.year, 0)
    by_customer: dict[int, list[VisitCompletion]] = {}
    for completion in uninvoiced_completions(session, month):
        by_customer.setdefault(completion.agreement.site.customer_id, []).append(completion)
    numbers = next_numbers(session, issued.year, len(by_customer))
    invoices = []
    for number, (customer_id, completions) in zip(numbers, by_customer.items(), strict=True):
        invoice = invoice_completions(
            number, customer_id, completions, issue_date=issued, period=month, net_days=net_days
        )
        session.add(invoice)
        invoices.append(invoice)
    session.flush()
    return invoices


def invoice_completions(
    number: str,
    customer_id: int,
    completions: Sequence[VisitCompletion],
    *,
    issue_date: dt.date,
    period: Period,
    net_days: int = DEFAULT_NET_DAYS,
    note: str | None = None,
) -> Invoice:
    """A DRAFT invoice numbered ``number`` with one line per completed visit, totalled.

    The one rule for billing visits, shared by the monthly batch and a one-off job billed on
    the spot. The caller reserves the number (:func:`next_numbers`) and adds the invoice to
    its session; lines link their completion, so no batch bills a visit twice.
    """
    invoice = Invoice(
        number=number,
        kind=InvoiceKind.INVOICE,
        customer_id=customer_id,
        issue_date=issue_date,
        due_date=issue_date + dt.timedelta(days=net_days),
        period=str(period),
        status=InvoiceStatus.DRAFT,
        note=note,
    )
    for position, completion in enumerate(completions, start=1):
        invoice.lines.append(_visit_line(position, completion))
    _set_totals(invoice)
    return invoice


def _visit_line(position: int, completion: VisitCompletion) -> InvoiceLine:
    """The line for one visit: the agreement's price, the service's tax rate."""
    agreement = completion.agreement
    service: ServiceType = agreement.service_type
    quantity = Decimal("1")
    amount, tax, total = _line_amounts(quantity, agreement.price, service.tax_rate)
    return InvoiceLine(
        position=position,
        completion=completion,
        service_code=service.code,
        service_date=completion.date,
        description=f"{service.name}, {agreement.site.address}, {completion.date.isoformat()}"[
            :300
        ],
        quantity=quantity,
        unit_price=agreement.price,
        tax_rate=service.tax_rate,
        amount=amount,
        tax_amount=tax,
        line_total=total,
    )


# --- corrections -------------------------------------------------------------------------


def mark_sent(session: Session, invoices: Iterable[Invoice]) -> None:
    """Move drafts to SENT (after they were e-mailed or printed); other statuses are kept.

    Then each customer's statuses are worked out as after a payment, so an invoice already
    covered (nothing owed, or by money on account) is PAID from the start.
    """
    sent: dict[int, dt.date] = {}
    for invoice in invoices:
        if invoice.status is InvoiceStatus.DRAFT:
            invoice.status = InvoiceStatus.SENT
            sent[invoice.customer_id] = min(invoice.issue_date,
                                            sent.get(invoice.customer_id, invoice.issue_date))
    session.flush()
    for customer_id, issued in sorted(sent.items()):
        update_customer_statuses(session, customer_id, issued)


def void_invoice(session: Session, invoice: Invoice, reason: str) -> None:
    """Void a DRAFT invoice: it keeps its number (no gap) and its visits can be invoiced again.

    A customer has never seen a draft, so cancelling it leaves nothing to correct. Anything
    already sent must be corrected with :func:`credit_note` instead, which leaves a trail the
    customer and the accountant can follow.
    """
    if invoice.kind is not InvoiceKind.INVOICE or invoice.status is not InvoiceStatus.DRAFT:
        raise InvoicingError(
            f"invoice {invoice.number} is {invoice.status.value}: only drafts can be voided; "
            "issue a credit note instead"
        )
    invoice.status = InvoiceStatus.VOID
    invoice.note = _append(invoice.note, f"voided: {reason}")
    for line in invoice.lines:
        line.completion = None
    session.flush()


def credit_note(
    session: Session,
    invoice: Invoice,
    *,
    issue_date: dt.date,
    reason: str,
    rebill: bool = False,
) -> Invoice:
    """Cancel what is left of a sent invoice with a credit note (negative copies of its lines).

    Parameters
    ----------
    invoice:
        A SENT, OVERDUE or PAID invoice (PAID leaves the customer a credit balance).
    issue_date:
        The credit note's date; it takes the next number of that year.
    reason:
        Kept in the notes of both documents.
    rebill:
        Release the original's visits so that the next batch invoices them again (a wrong
        price); leave False when the work is simply not charged (a complaint).

    Raises
    ------
    InvoicingError
        For a draft, a void invoice, a credit note, or an invoice already credited.
    """
    if invoice.kind is not InvoiceKind.INVOICE:
        raise InvoicingError(f"{invoice.number} is a credit note: it cannot be credited")
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        raise InvoicingError(
            f"invoice {invoice.number} is {invoice.status.value}: void a draft instead"
        )
    already = session.scalars(
        select(Invoice.number).where(Invoice.credits_invoice_id == invoice.id)
    ).first()
    if already is not None:
        raise InvoicingError(f"invoice {invoice.number} was already credited by {already}")
    (number,) = next_numbers(session, issue_date.year, 1)
    note = Invoice(
        number=number,
        kind=InvoiceKind.CREDIT_NOTE,
        customer_id=invoice.customer_id,
        credits_invoice=invoice,
        issue_date=issue_date,
        due_date=issue_date,
        period=invoice.period,
        status=InvoiceStatus.SENT,
        note=f"credits {invoice.number}: {reason}",
    )
    for line in invoice.lines:
        note.lines.append(
            InvoiceLine(
                position=line.position,
                service_code=line.service_code,
                service_date=line.service_date,
                description=line.description,
                quantity=-line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                amount=-line.amount,
                tax_amount=-line.tax_amount,
                line_total=-line.line_total,
            )
        )
        if rebill:
            line.completion = None
    _set_totals(note)
    invoice.note = _append(invoice.note, f"credited by {number}: {reason}")
    session.add(note)
    session.flush()
    update_customer_statuses(session, invoice.customer_id, issue_date)
    return note


def _append(note: str | None, text: str) -> str:
    return f"{note}\n{text}" if note else text


# --- export ------------------------------------------------------------------------------

QUICKBOOKS_COLUMNS: tuple[str, ...] = (
    "InvoiceNo",
    "Customer",
    "InvoiceDate",
    "DueDate",
    "Terms",
    "Memo",
    "Item(Product/Service)",
    "ItemDescription",
    "ItemQuantity",
    "ItemRate",
    "ItemAmount",
    "ItemTaxCode",
    "ItemTaxAmount",
    "ServiceDate",
)
"""The header of QuickBooks Online's invoice import sample file (Settings > Import data >
Invoices; Intuit's help article "Import invoices in batches"): one row per line, the invoice
fields repeated on each row, dates as MM/DD/YYYY, ``TAX``/``NON`` as the US tax codes."""


def _qb_date(day: dt.date) -> str:
    return day.strftime("%m/%d/%Y")


def export_quickbooks_csv(invoices: Sequence[Invoice], file: IO[str]) -> int:
    """Write ``invoices`` as a QuickBooks Online invoice import file; returns the rows written.

    Only real invoices that are not void are written: QuickBooks' invoice import does not
    take credit notes (they are entered there as credit memos).
    """
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(QUICKBOOKS_COLUMNS)
    rows = 0
    for invoice in invoices:
        if invoice.kind is not InvoiceKind.INVOICE or invoice.status is InvoiceStatus.VOID:
            continue
        customer: Customer = invoice.customer
        terms = f"Net {(invoice.due_date - invoice.issue_date).days}"
        for line in invoice.lines:
            writer.writerow(
                (
                    invoice.number,
                    customer.name,
                    _qb_date(invoice.issue_date),
                    _qb_date(invoice.due_date),
                    terms,
                    f"Visits of {invoice.period}" if invoice.period else "",
                    line.service_code,
                    line.description,
                    f"{line.quantity.normalize():f}",
                    f"{line.unit_price:.2f}",
                    f"{line.amount:.2f}",
                    "TAX" if line.tax_rate else "NON",
                    f"{line.tax_amount:.2f}",
                    _qb_date(line.service_date) if line.service_date else "",
                )
            )
            rows += 1
    return rows
