"""Service catalog and skill vocabulary as data/README.md fixes them.

The generator keeps its own copy of the catalog defaults (durations, prices, skills) so that it
does not depend on the CRM package; the values must match `crm/catalog.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

SKILLS: tuple[str, ...] = (
    "ladder",
    "water_fed_pole",
    "mower_trailer",
    "pool_chemicals",
    "irrigation",
    "pressure_washer",
)


@dataclass(frozen=True)
class Service:
    code: str
    duration_min: int
    price: float
    skill: str


CATALOG: dict[str, Service] = {
    s.code: s
    for s in (
        Service("window_clean", 90, 120.0, "ladder"),
        Service("gutter_clean", 60, 95.0, "ladder"),
        Service("lawn_mow", 40, 45.0, "mower_trailer"),
        Service("hedge_trim", 60, 70.0, "mower_trailer"),
        Service("pool_service", 30, 40.0, "pool_chemicals"),
        Service("pool_open_close", 120, 180.0, "pool_chemicals"),
    )
}

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
