"""The fixed vocabularies of the business: weekdays, crew skills and the default service catalog."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Index 0 is Monday, as in ``datetime.date.weekday()``."""

SKILLS: frozenset[str] = frozenset(
    {
        "ladder",
        "water_fed_pole",
        "mower_trailer",
        "pool_chemicals",
        "irrigation",
        "pressure_washer",
    }
)
"""What a crew can be equipped or licensed for; sites and services require from this set."""


@dataclass(frozen=True)
class ServiceDefault:
    """One catalog entry as shipped; companies edit prices and durations in the database."""

    code: str
    name: str
    category: str
    duration_min: int
    price: Decimal
    skill: str | None
    tax_rate: Decimal = Decimal("0.0750")


DEFAULT_SERVICES: tuple[ServiceDefault, ...] = (
    ServiceDefault("window_clean", "Window cleaning", "window", 90, Decimal("120.00"), "ladder"),
    ServiceDefault("gutter_clean", "Gutter cleaning", "window", 60, Decimal("95.00"), "ladder"),
    ServiceDefault("lawn_mow", "Lawn mowing", "lawn", 40, Decimal("45.00"), "mower_trailer"),
    ServiceDefault("hedge_trim", "Hedge trimming", "lawn", 60, Decimal("70.00"), "mower_trailer"),
    ServiceDefault("pool_service", "Pool service", "pool", 30, Decimal("40.00"), "pool_chemicals"),
    ServiceDefault(
        "pool_open_close",
        "Pool opening / closing",
        "pool",
        120,
        Decimal("180.00"),
        "pool_chemicals",
    ),
)


def weekday_index(name: str) -> int:
    """``"thu"`` -> 3; raises ``ValueError`` naming the accepted spellings."""
    for i, day in enumerate(WEEKDAYS):
        if name.strip().lower() == day.lower():
            return i
    raise ValueError(f"unknown weekday {name!r} (use {', '.join(WEEKDAYS)})")
