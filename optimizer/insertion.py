"""Exact cheapest insertion of one new job into existing routes, vectorised over routes.

A sales quote asks: "where would this new visit go in the routes we already drive, and how
much extra driving would it cost?" For a route of ``n`` stops there are ``n + 1`` positions;
at each the added travel is ``d(prev, new) + d(new, next) - d(prev, next)`` and the position
is usable only if the route, with the new job, still has a schedule that keeps every window,
the shift and the lunch. Re-timing the whole route per position costs ``O(n)`` each,
``O(n^2)`` per route. Following Savelsbergh (1992), the times are precomputed once per route
in ``O(n)``: a forward pass of earliest service starts and a backward pass of latest service
starts (his forward time slack, written as a latest start per stop), after which each
position is checked in ``O(1)``. All routes of a batch (e.g. every crew-day of a week) are
padded to one length and processed together with numpy.

    M. W. P. Savelsbergh (1992), "The vehicle routing problem with time windows: minimizing
    route duration", ORSA Journal on Computing 4(2): 146-154.

The timing model is the core's (:mod:`optimizer.constraints`): service starts inside the
job's window (waiting allowed), the route leaves and returns inside the shift, and the lunch
is OR-Tools' break: it starts inside its window, overlaps no service, and is either taken
during a leg (the leg's waiting must hold it: the gap between the end of one service and the
start of the next is at least travel + lunch), before the route starts, or after it ends
(then it only has to *start* by the window's end, possibly past the shift end, as in the
core). For the lunch this is exact, not an approximation: with the lunch in a given gap, the
earliest schedule is optimal (every constraint is a lower bound on later times), so two
forward passes (lunch not yet taken / already taken, the latter the best over all earlier
gaps) and two backward passes (latest starts with the lunch still to take / already taken)
cover every placement. A lunch before the route starts is never better than one during the
first leg, so it needs no pass of its own. ``tests/optimizer/test_insertion.py`` checks the
result against re-timing every candidate route from scratch, and the model against OR-Tools
on routes pinned in order.

The routes' planned times are not an input: a solver's plan starts each route as late as
its end allows (the core's finalizer), so its times say nothing about how early a stop could
be served; the passes above recompute both bounds from the order alone, in ``O(n)``.

Not modelled (the business planner does not use them): capacities, ``max_duration``,
several windows per job (give the one window that applies).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.exceptions import InvalidProblemError
from optimizer.problem import Break, TimeWindow, check_int
from optimizer.units import MAX_VALUE

INF = 2**52
"""Stands for "impossible" in the time arrays; far above any sum of ``MAX_VALUE`` terms."""

_OPEN = TimeWindow(0, MAX_VALUE)


def _count(name: str, value: object) -> int:
    """``check_int`` with a fast path for plain ints in range (quotes build hundreds of stops)."""
    if type(value) is int and 0 <= value <= MAX_VALUE:
        return value
    return check_int(name, value)


@dataclass(frozen=True, slots=True)
class InsertionJob:
    """A stop of a route, or the new job: location index, service seconds, window on its start."""

    location: int
    service: int
    window: TimeWindow | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "location", _count("location", self.location))
        object.__setattr__(self, "service", _count("service", self.service))
        if self.window is not None and not isinstance(self.window, TimeWindow):
            object.__setattr__(self, "window", TimeWindow.coerce(self.window, "window"))


@dataclass(frozen=True, slots=True)
class InsertionRoute:
    """One vehicle's route in visiting order: start/end locations, shift, stops, lunch."""

    start: int
    end: int
    shift: TimeWindow
    stops: tuple[InsertionJob, ...] = ()
    lunch: Break | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", check_int("start", self.start))
        object.__setattr__(self, "end", check_int("end", self.end))
        object.__setattr__(self, "shift", TimeWindow.coerce(self.shift, "shift"))
        object.__setattr__(self, "stops", tuple(self.stops))


