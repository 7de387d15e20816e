"""Read-only queries behind the dashboard's lists; they take a session and never commit.

They may move to ``crm/queries.py`` once other packages need them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from crm.agreements import Agreement
from crm.crews import Crew
from crm.customer_search import customer_match
from crm.customers import Customer, CustomerStatus, Site
from crm.users import User

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, the page number (1-based) and the totals."""

    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        """1-based position of the first item shown (0 when empty)."""
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


@dataclass(frozen=True)
class CustomerRow:
    """A customer with the counts the list shows."""

    customer: Customer
    sites: int
    agreements: int


def customer_page(
    session: Session,
    *,
    search: str = "",
    status: CustomerStatus | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page[CustomerRow]:
    """Customers by name, with counts, filtered by a status and the search box (name, id,
    e-mail, phone, site address or tag: :func:`crm.customer_search.customer_match`)."""
    sites = (
        select(func.count(Site.id))
        .where(Site.customer_id == Customer.id)
        .correlate(Customer)
        .scalar_subquery()
    )
    agreements = (
        select(func.count(Agreement.id))
        .join(Site, Agreement.site_id == Site.id)
        .where(Site.customer_id == Customer.id)
        .correlate(Customer)
        .scalar_subquery()
    )
    query: Select[tuple[Customer]] = select(Customer)
    match = customer_match(search)
    if match is not None:
        query = query.where(match)
    if status is not None:
        query = query.where(Customer.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = session.execute(
        query.add_columns(sites.label("sites"), agreements.label("agreements"))
        .order_by(Customer.name, Customer.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [CustomerRow(customer=c, sites=s, agreements=a) for c, s, a in rows]
    return Page(items=items, page=page, per_page=per_page, total=total)


def crews_with_shifts(session: Session) -> Sequence[Crew]:
    """Every crew, active first, with its shifts loaded."""
    return session.scalars(
        select(Crew).options(selectinload(Crew.shifts)).order_by(Crew.active.desc(), Crew.name)
    ).all()


def crew_agreements(session: Session, crew_id: int, limit: int = 500) -> Sequence[Agreement]:
    """The agreements a crew does today (its as-is round): by first weekday, then by street
    and house number, the order a crew walks its week in (text order would put "10255 Oak"
    before "1042 Elm")."""
    rows = session.scalars(
        select(Agreement)
        .join(Site, Agreement.site_id == Site.id)
        .where(Agreement.current_crew_id == crew_id)
        .options(selectinload(Agreement.site), selectinload(Agreement.service_type))
        .order_by(Agreement.id)
        .limit(limit)
    ).all()
    return sorted(rows, key=_round_order)


def _round_order(agreement: Agreement) -> tuple[int, str, int, int]:
    number, _, street = agreement.site.address.partition(" ")
    if not number.isdigit():
        number, street = "0", agreement.site.address
    first_day = min(agreement.current_days, default=7)
    return first_day, street.casefold(), int(number), agreement.id


def users(session: Session) -> Sequence[User]:
    """Every user account, by role then e-mail."""
    return session.scalars(
        select(User).options(selectinload(User.crew)).order_by(User.role, User.email)
    ).all()
