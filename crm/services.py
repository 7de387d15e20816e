"""The service catalog: what a company sells, how long it takes and which skill it needs."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Numeric, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from crm.catalog import DEFAULT_SERVICES
from crm.db import Base, Money, intpk


class ServiceType(Base):
    __tablename__ = "service_type"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    default_duration_min: Mapped[int]
    default_price: Mapped[Money]
    required_skill: Mapped[str | None] = mapped_column(String(40))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("0"))

    def __repr__(self) -> str:
        return f"ServiceType({self.code!r})"


def ensure_default_services(session: Session) -> list[ServiceType]:
    """Add the catalog entries that are missing; existing rows (edited prices) are kept."""
    existing = {s.code for s in session.scalars(select(ServiceType))}
    added = []
    for d in DEFAULT_SERVICES:
        if d.code in existing:
            continue
        service = ServiceType(
            code=d.code,
            name=d.name,
            category=d.category,
            default_duration_min=d.duration_min,
            default_price=d.price,
            required_skill=d.skill,
            tax_rate=d.tax_rate,
        )
        session.add(service)
        added.append(service)
    session.flush()
    return added
