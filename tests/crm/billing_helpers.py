"""A tiny billing company: two customers, one site and one agreement each, one crew.

K1's window cleaning is 45.00 a visit with 7.5 % tax: net 45.00 + tax 3.375 -> 3.38 (half up)
= 48.38 a visit. K2's pool service is 33.33 a visit, untaxed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from crm.agreements import Agreement, FrequencyUnit
from crm.billing import VisitCompletion
from crm.completions import record_completion
from crm.crews import Crew
from crm.customers import Customer, Site
from crm.services import ServiceType

UTC = dt.UTC


@dataclass
class Company:
    crew: Crew
    k1: Customer
    k2: Customer
    windows: Agreement
    pool: Agreement


def make_company(session: Session) -> Company:
    """Add the company (flushed, not committed)."""
    crew = Crew(external_id="CR1", name="North", start_lat=28.0, start_lon=-82.4,
                end_lat=28.0, end_lon=-82.4)
    windows = ServiceType(code="windows", name="Window cleaning", category="windows",
                          default_duration_min=30, default_price=Decimal("45.00"),
                          tax_rate=Decimal("0.0750"))
    pool = ServiceType(code="pool", name="Pool service", category="pool",
                       default_duration_min=20, default_price=Decimal("33.33"))
    k1 = Customer(external_id="K1", name="Ann Smith")
    k2 = Customer(external_id="K2", name="Bay Pools LLC")
    s1 = Site(external_id="S1", customer=k1, address="1 Main St", lat=28.0, lon=-82.4)
    s2 = Site(external_id="S2", customer=k2, address="2 Bay Dr", lat=27.9, lon=-82.5)
    a1 = Agreement(external_id="A1", site=s1, service_type=windows,
                   frequency_unit=FrequencyUnit.WEEK, duration_min=30, price=Decimal("45.00"))
    a2 = Agreement(external_id="A2", site=s2, service_type=pool,
                   frequency_unit=FrequencyUnit.WEEK, duration_min=20, price=Decimal("33.33"))
    session.add_all([crew, windows, pool, k1, k2, s1, s2, a1, a2])
    session.flush()
    return Company(crew, k1, k2, a1, a2)


def complete(session: Session, company: Company, agreement: Agreement,
             day: dt.date) -> VisitCompletion:
    """Record a 30-minute visit at 09:00 UTC on ``day``."""
    start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=UTC)
    return record_completion(session, agreement=agreement, date=day, crew=company.crew,
                             started_at=start, ended_at=start + dt.timedelta(minutes=30))
