"""Display helpers: shifts in the CSV notation, times, money."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from dashboard.formatting import currency, format_days, format_shifts, hhmm, minutes_label, money


@dataclass
class Shift:
    weekday: int
    start_min: int
    end_min: int


@pytest.mark.parametrize(
    ("shifts", "expected"),
    [
        ([], ""),
        ([Shift(0, 450, 960)], "Mon 07:30-16:00"),
        ([Shift(d, 450, 960) for d in range(5)], "Mon-Fri 07:30-16:00"),
        (
            [*(Shift(d, 450, 960) for d in range(5)), Shift(5, 480, 720)],
            "Mon-Fri 07:30-16:00; Sat 08:00-12:00",
        ),
        ([Shift(0, 450, 960), Shift(2, 450, 960)], "Mon 07:30-16:00; Wed 07:30-16:00"),
        ([Shift(1, 480, 720), Shift(0, 480, 720)], "Mon-Tue 08:00-12:00"),
    ],
)
def test_format_shifts(shifts: list[Shift], expected: str) -> None:
    """Runs of consecutive days with equal hours are joined, as ``crews.csv`` writes them."""
    assert format_shifts(shifts) == expected


def test_small_formatters() -> None:
    assert hhmm(450) == "07:30" and hhmm(None) == ""
    assert format_days([3, 0]) == "Mon+Thu"
    assert money(Decimal("1234.5")) == "1,234.50" and money(None) == ""


def test_currency_puts_the_sign_before_the_symbol() -> None:
    assert currency(Decimal("14155"), "$") == "$14,155.00"
    assert currency(Decimal("-30.8"), "$") == "-$30.80"
    assert currency(None, "$") == ""


def test_minutes_label_drops_zero_hours() -> None:
    assert minutes_label(54) == "54 min"
    assert minutes_label(60) == "1 h 00 min"
    assert minutes_label(125) == "2 h 05 min"

