"""Customers (and prospects), their contacts and the sites where the work happens."""

from __future__ import annotations

import enum

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import Base, created_at, enum_column, intpk


class CustomerStatus(enum.Enum):
    """A prospect becomes active when it signs; inactive customers keep their history."""

    PROSPECT = "prospect"
    ACTIVE = "active"
    INACTIVE = "inactive"


class GeocodeStatus(enum.Enum):
    """Where a site's coordinates came from: planning only uses sites with coordinates."""

    PROVIDED = "provided"
    GEOCODED = "geocoded"
    FAILED = "failed"
    PENDING = "pending"


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[intpk]
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[CustomerStatus] = enum_column(CustomerStatus, default=CustomerStatus.ACTIVE)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    tags: Mapped[list[str]] = mapped_column(default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Contact.id"
    )
    sites: Mapped[list[Site]] = relationship(back_populates="customer", order_by="Site.id")

    def __repr__(self) -> str:
        return f"Customer({self.external_id!r}, {self.name!r}, {self.status.value})"


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    role: Mapped[str | None] = mapped_column(String(50))
    is_primary: Mapped[bool] = mapped_column(default=False)

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Site(Base):
    __tablename__ = "site"

    id: Mapped[intpk]
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    address: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    geocode_status: Mapped[GeocodeStatus] = enum_column(
        GeocodeStatus, default=GeocodeStatus.PROVIDED
    )
    access_notes: Mapped[str | None] = mapped_column(Text)
    required_skills: Mapped[list[str]] = mapped_column(default=list)
    region: Mapped[str | None] = mapped_column(String(100))

    customer: Mapped[Customer] = relationship(back_populates="sites")
    agreements: Mapped[list["Agreement"]] = relationship(  # noqa: F821, UP037
        back_populates="site", order_by="Agreement.id"
    )

    def __repr__(self) -> str:
        return f"Site({self.external_id!r}, {self.address!r})"


def parse_tags(text: str) -> list[str]:
    """``"Commercial; priority, commercial"`` -> ``["commercial", "priority"]``: lower case,
    split on commas or semicolons, duplicates and blanks dropped, sorted."""
    words = (part.strip().lower() for part in text.replace(";", ",").split(","))
    return sorted({w[:40] for w in words if w})
