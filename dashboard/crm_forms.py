"""Small helpers shared by the CRM pages: read form fields, the signed-in author, dates.

The CRM pages use plain HTML forms (with the CSRF token) rather than WTForms classes: each
form has a handful of fields whose rules live in ``crm``; these helpers only turn text into
values and raise :class:`FormError` with a message the page can flash.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import cast
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_login import current_user

from dashboard.auth import CurrentUser


class FormError(ValueError):
    """A field that cannot be read; the message names it."""


def author() -> str:
    """Who is doing it, for histories and ``created_by``: the user's e-mail."""
    return cast(CurrentUser, current_user).email


def company_tz() -> ZoneInfo:
    return ZoneInfo(str(current_app.config["TIMEZONE"]))


def company_today() -> dt.date:
    """Today on the company's clock (the server may run in UTC)."""
    return dt.datetime.now(company_tz()).date()


def text(name: str, *, required: bool = False, max_len: int = 2000) -> str:
    value = request.form.get(name, "").strip()
    if required and not value:
        raise FormError(f"{name.replace('_', ' ')} is required")
    return value[:max_len]


def integer(name: str, *, default: int | None = None, lo: int | None = None) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise FormError(f"{name.replace('_', ' ')}: {raw!r} is not a whole number") from None
    if lo is not None and value < lo:
        raise FormError(f"{name.replace('_', ' ')} must be at least {lo}")
    return value


def decimal(name: str, *, default: Decimal | None = None) -> Decimal | None:
    raw = request.form.get(name, "").strip().replace(",", "")
    if not raw:
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise FormError(f"{name.replace('_', ' ')}: {raw!r} is not a number") from None
    if not value.is_finite():
        raise FormError(f"{name.replace('_', ' ')}: {raw!r} is not a number")
    return value


def date(name: str, *, default: dt.date | None = None) -> dt.date:
    raw = request.form.get(name, "").strip() or request.args.get(name, "").strip()
    if not raw:
        if default is None:
            raise FormError(f"{name.replace('_', ' ')} is required")
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise FormError(f"{name.replace('_', ' ')}: {raw!r} is not a date (YYYY-MM-DD)") from None


def clock(name: str) -> dt.time:
    raw = request.form.get(name, "").strip()
    try:
        return dt.time.fromisoformat(raw)
    except ValueError:
        raise FormError(f"{name.replace('_', ' ')}: {raw!r} is not a time (HH:MM)") from None
