"""Crews, their weekly shifts, and company holidays."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import Base, Money, intpk


class Crew(Base):
    """A team with one vehicle: where its day starts and ends, what it can do, what it costs."""

    __tablename__ = "crew"

    id: Mapped[intpk]
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    skills: Mapped[list[str]] = mapped_column(default=list)
    start_lat: Mapped[float] = mapped_column(Float)
    start_lon: Mapped[float] = mapped_column(Float)
    end_lat: Mapped[float] = mapped_column(Float)
    end_lon: Mapped[float] = mapped_column(Float)
    lunch_min: Mapped[int] = mapped_column(default=0)
    lunch_start_min: Mapped[int] = mapped_column(default=11 * 60 + 30)
    lunch_end_min: Mapped[int] = mapped_column(default=13 * 60 + 30)
    hourly_cost: Mapped[Money | None]
    colour: Mapped[str] = mapped_column(String(7), default="#4C78A8")
    region: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)

    shifts: Mapped[list[CrewShift]] = relationship(
        back_populates="crew", cascade="all, delete-orphan", order_by="CrewShift.weekday"
    )

    def __repr__(self) -> str:
        return f"Crew({self.external_id!r}, {self.name!r})"


class CrewShift(Base):
    """Working hours of a crew on one weekday (0 = Monday), in minutes after midnight."""

    __tablename__ = "crew_shift"
    __table_args__ = (UniqueConstraint("crew_id", "weekday"),)

    id: Mapped[intpk]
    crew_id: Mapped[int] = mapped_column(ForeignKey("crew.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    start_min: Mapped[int]
    end_min: Mapped[int]

    crew: Mapped[Crew] = relationship(back_populates="shifts")


class Holiday(Base):
    """A day nobody works (``region`` None) or only one region is off."""

    __tablename__ = "holiday"
    __table_args__ = (UniqueConstraint("date", "region"),)

    id: Mapped[intpk]
    date: Mapped[dt.date]
    name: Mapped[str] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
