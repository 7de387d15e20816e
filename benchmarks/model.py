"""The one in-memory form every benchmark format is read into.

Solomon and Gehring-Homberger instances are the one-day special case of Cordeau's periodic
problems, so a single `Instance` type covers all four formats: a one-day instance has
`days == 1` and every customer has the single day-combination ``{1}``. Keeping one type means
the checker, the runner and the solver adapters need no per-format branches.

Units are those of the files: coordinates, times and distances are plain floats (travel time
equals Euclidean distance), demands are integers. Customers are numbered as in the file; the
readers insist the numbers are 1..n in order, so a customer's number is also its node index
(node 0 is the depot).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

FORMATS = ("solomon", "homberger", "pvrp", "pvrptw")
"""Format names used in `results.csv` and by `benchmarks.formats.read_instance`."""


@dataclass(frozen=True)
class Depot:
    """Where every route starts and ends; ``due`` is the horizon (``inf`` when there is none)."""

    x: float
    y: float
    ready: float = 0.0
    due: float = math.inf


@dataclass(frozen=True)
class Customer:
    """One customer line of an instance file.

    ``frequency`` is how many visits the customer needs over the horizon, ``combinations`` the
    allowed sets of days (1-based), each of size ``frequency``. ``ready``/``due`` bound the start
    of service; waiting is allowed.
    """

    number: int
    x: float
    y: float
    demand: int
    service: float
    ready: float = 0.0
    due: float = math.inf
    frequency: int = 1
    combinations: tuple[frozenset[int], ...] = (frozenset({1}),)


@dataclass(frozen=True)
class Instance:
    """A routing instance over ``days`` days with ``vehicles_per_day`` vehicles each day.

    ``max_duration`` is the route-duration limit (travel + service + waiting), ``None`` when the
    file has none. ``format`` is one of `FORMATS`.
    """

    name: str
    format: str
    days: int
    vehicles_per_day: int
    capacity: int
    depot: Depot
    customers: tuple[Customer, ...]
    max_duration: float | None = None
    _by_number: dict[int, Customer] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        numbers = [c.number for c in self.customers]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"{self.name}: customers must be numbered 1..n in file order")
        if self.format not in FORMATS:
            raise ValueError(f"{self.name}: unknown format {self.format!r}")
        object.__setattr__(self, "_by_number", {c.number: c for c in self.customers})

    @property
    def num_customers(self) -> int:
        """Customer lines in the file (dummies and frequency-0 customers included)."""
        return len(self.customers)

    def customer(self, number: int) -> Customer:
        """The customer with this number; `KeyError` if there is none."""
        return self._by_number[number]

    def point(self, node: int) -> tuple[float, float]:
        """Coordinates of node ``node`` (0 is the depot, i is customer i)."""
        if node == 0:
            return (self.depot.x, self.depot.y)
        c = self._by_number[node]
        return (c.x, c.y)

    def distance(self, a: int, b: int) -> float:
        """Double-precision Euclidean distance between two nodes, as the best-known values use."""
        (xa, ya), (xb, yb) = self.point(a), self.point(b)
        return math.hypot(xa - xb, ya - yb)

    def is_dummy(self, customer: Customer) -> bool:
        """True for a zero-length visit at the depot (p01's customer 51), which may be left out."""
        return customer.x == self.depot.x and customer.y == self.depot.y and customer.service == 0


@dataclass(frozen=True)
class Route:
    """One vehicle's customers, in visiting order, on one day (both 1-based)."""

    day: int
    vehicle: int
    customers: tuple[int, ...]


def decode_combination(mask: int, days: int) -> frozenset[int]:
    """Days (1-based) of a Cordeau day-combination bitmask.

    The leftmost of the ``days`` bits is day 1: with 5 days, 10 = 0b01010 means days 2 and 4.
    """
    if mask < 0 or mask >= 1 << days:
        raise ValueError(f"day-combination {mask} does not fit in {days} days")
    return frozenset(d for d in range(1, days + 1) if mask >> (days - d) & 1)