@dataclass(frozen=True, slots=True)
class Insertion:
    """The cheapest feasible place for the new job in one route.

    ``position`` is the new job's 0-based place among the stops (0 = first). ``start`` is its
    earliest service start there. When nothing fits, ``feasible`` is False, ``start`` None and
    ``position``/``added_*`` describe the cheapest position ignoring time (for display).
    ``route_feasible`` is False when the route *without* the new job already has no schedule
    (its data changed since it was planned); then no position fits.
    """

    feasible: bool
    position: int
    added_duration: int
    added_distance: int
    start: int | None
    route_feasible: bool


class RouteTimes:
    """The ``O(n)`` precomputation for a batch of routes over one travel-duration matrix.

    Arrays are ``[R, N + 2]`` (``N`` = most stops of any route): node 0 is the start, nodes
    ``1..n`` the stops, nodes ``n+1..N`` padding at the end location (zero travel, no service,
    no window, which changes no schedule) and node ``N + 1`` the end. ``earliest`` /
    ``earliest_after_lunch``: earliest service start with the lunch not yet taken / taken;
    ``latest`` / ``latest_after_lunch``: latest service start from which the rest of the route
    still has a schedule with the lunch still to take / already taken.
    """

    def __init__(self, routes: Sequence[InsertionRoute], durations: np.ndarray) -> None:
        self.routes = tuple(routes)
        self.durations = np.asarray(durations, dtype=np.int64)
        r = len(self.routes)
        n = max((len(route.stops) for route in self.routes), default=0)
        self.lengths = np.array([len(route.stops) for route in self.routes], dtype=np.int64)
        self.location = np.empty((r, n + 2), dtype=np.int64)
        self.service = np.zeros((r, n + 2), dtype=np.int64)
        self.early = np.zeros((r, n + 2), dtype=np.int64)
        self.late = np.full((r, n + 2), MAX_VALUE, dtype=np.int64)
        self.shift_start = np.empty(r, dtype=np.int64)
        self.shift_end = np.empty(r, dtype=np.int64)
        self.lunch_open = np.full(r, -INF, dtype=np.int64)
        self.lunch_close = np.full(r, INF, dtype=np.int64)
        self.lunch_duration = np.zeros(r, dtype=np.int64)
        for k, route in enumerate(self.routes):
            self._fill(k, route, n)
        self.leg = self.durations[self.location[:, :-1], self.location[:, 1:]]
        self._forward()
        self._backward()
        # The route as it stands has a schedule iff the end is reachable (lunch taken or
        # after the end, which starts by the lunch window's end).
        end = n + 1
        self.route_feasible = (self.earliest_after_lunch[:, end] <= self.shift_end) | (
            self.earliest[:, end] <= np.minimum(self.shift_end, self.lunch_close)
        )

    def _fill(self, k: int, route: InsertionRoute, n: int) -> None:
        size = self.durations.shape[0]
        for name, value in (("start", route.start), ("end", route.end)):
            if value >= size:
                raise InvalidProblemError(f"routes[{k}].{name}", f"location {value} out of range")
        stops = route.stops
        for i, stop in enumerate(stops):
            if stop.location >= size:
                raise InvalidProblemError(
                    f"routes[{k}].stops[{i}]", f"location {stop.location} out of range"
                )
        windows = [stop.window or _OPEN for stop in stops]
        last = len(stops) + 1
        self.location[k, 0] = route.start
        self.location[k, 1:last] = [stop.location for stop in stops]
        self.location[k, last:] = route.end
        self.service[k, 1:last] = [stop.service for stop in stops]
        self.early[k, 1:last] = [w.start for w in windows]
        self.late[k, 1:last] = [w.end for w in windows]
        self.early[k, 0] = route.shift.start
        self.late[k, n + 1] = route.shift.end
        self.shift_start[k], self.shift_end[k] = route.shift.start, route.shift.end
        if route.lunch is not None:
            self.lunch_open[k] = route.lunch.window.start
            self.lunch_close[k] = route.lunch.window.end
            self.lunch_duration[k] = route.lunch.duration

    def lunch_arrival(self, finish: np.ndarray, travel: np.ndarray) -> np.ndarray:
        """Earliest arrival after a leg from a service ending at ``finish``, lunch on that leg."""
        usable = np.maximum(finish, self.lunch_open) <= self.lunch_close
        arrival = np.maximum(finish + travel, self.lunch_open) + self.lunch_duration
        return np.where(usable & (finish < INF), arrival, INF)

    def _forward(self) -> None:
        r, width = self.location.shape
        a = np.full((r, width), INF, dtype=np.int64)
        b = np.full((r, width), INF, dtype=np.int64)
        a[:, 0] = self.shift_start
        for i in range(width - 1):
            finish_a = np.minimum(a[:, i] + self.service[:, i], INF)
            finish_b = np.minimum(b[:, i] + self.service[:, i], INF)
            leg = self.leg[:, i]
            plain = np.maximum(self.early[:, i + 1], finish_a + leg)
            taken = np.minimum(finish_b + leg, self.lunch_arrival(finish_a, leg))
            taken = np.maximum(self.early[:, i + 1], taken)
            a[:, i + 1] = np.where(plain <= self.late[:, i + 1], plain, INF)
            b[:, i + 1] = np.where(taken <= self.late[:, i + 1], taken, INF)
        self.earliest, self.earliest_after_lunch = a, b

    def _backward(self) -> None:
        r, width = self.location.shape
        y = np.full((r, width), -INF, dtype=np.int64)
        z = np.full((r, width), -INF, dtype=np.int64)
        y[:, -1] = self.shift_end
        z[:, -1] = np.minimum(self.shift_end, self.lunch_close)  # lunch after the route ends
        for i in range(width - 2, -1, -1):
            leg, service = self.leg[:, i], self.service[:, i]
            taken = np.minimum(self.late[:, i], y[:, i + 1] - leg - service)
            finish = self.lunch_finish(y[:, i + 1], leg)
            pending = np.maximum(z[:, i + 1] - leg - service, finish - service)
            pending = np.minimum(self.late[:, i], pending)
            y[:, i] = np.where(taken >= self.early[:, i], taken, -INF)
            z[:, i] = np.where(pending >= self.early[:, i], pending, -INF)
        self.latest_after_lunch, self.latest = y, z

    def lunch_finish(self, next_latest: np.ndarray, travel: np.ndarray) -> np.ndarray:
        """Latest end of a service from which a leg holding the lunch reaches the next stop by
        ``next_latest``; ``-INF`` when no such end exists."""
        usable = (self.lunch_open + self.lunch_duration <= next_latest) & (
            self.lunch_open <= self.lunch_close
        )
        finish = np.minimum(next_latest - self.lunch_duration - travel, self.lunch_close)
        return np.where(usable & (next_latest > -INF), finish, -INF)


