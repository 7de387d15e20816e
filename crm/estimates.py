"""Estimates (quotes to a prospect or customer): line items from the service catalog.

A line with a ``frequency_unit`` is recurring work (priced per visit, scheduled as an
:class:`~crm.agreements.Agreement`); a line without one is a one-off job. Amounts follow the
invoice rule of :mod:`crm.invoicing`: each line's net and tax are rounded half-up to cents,
and the estimate's totals are the exact sums of its lines, so an estimate and the invoice
that bills it agree to the cent.

Scheduling an accepted estimate lives in :mod:`crm.estimate_scheduling`.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Numeric, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from crm.agreements import FrequencyUnit
from crm.db import Base, Money, enum_column, intpk
from crm.invoicing import money
from crm.services import ServiceType

ZERO = Decimal("0.00")
DEFAULT_VALID_DAYS = 30


class EstimateStatus(enum.Enum):
    """DRAFT -> SENT -> ACCEPTED | DECLINED; ACCEPTED -> SCHEDULED once every line is set up."""

    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SCHEDULED = "scheduled"


#: Status changes a person may make by hand (SCHEDULED is only reached by scheduling).
MANUAL_TRANSITIONS: dict[EstimateStatus, tuple[EstimateStatus, ...]] = {
    EstimateStatus.DRAFT: (EstimateStatus.SENT, EstimateStatus.ACCEPTED, EstimateStatus.DECLINED),
    EstimateStatus.SENT: (EstimateStatus.ACCEPTED, EstimateStatus.DECLINED, EstimateStatus.DRAFT),
    EstimateStatus.ACCEPTED: (EstimateStatus.DECLINED,),
    EstimateStatus.DECLINED: (EstimateStatus.DRAFT,),
    EstimateStatus.SCHEDULED: (),
}


class EstimateError(ValueError):
    """A change the estimate's status does not allow; the message says why."""


class Estimate(Base):
    __tablename__ = "estimate"

    id: Mapped[intpk]
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    status: Mapped[EstimateStatus] = enum_column(EstimateStatus, default=EstimateStatus.DRAFT)
    valid_until: Mapped[dt.date | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    notes: Mapped[str | None] = mapped_column(Text)

    customer: Mapped["Customer"] = relationship()  # noqa: F821, UP037
    site: Mapped["Site | None"] = relationship()  # noqa: F821, UP037
    lines: Mapped[list[EstimateLine]] = relationship(
        back_populates="estimate", cascade="all, delete-orphan", order_by="EstimateLine.position"
    )

    @property
    def recurring_lines(self) -> list[EstimateLine]:
        return [line for line in self.lines if line.recurring]

    @property
    def one_off_lines(self) -> list[EstimateLine]:
        return [line for line in self.lines if not line.recurring]

    @property
    def totals(self) -> EstimateTotals:
        return estimate_totals(self.lines)

    def __repr__(self) -> str:
        return f"Estimate({self.number!r}, {self.status.value})"


class EstimateLine(Base):
    """One item: a service, a quantity and a unit price (per visit for recurring lines).

    ``agreement_id`` is set when the line was scheduled (recurring: its agreement; one-off:
    the agreement of the single job), so a line is never scheduled twice.
    """

    __tablename__ = "estimate_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive_quantity"),
        CheckConstraint("unit_price >= 0", name="non_negative_price"),
    )

    id: Mapped[intpk]
    estimate_id: Mapped[int] = mapped_column(
        ForeignKey("estimate.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_type.id"))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(9, 2), default=Decimal("1"))
    unit_price: Mapped[Money]
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("0"))
    frequency_unit: Mapped[FrequencyUnit | None] = enum_column(FrequencyUnit, nullable=True)
    frequency_interval: Mapped[int] = mapped_column(default=1)
    visits_per_period: Mapped[int] = mapped_column(default=1)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreement.id"))

    estimate: Mapped[Estimate] = relationship(back_populates="lines")
    service_type: Mapped[ServiceType] = relationship()
    agreement: Mapped["Agreement | None"] = relationship()  # noqa: F821, UP037

    @property
    def recurring(self) -> bool:
        return self.frequency_unit is not None

    @property
    def amounts(self) -> LineAmounts:
        return line_amounts(self.quantity, self.unit_price, self.tax_rate)

    @property
    def frequency_label(self) -> str:
        """``"weekly"``, ``"2x a week"``, ``"every 2 weeks"``, ``"monthly"``, ``"one-off"``."""
        return frequency_label(self.frequency_unit, self.frequency_interval, self.visits_per_period)


@dataclass(frozen=True)
class LineAmounts:
    """Net, tax and total of one line, each in cents."""

    amount: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class EstimateTotals:
    """Sums of the lines; for recurring lines these are the amounts of one visit each."""

    subtotal: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(quantity: Decimal, unit_price: Decimal, tax_rate: Decimal) -> LineAmounts:
    """The invoice rule: net = q x price rounded half-up; tax on the rounded net, rounded."""
    amount = money(quantity * unit_price)
    tax = money(amount * tax_rate)
    return LineAmounts(amount, tax, amount + tax)


