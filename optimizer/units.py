"""The unit convention, decided once.

Every quantity that reaches the solver is an ``int``:

* time and durations in **seconds** (from the start of the planning horizon),
* distances in **meters**,
* money in **cents**.

OR-Tools needs integer transits, and integers make results reproducible.
Conversions from the units people type (hours, minutes, kilometres, euros)
round here and nowhere else, half away from zero, so that ``0.5 min`` is
always 30 s whatever the float noise.

``MAX_VALUE`` bounds any single number in a problem. Route sums over a few
thousand stops then stay far below ``2**63`` (OR-Tools' ``int64``): with
``MAX_VALUE = 2**40`` even 5,000 stops sum to below ``2**53``.
"""

from __future__ import annotations

import math

SECOND = 1
MINUTE = 60
HOUR = 3600
DAY = 86_400
METER = 1
KILOMETER = 1000
CENT = 1

MAX_VALUE: int = 2**40
"""Largest integer accepted anywhere in a problem (seconds, meters, cents)."""


def round_half_away(value: float) -> int:
    """Round to the nearest integer, halves away from zero.

    Python's ``round`` rounds halves to even, which makes ``2.5 -> 2`` and
    ``3.5 -> 4``; schedules read better with the school rule.
    """
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"cannot convert {value!r} to an integer unit")
    return int(math.floor(abs(value) + 0.5)) * (1 if value >= 0 else -1)


def seconds(*, hours: float = 0.0, minutes: float = 0.0, secs: float = 0.0) -> int:
    """Convert a duration given in hours/minutes/seconds to integer seconds."""
    return round_half_away(hours * HOUR + minutes * MINUTE + secs)


def meters(*, km: float = 0.0, m: float = 0.0) -> int:
    """Convert kilometres and/or meters to integer meters."""
    return round_half_away(km * KILOMETER + m)


def cents(amount: float) -> int:
    """Convert a money amount in currency units (e.g. 12.34 EUR) to integer cents."""
    return round_half_away(amount * 100)


def minutes_ceil(secs: int) -> int:
    """Whole minutes needed to cover ``secs`` seconds (used in reasons shown to people)."""
    return -(-secs // MINUTE)


def hhmm(secs: int) -> str:
    """Format a horizon offset as ``[d+]HH:MM`` for messages (``90000 -> 'd1 01:00'``)."""
    day, rest = divmod(int(secs), DAY)
    text = f"{rest // HOUR:02d}:{rest % HOUR // MINUTE:02d}"
    return f"d{day} {text}" if day else text
