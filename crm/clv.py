"""Customer lifetime value: what a customer has paid so far, and what its agreements bring in.

Formulas (all ``Decimal``, rounded half-up to cents at the end):

- **revenue to date** = net amount (``subtotal``, before tax) of the customer's PAID invoices
  + net amount of its credit notes (negative). Tax is collected for someone else, so it is not
  revenue; open invoices count once they are paid. An invoice settled by a credit note is
  PAID and cancelled by that credit note, so it adds nothing.
- **projected 12 months** = sum over ACTIVE agreements of
  ``price per visit x visits per year x share of the next 365 days the agreement runs``, with
  ``visits per year = 52 / interval x visits_per_period`` for weekly work and
  ``12 / interval x visits_per_period`` for monthly work; the share counts the days from
  ``as_of`` on that are on or after ``start_date``, on or before ``end_date`` and inside the
  ``season_start``..``season_end`` season (which may wrap the new year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.agreements import Agreement, AgreementStatus, FrequencyUnit
from crm.billing import Invoice, InvoiceKind, InvoiceStatus
from crm.customers import Site
from crm.invoicing import money

YEAR_DAYS = 365
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LifetimeValue:
    revenue_to_date: Decimal
    projected_12_months: Decimal

    @property
    def total(self) -> Decimal:
        return self.revenue_to_date + self.projected_12_months


def visits_per_year(unit: FrequencyUnit, interval: int, visits_per_period: int) -> Decimal:
    """52 / interval x visits for weekly work, 12 / interval x visits for monthly work."""
    periods = Decimal(52 if unit is FrequencyUnit.WEEK else 12)
    return periods / Decimal(interval) * Decimal(visits_per_period)


def _month_day(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


def in_season(day: dt.date, season_start: str | None, season_end: str | None) -> bool:
    """Whether ``day`` falls in the "MM-DD".."MM-DD" season (inclusive, may wrap the year)."""
    if not season_start or not season_end:
        return True
    key = (day.month, day.day)
    first, last = _month_day(season_start), _month_day(season_end)
    if first <= last:
        return first <= key <= last
    return key >= first or key <= last


def active_share(agreement: Agreement, as_of: dt.date) -> Decimal:
    """Share of the 365 days from ``as_of`` on that the agreement runs (dates and season)."""
    days = 0
    for offset in range(YEAR_DAYS):
        day = as_of + dt.timedelta(days=offset)
        if agreement.start_date and day < agreement.start_date:
            continue
        if agreement.end_date and day > agreement.end_date:
            continue
        if in_season(day, agreement.season_start, agreement.season_end):
            days += 1
    return Decimal(days) / Decimal(YEAR_DAYS)


def projected_value(agreement: Agreement, as_of: dt.date) -> Decimal:
    """Expected net billing of one agreement over the next 12 months (unrounded)."""
    if agreement.status is not AgreementStatus.ACTIVE:
        return Decimal(0)
    per_year = visits_per_year(
        agreement.frequency_unit, agreement.frequency_interval, agreement.visits_per_period
    )
    return agreement.price * per_year * active_share(agreement, as_of)


def revenue_to_date(session: Session, customer_id: int) -> Decimal:
    """Net of PAID invoices plus net of credit notes (negative); void documents excluded."""
    paid = session.scalar(
        select(func.coalesce(func.sum(Invoice.subtotal), 0)).where(
            Invoice.customer_id == customer_id,
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status == InvoiceStatus.PAID,
        )
    )
    credited = session.scalar(
        select(func.coalesce(func.sum(Invoice.subtotal), 0)).where(
            Invoice.customer_id == customer_id,
            Invoice.kind == InvoiceKind.CREDIT_NOTE,
            Invoice.status != InvoiceStatus.VOID,
        )
    )
    return money(Decimal(paid) + Decimal(credited))


def lifetime_value(session: Session, customer_id: int, as_of: dt.date) -> LifetimeValue:
    """Revenue to date and the 12-month projection of one customer (see the module notes)."""
    agreements = session.scalars(
        select(Agreement)
        .join(Site, Agreement.site_id == Site.id)
        .where(Site.customer_id == customer_id, Agreement.status == AgreementStatus.ACTIVE)
    )
    projected = sum((projected_value(a, as_of) for a in agreements), Decimal(0))
    return LifetimeValue(revenue_to_date(session, customer_id), money(Decimal(projected)))