def estimate_totals(lines: list[EstimateLine]) -> EstimateTotals:
    """Exact sums of the lines' rounded amounts (never a rounding of the sum)."""
    amounts = [line.amounts for line in lines]
    return EstimateTotals(
        subtotal=sum((a.amount for a in amounts), ZERO),
        tax=sum((a.tax for a in amounts), ZERO),
        total=sum((a.total for a in amounts), ZERO),
    )


def frequency_label(unit: FrequencyUnit | None, interval: int, visits_per_period: int) -> str:
    if unit is None:
        return "one-off"
    if unit is FrequencyUnit.WEEK and interval == 1:
        return "weekly" if visits_per_period == 1 else f"{visits_per_period}x a week"
    if unit is FrequencyUnit.MONTH and interval == 1:
        return "monthly" if visits_per_period == 1 else f"{visits_per_period}x a month"
    base = f"every {interval} {unit.value}s"
    return base if visits_per_period == 1 else f"{visits_per_period}x {base}"


def next_estimate_number(session: Session, year: int) -> str:
    """``"Q2026-0007"``: the year's highest number plus one (unique by constraint)."""
    prefix = f"Q{year:04d}-"
    last = session.scalar(
        select(func.max(Estimate.number)).where(Estimate.number.like(f"{prefix}%"))
    )
    n = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{n:04d}"


def new_estimate(
    session: Session,
    *,
    customer_id: int,
    site_id: int | None,
    created_by: str,
    today: dt.date,
    valid_days: int = DEFAULT_VALID_DAYS,
    notes: str | None = None,
) -> Estimate:
    """A DRAFT estimate numbered in ``today``'s year, valid ``valid_days`` days."""
    estimate = Estimate(
        number=next_estimate_number(session, today.year),
        customer_id=customer_id,
        site_id=site_id,
        status=EstimateStatus.DRAFT,
        valid_until=today + dt.timedelta(days=valid_days),
        created_by=created_by[:200],
        notes=notes or None,
    )
    session.add(estimate)
    session.flush()
    return estimate


def add_line(
    session: Session,
    estimate: Estimate,
    service: ServiceType,
    *,
    quantity: Decimal = Decimal("1"),
    unit_price: Decimal | None = None,
    description: str | None = None,
    frequency_unit: FrequencyUnit | None = None,
    frequency_interval: int = 1,
    visits_per_period: int = 1,
) -> EstimateLine:
    """Add a catalog item; price defaults to the catalog's, tax rate is always the service's
    (the invoice will use the service's rate, so the estimate must too).

    Raises
    ------
    EstimateError
        When the estimate is no longer editable, or for a bad quantity, price or frequency.
    """
    _editable(estimate)
    price = service.default_price if unit_price is None else unit_price
    if quantity <= 0 or quantity != quantity.quantize(Decimal("0.01")):
        raise EstimateError(f"quantity must be positive with at most 2 decimals, got {quantity}")
    if price < 0 or price != price.quantize(Decimal("0.01")):
        raise EstimateError(f"unit price must be >= 0 in cents, got {price}")
    if frequency_interval < 1 or visits_per_period < 1:
        raise EstimateError("frequency interval and visits per period must be at least 1")
    if visits_per_period > 1 and frequency_unit is FrequencyUnit.WEEK and visits_per_period > 7:
        raise EstimateError("at most 7 visits a week")
    line = EstimateLine(
        position=max((line.position for line in estimate.lines), default=0) + 1,
        service_type=service,
        description=(description or service.name)[:300],
        quantity=quantity,
        unit_price=price,
        tax_rate=service.tax_rate,
        frequency_unit=frequency_unit,
        frequency_interval=frequency_interval if frequency_unit else 1,
        visits_per_period=visits_per_period if frequency_unit else 1,
    )
    estimate.lines.append(line)
    session.flush()
    return line


def remove_line(session: Session, estimate: Estimate, line: EstimateLine) -> None:
    """Remove an item of an editable estimate."""
    _editable(estimate)
    if line.estimate_id != estimate.id:
        raise EstimateError("that line belongs to another estimate")
    estimate.lines.remove(line)
    session.flush()


def set_status(session: Session, estimate: Estimate, status: EstimateStatus) -> None:
    """Move the estimate along :data:`MANUAL_TRANSITIONS`; anything else is an EstimateError."""
    if status not in MANUAL_TRANSITIONS[estimate.status]:
        raise EstimateError(
            f"estimate {estimate.number} is {estimate.status.value}: it cannot become "
            f"{status.value}"
        )
    estimate.status = status
    session.flush()


def _editable(estimate: Estimate) -> None:
    if estimate.status not in (EstimateStatus.DRAFT, EstimateStatus.SENT):
        raise EstimateError(
            f"estimate {estimate.number} is {estimate.status.value}: its lines are fixed"
        )
