"""An independent feasibility checker and distance evaluator.

Every number in ``results.csv`` comes from here, recomputed from the routes alone; no solver's
own objective is trusted. The rules are those of the benchmark literature, with the instance
as read by `benchmarks.formats.read_instance`:

- visits: each customer is visited exactly ``frequency`` times, on the days of one of its
  allowed day-combinations, at most once a day. A zero-length visit at the depot (p01's
  customer 51) may be left out, provided one of its combinations has a spare vehicle on every
  day (it would be a route of length 0). A customer with frequency 0 (p11) needs no visit; if it
  is visited anyway, the visits must form one of its listed combinations (Cordeau's own p11
  solution visits it once);
- capacity: the demand on each route is at most the capacity;
- time: a vehicle leaves the depot at its ready time, travel time equals distance, service may
  start no earlier than the window opens (waiting is allowed) and no later than it closes, and
  the vehicle is back by the depot's due date;
- duration: the route's duration (travel + service + waiting, with the departure delayed as far
  as that shortens the route: Savelsbergh's forward time slack) is within the limit;
- fleet: at most ``vehicles_per_day`` non-empty routes a day, vehicle numbers 1..m, days 1..t.

Distances are Euclidean in double precision, summed over all routes, as the best-known values
are. ``tolerance`` absorbs floating-point noise in the time checks only.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from benchmarks.model import Customer, Instance, Route

TOLERANCE = 1e-6
"""Default slack (instance time units) on windows and duration limits: rounding noise only."""


@dataclass(frozen=True)
class CheckResult:
    """What the checker found: feasibility, distance, non-empty routes, and why."""

    feasible: bool
    distance: float
    routes: int
    violations: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def summary(self, limit: int = 3) -> str:
        """One line: distance, routes, and the first violations."""
        head = f"distance {self.distance:.2f}, {self.routes} routes, "
        if self.feasible:
            return head + "feasible"
        more = len(self.violations) - limit
        shown = "; ".join(self.violations[:limit]) + (f"; +{more} more" if more > 0 else "")
        return head + f"INFEASIBLE: {shown}"


def route_distance(instance: Instance, customers: Sequence[int]) -> float:
    """Depot -> customers in order -> depot, double-precision Euclidean; 0 for an empty route."""
    if not customers:
        return 0.0
    nodes = [0, *customers, 0]
    return math.fsum(instance.distance(a, b) for a, b in zip(nodes, nodes[1:], strict=False))


def route_schedule(
    instance: Instance, customers: Sequence[int]
) -> tuple[list[float], float, float]:
    """Service start times, return time and shortest duration of a route.

    The vehicle leaves at the depot's ready time and waits where it arrives early. The
    duration delays the departure by ``min(forward time slack, total waiting)``, the most that
    shortens the route without breaking a window (Savelsbergh 1992).
    """
    depot = instance.depot
    t, prev = depot.ready, 0
    starts: list[float] = []
    waiting = 0.0
    slack = math.inf
    for number in customers:
        c = instance.customer(number)
        arrive = t + instance.distance(prev, number)
        start = max(arrive, c.ready)
        waiting += start - arrive
        slack = min(slack, waiting + c.due - start)
        starts.append(start)
        t, prev = start + c.service, number
    back = t + instance.distance(prev, 0)
    slack = min(slack, waiting + depot.due - back)
    delay = max(0.0, min(slack, waiting))
    return starts, back, back - depot.ready - delay


def _check_route(instance: Instance, route: Route, tol: float) -> list[str]:
    """Capacity, windows, return time and duration of one route."""
    where = f"day {route.day} vehicle {route.vehicle}"
    out: list[str] = []
    load = sum(instance.customer(c).demand for c in route.customers)
    if load > instance.capacity:
        out.append(f"{where}: load {load} exceeds capacity {instance.capacity}")
    starts, back, duration = route_schedule(instance, route.customers)
    for number, start in zip(route.customers, starts, strict=True):
        due = instance.customer(number).due
        if start > due + tol:
            out.append(f"{where}: customer {number} served at {start:.4f}, window closes {due:g}")
    if back > instance.depot.due + tol:
        out.append(f"{where}: back at {back:.4f}, depot closes {instance.depot.due:g}")
    limit = instance.max_duration
    if limit is not None and duration > limit + tol:
        out.append(f"{where}: duration {duration:.4f} exceeds limit {limit:g}")
    return out


def _check_structure(instance: Instance, routes: list[Route]) -> list[str]:
    """Days, vehicle numbers, unknown customers and the fleet limit."""
    out: list[str] = []
    seen: set[tuple[int, int]] = set()
    for r in routes:
        if not 1 <= r.day <= instance.days:
            out.append(f"route on day {r.day}, instance has days 1..{instance.days}")
        if not 1 <= r.vehicle <= instance.vehicles_per_day:
            out.append(f"day {r.day}: vehicle {r.vehicle}, fleet is 1..{instance.vehicles_per_day}")
        if (r.day, r.vehicle) in seen:
            out.append(f"day {r.day}: vehicle {r.vehicle} has two routes")
        seen.add((r.day, r.vehicle))
        unknown = [c for c in r.customers if not 1 <= c <= instance.num_customers]
        if unknown:
            out.append(f"day {r.day} vehicle {r.vehicle}: unknown customers {unknown}")
    per_day = Counter(r.day for r in routes)
    for day, count in sorted(per_day.items()):
        if count > instance.vehicles_per_day:
            out.append(f"day {day}: {count} routes, fleet limit {instance.vehicles_per_day}")
    return out


def _check_visits(
    instance: Instance, routes: list[Route]
) -> tuple[list[str], list[str], list[Customer]]:
    """Visit counts and day-combinations; returns violations, notes and omitted dummies."""
    days: dict[int, list[int]] = defaultdict(list)
    for r in routes:
        for c in r.customers:
            days[c].append(r.day)
    out: list[str] = []
    notes: list[str] = []
    omitted: list[Customer] = []
    for c in instance.customers:
        visited = days.get(c.number, [])
        as_set = frozenset(visited)
        if len(as_set) != len(visited):
            out.append(f"customer {c.number} visited twice on one day: days {sorted(visited)}")
        elif not visited and (c.frequency == 0 or instance.is_dummy(c)):
            if c.frequency > 0:
                omitted.append(c)
        elif c.frequency == 0 and as_set in c.combinations:
            notes.append(
                f"customer {c.number} has frequency 0 and is visited on days "
                f"{sorted(visited)} (a listed combination)"
            )
        elif len(visited) != c.frequency or as_set not in c.combinations:
            allowed = " or ".join(str(sorted(s)) for s in c.combinations)
            out.append(
                f"customer {c.number} visited on days {sorted(visited)}, "
                f"needs {c.frequency} visit(s) on {allowed}"
            )
    return out, notes, omitted


def _place_dummies(instance: Instance, routes: list[Route], omitted: list[Customer]) -> list[str]:
    """Give each omitted dummy a zero-length route on a combination with spare vehicles."""
    used = Counter(r.day for r in routes)
    out: list[str] = []
    for c in omitted:
        fits = [s for s in c.combinations if all(used[d] < instance.vehicles_per_day for d in s)]
        if not fits or c.demand > instance.capacity:
            out.append(
                f"customer {c.number} (zero-length visit at the depot) left out, "
                "but no allowed day has a spare vehicle for it"
            )
            continue
        for d in fits[0]:
            used[d] += 1
    return out


def check(instance: Instance, routes: Iterable[Route], tolerance: float = TOLERANCE) -> CheckResult:
    """Check routes against an instance and compute their total distance.

    Parameters
    ----------
    instance
        The instance as read from its file.
    routes
        Customers per (day, vehicle) in visiting order, depot excluded; empty routes are
        ignored.
    tolerance
        Slack on time windows, depot closing and duration limits (instance time units).

    Returns
    -------
    CheckResult
        ``feasible`` is False when any rule is broken; ``violations`` says which.
    """
    used = [r for r in routes if r.customers]
    violations = _check_structure(instance, used)
    visit_violations, notes, omitted = _check_visits(instance, used)
    violations += visit_violations
    violations += _place_dummies(instance, used, omitted)
    notes += [f"customer {c.number} (zero-length visit at the depot) left out" for c in omitted]
    known = [r for r in used if all(1 <= c <= instance.num_customers for c in r.customers)]
    for r in known:
        violations += _check_route(instance, r, tolerance)
    distance = math.fsum(route_distance(instance, r.customers) for r in known)
    return CheckResult(
        feasible=not violations,
        distance=distance,
        routes=len(used),
        violations=tuple(violations),
        notes=tuple(notes),
    )
