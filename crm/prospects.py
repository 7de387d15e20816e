"""Prospects become customers: by hand, or when one of their estimates is scheduled.

Every conversion is written to the customer's contact history, so the history says when and
why a prospect started being billed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.customers import Customer, CustomerStatus
from crm.notes import SYSTEM_AUTHOR, CustomerNote, NoteKind, add_note


class ConversionError(ValueError):
    """Only prospects can be converted."""


def prospects(session: Session) -> list[Customer]:
    """Every prospect, newest first."""
    return list(
        session.scalars(
            select(Customer)
            .where(Customer.status == CustomerStatus.PROSPECT)
            .order_by(Customer.created_at.desc(), Customer.id.desc())
        )
    )


def convert_to_customer(
    session: Session, customer: Customer, *, author: str = SYSTEM_AUTHOR, reason: str | None = None
) -> CustomerNote:
    """Make a prospect an active customer and record it in the history (flushed).

    Parameters
    ----------
    author:
        Who converted it (a user's e-mail; the system for automatic conversions).
    reason:
        Appended to the history entry, e.g. "estimate Q2026-0003 scheduled".

    Raises
    ------
    ConversionError
        When ``customer`` is not a prospect.
    """
    if customer.status is not CustomerStatus.PROSPECT:
        raise ConversionError(f"{customer.name} is {customer.status.value}, not a prospect")
    customer.status = CustomerStatus.ACTIVE
    body = "Converted from prospect to customer"
    if reason:
        body += f": {reason}"
    return add_note(session, customer.id, body, kind=NoteKind.NOTE, author=author)
