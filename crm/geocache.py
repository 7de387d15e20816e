"""Geocoding results kept so that an address is never looked up twice."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, created_at, intpk


class GeocodeCacheEntry(Base):
    """One answer (or a definite "not found": lat/lon NULL) per normalised query and provider."""

    __tablename__ = "geocode_cache"

    id: Mapped[intpk]
    provider: Mapped[str] = mapped_column(String(40))
    query: Mapped[str] = mapped_column(String(300), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    display_name: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[created_at]