@dataclass(frozen=True)
class InsertionTable:
    """Every position of every route: ``[R, N + 1]`` arrays; ``valid`` masks padding."""

    added_duration: np.ndarray
    added_distance: np.ndarray
    feasible: np.ndarray
    start: np.ndarray
    valid: np.ndarray


def insertion_table(
    times: RouteTimes, job: InsertionJob, distances: np.ndarray
) -> InsertionTable:
    """Added travel and feasibility of ``job`` at every position of every route, ``O(1)`` each.

    Position ``p`` puts the job between node ``p`` (0 = the start) and node ``p + 1``.
    """
    if job.location >= times.durations.shape[0]:
        raise InvalidProblemError("job.location", f"location {job.location} out of range")
    dur = times.durations
    dist = np.asarray(distances, dtype=np.int64)
    u = job.location
    window = job.window or _OPEN
    here, there = times.location[:, :-1], times.location[:, 1:]
    into, out_of = dur[here, u], dur[u, there]
    added_duration = into + out_of - times.leg
    added_distance = dist[here, u] + dist[u, there] - dist[here, there]
    service = times.service[:, :-1]
    finish_a = np.minimum(times.earliest[:, :-1] + service, INF)
    finish_b = np.minimum(times.earliest_after_lunch[:, :-1] + service, INF)
    col = (slice(None), None)
    open_, close, length = (
        times.lunch_open[col], times.lunch_close[col], times.lunch_duration[col]
    )
    latest_next, latest_next_done = times.latest[:, 1:], times.latest_after_lunch[:, 1:]
    # (1) lunch still to take after the new job: in the leg after it, or later.
    start_plain = np.maximum(window.start, finish_a + into)
    done = start_plain + job.service
    later = done + out_of <= latest_next
    in_next_leg = (np.maximum(done, open_) <= close) & (
        np.maximum(done + out_of, open_) + length <= latest_next_done
    )
    plain_ok = (start_plain <= window.end) & (finish_a < INF) & (later | in_next_leg)
    # (2) lunch already taken before the new job: in an earlier leg, or the leg into it.
    usable = np.maximum(finish_a, open_) <= close
    into_lunch = np.where(usable & (finish_a < INF), np.maximum(finish_a + into, open_) + length,
                          INF)
    start_after = np.maximum(window.start, np.minimum(finish_b + into, into_lunch))
    after_ok = (
        (start_after < INF)
        & (start_after <= window.end)
        & (start_after + job.service + out_of <= latest_next_done)
    )
    positions = np.arange(times.location.shape[1] - 1)[None, :]
    valid = positions <= times.lengths[:, None]
    feasible = (plain_ok | after_ok) & valid
    start = np.where(plain_ok, start_plain, np.where(after_ok, start_after, -1))
    return InsertionTable(added_duration, added_distance, feasible, start, valid)


