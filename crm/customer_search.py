"""Find customers by any part of their name, id, e-mail, phone, site address or a tag.

One SQL condition that works the same on SQLite and PostgreSQL: case-insensitive substring
matches with LIKE wildcards escaped, phone numbers compared on their digits only (so
"8135550102" finds "(813) 555-0102"), and tags matched whole.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, String, cast, exists, func, or_, select

from crm.customers import Customer, Site

_PHONE_NOISE = (" ", "-", "(", ")", ".", "+", "/")


def like_pattern(text: str) -> str:
    """``%text%`` with ``\\``, ``%`` and ``_`` escaped (use with ``escape="\\\\"``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _digits_only(column: ColumnElement[str | None]) -> ColumnElement[str]:
    expr: ColumnElement[str] = func.coalesce(column, "")
    for char in _PHONE_NOISE:
        expr = func.replace(expr, char, "")
    return expr


def customer_match(text: str) -> ColumnElement[bool] | None:
    """The WHERE condition for a search box's ``text``; None when it is blank."""
    text = text.strip()
    if not text:
        return None
    pattern = like_pattern(text)
    conditions: list[ColumnElement[bool]] = [
        Customer.name.ilike(pattern, escape="\\"),
        Customer.external_id.ilike(pattern, escape="\\"),
        Customer.email.ilike(pattern, escape="\\"),
        Customer.phone.ilike(pattern, escape="\\"),
        exists(
            select(Site.id).where(
                Site.customer_id == Customer.id, Site.address.ilike(pattern, escape="\\")
            )
        ),
        # JSON list rendered as text: '["commercial", "priority"]'; a tag matches whole.
        cast(Customer.tags, String).ilike(like_pattern(f'"{text.lower()}"'), escape="\\"),
    ]
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 4 and len(digits) >= len(text.replace(" ", "")) - 4:
        conditions.append(_digits_only(Customer.phone).like(f"%{digits}%"))
    return or_(*conditions)
