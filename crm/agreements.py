"""Recurring agreements: which service a site gets, how often, when, and from whom today."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import Base, Money, created_at, enum_column, intpk


class AgreementStatus(enum.Enum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class FrequencyUnit(enum.Enum):
    """Weekly work repeats every ``interval`` weeks; monthly every ``interval`` months."""

    WEEK = "week"
    MONTH = "month"


class Agreement(Base):
    """A recurring service contract for one site.

    ``visits_per_period`` > 1 only for weekly work (e.g. pool service twice a week);
    ``day_patterns`` lists the allowed weekday sets (0 = Monday), each with that many days.
    ``current_crew_id``/``current_days`` record today's (as-is) assignment, the baseline a new
    plan is compared with.
    """

    __tablename__ = "agreement"

    id: Mapped[intpk]
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_type.id"))
    frequency_unit: Mapped[FrequencyUnit] = enum_column(FrequencyUnit)
    frequency_interval: Mapped[int] = mapped_column(default=1)
    visits_per_period: Mapped[int] = mapped_column(default=1)
    day_patterns: Mapped[list[list[int]]] = mapped_column(default=list)
    min_spacing_days: Mapped[int] = mapped_column(default=0)
    tw_start_min: Mapped[int | None]
    tw_end_min: Mapped[int | None]
    duration_min: Mapped[int]
    price: Mapped[Money]
    season_start: Mapped[str | None] = mapped_column(String(5))
    season_end: Mapped[str | None] = mapped_column(String(5))
    preferred_crew_id: Mapped[int | None] = mapped_column(ForeignKey("crew.id"))
    preferred_weekday: Mapped[int | None]
    current_crew_id: Mapped[int | None] = mapped_column(ForeignKey("crew.id"))
    current_days: Mapped[list[int]] = mapped_column(default=list)
    anchor_date: Mapped[dt.date | None]
    priority: Mapped[int] = mapped_column(default=3)
    start_date: Mapped[dt.date | None]
    end_date: Mapped[dt.date | None]
    status: Mapped[AgreementStatus] = enum_column(AgreementStatus, default=AgreementStatus.ACTIVE)
    created_at: Mapped[created_at]

    site: Mapped["Site"] = relationship(back_populates="agreements")  # noqa: F821, UP037
    service_type: Mapped["ServiceType"] = relationship()  # noqa: F821, UP037
    preferred_crew: Mapped["Crew | None"] = relationship(  # noqa: F821, UP037
        foreign_keys=[preferred_crew_id]
    )
    current_crew: Mapped["Crew | None"] = relationship(  # noqa: F821, UP037
        foreign_keys=[current_crew_id]
    )

    def __repr__(self) -> str:
        return f"Agreement({self.external_id!r})"
