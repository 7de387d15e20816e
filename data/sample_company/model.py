"""Plain mutable records the generator builds up before writing the CSV files.

They mirror the columns of data/README.md but keep times as minutes after midnight and
weekdays as indices 0 (Mon) .. 6 (Sun), which makes the capacity arithmetic simple.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Customer:
    customer_id: str
    name: str
    kind: str  # residential | business
    status: str  # active | prospect | inactive
    signed: dt.date
    email: str = ""
    phone: str = ""
    contact_name: str = ""
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    time_window: tuple[int, int] | None = None  # applies to all the customer's agreements
    ended: dt.date | None = None  # when a former customer cancelled


@dataclass
class Site:
    site_id: str
    customer_id: str
    address: str
    lat: float
    lon: float
    region: str
    zip_code: str
    access_notes: str = ""
    required_skills: list[str] = field(default_factory=list)
    community: str = ""


@dataclass(frozen=True)
class Frequency:
    """`kind` is weekly, Nx_weekly, every_N_weeks or every_N_months (monthly is n=1)."""

    kind: str
    n: int = 1

    @property
    def code(self) -> str:
        if self.kind == "weekly":
            return "weekly"
        if self.kind == "Nx_weekly":
            return f"{self.n}x_weekly"
        if self.kind == "every_N_weeks":
            return f"every_{self.n}_weeks"
        return "monthly" if self.n == 1 else f"every_{self.n}_months"

    @property
    def visits_per_week(self) -> int:
        return self.n if self.kind == "Nx_weekly" else 1


@dataclass
class Agreement:
    agreement_id: str
    site_id: str
    service: str
    frequency: Frequency
    duration_min: int  # effective duration (catalog default unless overridden)
    price: float
    override: bool = False  # write duration_min/price columns
    day_patterns: list[tuple[int, ...]] = field(default_factory=list)
    min_spacing_days: int | None = None
    time_window: tuple[int, int] | None = None
    season: tuple[str, str] | None = None
    priority: int = 3
    start_date: dt.date = dt.date(2020, 1, 1)
    end_date: dt.date | None = None
    status: str = "active"
    preferred_crew_id: str = ""
    preferred_weekday: int | None = None
    # the as-is assignment
    current_crew_id: str = ""
    current_days: tuple[int, ...] = ()
    phase: object = None  # week phase (every_N_weeks) or (nth weekday, month mod N)
    phase_months: set[int] | None = None  # months the anchor may fall in (snowbird pools)
    anchor_date: dt.date | None = None
    lat: float = 0.0
    lon: float = 0.0
    required_skills: tuple[str, ...] = ()


@dataclass
class Crew:
    crew_id: str
    name: str
    skills: list[str]
    region: str
    lat: float
    lon: float
    shifts: dict[int, tuple[int, int]]  # weekday -> (start, end) minutes after midnight
    lunch_min: int = 30
    lunch_window: tuple[int, int] = (11 * 60 + 30, 13 * 60 + 30)
    hourly_cost: float = 55.0
    colour: str = "#1f77b4"
    specialty: str = ""  # pool | lawn | ladder: the kind of work the truck is set up for

    def available_min(self, weekday: int) -> int:
        """Working minutes of a day: shift length less the (unpaid) lunch break."""
        if weekday not in self.shifts:
            return 0
        s, e = self.shifts[weekday]
        return e - s - self.lunch_min
