"""A prospect with a site, next to the tiny billing company, for the CRM tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from crm.agreements import FrequencyUnit
from crm.customers import Customer, CustomerStatus, Site
from crm.estimates import Estimate, add_line, new_estimate
from crm.services import ServiceType

TODAY = dt.date(2026, 11, 20)


def make_prospect(session: Session, name: str = "Cara Prospect") -> Customer:
    prospect = Customer(external_id="P1", name=name, status=CustomerStatus.PROSPECT,
                        email="cara@example.com", phone="(813) 555-0199")
    Site(external_id="SP1", customer=prospect, address="9 Oak St, Tampa", lat=27.95, lon=-82.45)
    session.add(prospect)
    session.flush()
    return prospect


def make_estimate(session: Session, customer: Customer, service: ServiceType, *,
                  recurring_price: Decimal = Decimal("45.00"),
                  one_off: ServiceType | None = None) -> Estimate:
    """A weekly line of ``service`` (and a one-off line of ``one_off`` if given)."""
    estimate = new_estimate(session, customer_id=customer.id, site_id=customer.sites[0].id,
                            created_by="office@example.com", today=TODAY)
    add_line(session, estimate, service, unit_price=recurring_price,
             frequency_unit=FrequencyUnit.WEEK)
    if one_off is not None:
        add_line(session, estimate, one_off, quantity=Decimal("2"))
    return estimate
