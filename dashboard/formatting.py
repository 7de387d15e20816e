"""Plain functions that turn stored values into what people read (no Flask, unit-testable)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from crm.catalog import WEEKDAYS


class ShiftLike(Protocol):
    weekday: int
    start_min: int
    end_min: int


def hhmm(minutes: int | None) -> str:
    """Minutes after midnight as ``HH:MM`` (``450`` -> ``"07:30"``); empty for None."""
    if minutes is None:
        return ""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_shifts(shifts: Iterable[ShiftLike]) -> str:
    """Weekly shifts in the CSV notation, runs of days with equal hours joined.

    ``Mon..Fri 07:30-16:00`` and ``Sat 08:00-12:00`` become
    ``"Mon-Fri 07:30-16:00; Sat 08:00-12:00"``, as ``crews.csv`` writes them.
    """
    ordered = sorted(shifts, key=lambda s: s.weekday)
    runs: list[tuple[int, int, int, int]] = []  # first day, last day, start, end
    for shift in ordered:
        if runs:
            first, last, start, end = runs[-1]
            if shift.weekday == last + 1 and (shift.start_min, shift.end_min) == (start, end):
                runs[-1] = (first, shift.weekday, start, end)
                continue
        runs.append((shift.weekday, shift.weekday, shift.start_min, shift.end_min))
    parts = []
    for first, last, start, end in runs:
        days = WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]}-{WEEKDAYS[last]}"
        parts.append(f"{days} {hhmm(start)}-{hhmm(end)}")
    return "; ".join(parts)


def format_days(days: Iterable[int]) -> str:
    """A weekday set as ``Mon+Thu``."""
    return "+".join(WEEKDAYS[d] for d in sorted(days))


def money(value: Decimal | None) -> str:
    """``Decimal("1234.5")`` -> ``"1,234.50"``; empty for None."""
    if value is None:
        return ""
    return f"{value:,.2f}"


def currency(value: Decimal | None, symbol: str) -> str:
    """``Decimal("-30.8")``, ``"$"`` -> ``"-$30.80"``: a headline amount with its currency."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{money(abs(value))}"


def minutes_label(minutes: int) -> str:
    """``54`` -> ``"54 min"``, ``125`` -> ``"2 h 05 min"``: a duration people read at a glance."""
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def skill_label(skill: str) -> str:
    """``"water_fed_pole"`` -> ``"water fed pole"``."""
    return skill.replace("_", " ")
