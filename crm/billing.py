"""Billing tables: completed visits, invoices and their lines, payments, invoice numbering.

The rules the schema itself enforces, so that no code path can break them:

- a completed visit is invoiced at most once (``invoice_line.completion_id`` is unique);
- invoice numbers are unique, and come from one ``number_sequence`` row per year, so that
  they have no gaps (an invoice is never deleted: it is voided or credited instead);
- money is ``Numeric(12, 2)`` and ``Decimal`` in Python, never float.

Functions live in :mod:`crm.completions`, :mod:`crm.invoicing` and :mod:`crm.payments`.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import Base, Money, created_at, enum_column, intpk


class VisitCompletion(Base):
    """A visit that was actually done: what the crew reports, and what gets invoiced.

    ``planned_visit_id`` links to the published plan's visit when the work was planned
    (``planned_visit`` belongs to ``scheduling``, hence the string target); it is cleared if
    that plan is ever deleted, because the completion, not the plan, is the record of work.
    One completion per agreement and day keeps a re-imported crew sheet from doubling visits.
    """

    __tablename__ = "visit_completion"
    __table_args__ = (
        UniqueConstraint("agreement_id", "date"),
        CheckConstraint("ended_at >= started_at", name="end_after_start"),
    )

    id: Mapped[intpk]
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    date: Mapped[dt.date] = mapped_column(index=True)
    crew_id: Mapped[int] = mapped_column(ForeignKey("crew.id"))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    planned_visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("planned_visit.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]

    agreement: Mapped["Agreement"] = relationship()  # noqa: F821, UP037
    crew: Mapped["Crew"] = relationship()  # noqa: F821, UP037
    invoice_line: Mapped[InvoiceLine | None] = relationship(back_populates="completion")

    @property
    def invoiced(self) -> bool:
        """True once a (non-released) invoice line holds this visit."""
        return self.invoice_line is not None

    def __repr__(self) -> str:
        return f"VisitCompletion({self.id}, agreement={self.agreement_id}, {self.date})"


class InvoiceKind(enum.Enum):
    """A credit note is an invoice with negative lines that refers to the one it corrects."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(enum.Enum):
    """Life cycle of a document; PAID also covers an invoice settled by a credit note."""

    DRAFT = "draft"
    SENT = "sent"
    PAID = "paid"
    OVERDUE = "overdue"
    VOID = "void"


class Invoice(Base):
    """An invoice or credit note to one customer; totals are the sums of its lines.

    ``period`` ("2026-11") is the month whose visits it bills; a credit note carries the
    period of the invoice it corrects.
    """

    __tablename__ = "invoice"

    id: Mapped[intpk]
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[InvoiceKind] = enum_column(InvoiceKind, default=InvoiceKind.INVOICE)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    credits_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    issue_date: Mapped[dt.date]
    due_date: Mapped[dt.date]
    period: Mapped[str | None] = mapped_column(String(7), index=True)
    status: Mapped[InvoiceStatus] = enum_column(InvoiceStatus, default=InvoiceStatus.DRAFT)
    subtotal: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    tax_total: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    total: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]

    customer: Mapped["Customer"] = relationship()  # noqa: F821, UP037
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.position"
    )
    credits_invoice: Mapped[Invoice | None] = relationship(remote_side="Invoice.id")
    payments: Mapped[list[Payment]] = relationship(
        back_populates="invoice", order_by="Payment.id"
    )

    def __repr__(self) -> str:
        return f"Invoice({self.number!r}, {self.kind.value}, {self.status.value}, {self.total})"


class InvoiceLine(Base):
    """One billed visit (or a credit of one): net ``amount`` + ``tax_amount`` = ``line_total``.

    Each amount is rounded half-up to cents on the line, so the invoice's totals are exact
    sums of what the customer sees printed. ``completion_id`` is unique: a visit is billed at
    most once. Voiding a draft, or a credit note issued to re-bill, releases it (sets it to
    NULL); the description keeps the visit's date and place for the record.
    """

    __tablename__ = "invoice_line"

    id: Mapped[intpk]
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoice.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    completion_id: Mapped[int | None] = mapped_column(
        ForeignKey("visit_completion.id"), unique=True
    )
    service_code: Mapped[str] = mapped_column(String(40))
    service_date: Mapped[dt.date | None]
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(9, 2), default=Decimal("1"))
    unit_price: Mapped[Money]
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("0"))
    amount: Mapped[Money]
    tax_amount: Mapped[Money]
    line_total: Mapped[Money]

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
    completion: Mapped[VisitCompletion | None] = relationship(back_populates="invoice_line")


class PaymentMethod(enum.Enum):
    CASH = "cash"
    CHECK = "check"
    CARD = "card"
    TRANSFER = "transfer"


class Payment(Base):
    """Money received from a customer, for one invoice or on account (``invoice_id`` NULL).

    Payments on account are applied to the oldest open invoices when balances and aging are
    computed, so a customer who pays "what I owe" without a reference is not shown overdue.
    """

    __tablename__ = "payment"
    __table_args__ = (CheckConstraint("amount > 0", name="positive_amount"),)

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    amount: Mapped[Money]
    method: Mapped[PaymentMethod] = enum_column(PaymentMethod)
    date: Mapped[dt.date]
    reference: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[created_at]

    customer: Mapped["Customer"] = relationship()  # noqa: F821, UP037
    invoice: Mapped[Invoice | None] = relationship(back_populates="payments")


class NumberSequence(Base):
    """The last invoice number used in a year: one row per year, locked while numbering.

    A counter row (not a database SEQUENCE) because sequences skip values on rollback, and
    invoice numbers must not have gaps.
    """

    __tablename__ = "number_sequence"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)
