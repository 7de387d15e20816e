"""Contact history: calls, e-mails, visits and notes about a customer, newest first.

System events (a prospect converted, a merge) are written here too, so the history of a
customer explains every change of its status without a separate audit table.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from crm.db import Base, enum_column, intpk

#: Author recorded for notes written by Rounds itself (conversions, merges).
SYSTEM_AUTHOR = "Rounds"


class NoteKind(enum.Enum):
    """How the office was in touch; NOTE is anything else (and the system's own entries)."""

    CALL = "call"
    EMAIL = "email"
    VISIT = "visit"
    NOTE = "note"


class CustomerNote(Base):
    """One entry of a customer's contact history."""

    __tablename__ = "customer_note"

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    author: Mapped[str] = mapped_column(String(200))
    kind: Mapped[NoteKind] = enum_column(NoteKind, default=NoteKind.NOTE)
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    customer: Mapped["Customer"] = relationship()  # noqa: F821, UP037

    def __repr__(self) -> str:
        return f"CustomerNote({self.customer_id}, {self.kind.value}, {self.body[:30]!r})"


def add_note(
    session: Session,
    customer_id: int,
    body: str,
    *,
    kind: NoteKind = NoteKind.NOTE,
    author: str = SYSTEM_AUTHOR,
    at: dt.datetime | None = None,
) -> CustomerNote:
    """Add an entry to the history (flushed, not committed).

    Raises
    ------
    ValueError
        For an empty body.
    """
    body = body.strip()
    if not body:
        raise ValueError("a note needs some text")
    note = CustomerNote(
        customer_id=customer_id,
        author=author[:200],
        kind=kind,
        body=body,
        at=at or dt.datetime.now(dt.UTC),
    )
    session.add(note)
    session.flush()
    return note


def history(session: Session, customer_id: int, limit: int = 200) -> list[CustomerNote]:
    """The customer's history, newest first (ties by id, so same-second entries keep order)."""
    return list(
        session.scalars(
            select(CustomerNote)
            .where(CustomerNote.customer_id == customer_id)
            .order_by(CustomerNote.at.desc(), CustomerNote.id.desc())
            .limit(limit)
        )
    )
