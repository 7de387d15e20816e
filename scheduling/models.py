"""Operational tables of planning, on the CRM's ``Base``: plans, their visits, edits, runs.

A :class:`Plan` is one version of a horizon's schedule. Drafts are edited and re-solved;
publishing makes a plan immutable (a new edit starts a new draft based on it). Cross-package
links use string targets so that ``crm`` never imports this module.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

import crm.models  # noqa: F401  (registers every CRM table the string links point to)
from crm.db import Base, created_at, enum_column, intpk


class PlanStatus(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class Plan(Base):
    """A versioned schedule for ``days`` days from ``week_start`` (a Monday).

    ``lock_version`` is SQLAlchemy's optimistic lock: of two dispatchers saving the same
    draft, the second gets a conflict instead of silently overwriting the first.
    """

    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("week_start", "version"),)

    id: Mapped[intpk]
    week_start: Mapped[dt.date] = mapped_column(index=True)
    days: Mapped[int] = mapped_column(default=7)
    version: Mapped[int]
    status: Mapped[PlanStatus] = enum_column(PlanStatus, default=PlanStatus.DRAFT)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    kpis: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[created_at]
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    lock_version: Mapped[int] = mapped_column(default=1)

    visits: Mapped[list[PlannedVisit]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by="(PlannedVisit.date, PlannedVisit.crew_id, PlannedVisit.sequence)",
    )
    unplaced: Mapped[list[UnplacedVisit]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="UnplacedVisit.id"
    )
    edits: Mapped[list[PlanEdit]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanEdit.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    def __repr__(self) -> str:
        return f"Plan({self.id}, {self.week_start}, v{self.version}, {self.status.value})"


class PlannedVisit(Base):
    """One visit of an agreement in a plan: its date, crew, place in the route and times.

    Times are seconds after midnight of ``date`` (local time of the company).
    """

    __tablename__ = "planned_visit"

    id: Mapped[intpk]
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    visit_index: Mapped[int] = mapped_column(default=0)
    date: Mapped[dt.date]
    crew_id: Mapped[int] = mapped_column(ForeignKey("crew.id"))
    sequence: Mapped[int]
    arrival_s: Mapped[int]
    start_s: Mapped[int]
    end_s: Mapped[int]
    travel_s: Mapped[int] = mapped_column(default=0)
    distance_m: Mapped[int] = mapped_column(default=0)
    pinned: Mapped[bool] = mapped_column(default=False)

    plan: Mapped[Plan] = relationship(back_populates="visits")
    agreement: Mapped["Agreement"] = relationship()  # noqa: F821, UP037
    crew: Mapped["Crew"] = relationship()  # noqa: F821, UP037


class UnplacedVisit(Base):
    """A visit the plan could not place, with the reason shown to the dispatcher."""

    __tablename__ = "unplaced_visit"

    id: Mapped[intpk]
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"))
    week_start: Mapped[dt.date]
    code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="unplaced")
    agreement: Mapped["Agreement"] = relationship()  # noqa: F821, UP037


class PlanEdit(Base):
    """Audit trail: who changed what in a draft, and when."""

    __tablename__ = "plan_edit"

    id: Mapped[intpk]
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    user: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[created_at]

    plan: Mapped[Plan] = relationship(back_populates="edits")


class VisitExceptionKind(enum.Enum):
    SKIP = "skip"
    EXTRA = "extra"
    CANCEL = "cancel"


class VisitException(Base):
    """A one-off change to an agreement's rhythm: skip a week, add a visit, cancel a date."""

    __tablename__ = "visit_exception"

    id: Mapped[intpk]
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    kind: Mapped[VisitExceptionKind] = enum_column(VisitExceptionKind)
    date: Mapped[dt.date]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]


class Notice(Base):
    """Outbox of customers to tell about a new or changed visit, written on publish."""

    __tablename__ = "notice"

    id: Mapped[intpk]
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"))
    kind: Mapped[str] = mapped_column(String(20))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class RunStatus(enum.Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class PlanningRun(Base):
    """History of planning runs (manual, nightly, re-plans): what ran, how it ended."""

    __tablename__ = "planning_run"

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[created_at]
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[RunStatus] = enum_column(RunStatus, default=RunStatus.RUNNING)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"))
    error: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class RunLock(Base):
    """A named lock row, so that two planning runs never overlap, across processes."""

    __tablename__ = "run_lock"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