def cheapest_insertions(
    routes: Sequence[InsertionRoute],
    job: InsertionJob,
    durations: np.ndarray,
    distances: np.ndarray,
    objective: str = "duration",
) -> list[Insertion]:
    """The cheapest feasible insertion of ``job`` into each route (see :class:`Insertion`).

    Parameters
    ----------
    routes
        Routes over location indices of ``durations``/``distances`` (``[L, L]`` int).
    job
        The new job; its ``location`` must be a row of the matrices.
    objective
        ``"duration"``: least added seconds, ties by meters; ``"distance"``: the other way.

    Raises
    ------
    InvalidProblemError
        When a location index is out of range or ``objective`` is unknown.
    """
    if objective not in ("duration", "distance"):
        raise InvalidProblemError("objective", f"{objective!r} is not 'duration' or 'distance'")
    times = RouteTimes(routes, durations)
    return best_of(times, insertion_table(times, job, distances), objective)


def _lexicographic_argmin(first: np.ndarray, second: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Per row, the first column minimising ``(first, second)`` among ``usable`` columns."""
    top = np.iinfo(np.int64).max
    masked = np.where(usable, first, top)
    tied = usable & (masked == masked.min(axis=1, keepdims=True))
    return np.where(tied, second, top).argmin(axis=1)


def best_of(
    times: RouteTimes, table: InsertionTable, objective: str = "duration"
) -> list[Insertion]:
    """Pick the cheapest feasible position per route from ``table`` (first position on ties)."""
    first, second = table.added_duration, table.added_distance
    if objective == "distance":
        first, second = second, first
    found = table.feasible.any(axis=1)
    usable = np.where(found[:, None], table.feasible, table.valid)
    chosen = _lexicographic_argmin(first, second, usable)
    result = []
    for k, p in enumerate(chosen.tolist()):
        ok = bool(found[k])
        result.append(
            Insertion(
                feasible=ok,
                position=int(p),
                added_duration=int(table.added_duration[k, p]),
                added_distance=int(table.added_distance[k, p]),
                start=int(table.start[k, p]) if ok else None,
                route_feasible=bool(times.route_feasible[k]),
            )
        )
    return result
