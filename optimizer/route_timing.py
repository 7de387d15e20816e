"""The times of one route in a given order, in the core's timing model.

When a person changes a route (a dispatcher moves a visit), its new times should be the
ones the solver and the quote (:mod:`optimizer.insertion`) would compute for that order, so
that the three never disagree about when a crew is where. The model is the core's
(:mod:`optimizer.constraints`), as :mod:`optimizer.insertion` states it: service starts
inside the job's window (waiting allowed), the route leaves at or after the shift start and
is back by its end, and the lunch is OR-Tools' break: it starts inside its window, overlaps
no service, and is taken during a leg (the gap between two services holds the travel and
the lunch: the next stop is reached at ``max(finish + travel, open) + lunch`` at the
earliest), or after the route ends (it then only has to start by the window's end). A lunch
before the route starts is never better than one during the first leg.

:func:`schedule_route` walks the route once per place of the lunch (``O(n^2)``; routes are
short) and keeps, among the schedules that keep every rule, the one back at the end
earliest, then the one with the lunch in the earliest leg: the solver's choice on the
sample company's routes (re-timed, its routes get its own start times, except where it
leaves the yard late). So the route is feasible exactly when
:class:`optimizer.insertion.RouteTimes` says it is. A route with no
schedule that keeps every rule still gets times: the one that breaks fewest rules, then is
least late; what it breaks is listed for the caller to warn about. Times are the earliest:
the solver's own plan may start a route later (its finalizer leaves as late as the route's
end allows), never earlier for the same lunch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.insertion import InsertionRoute


@dataclass(frozen=True, slots=True)
class StopSchedule:
    """Arrival, service start and service end of one stop; travel into it (seconds)."""

    arrival: int
    start: int
    end: int
    travel: int


@dataclass(frozen=True, slots=True)
class RouteSchedule:
    """One schedule of a route: its stops, when it leaves and is back, where lunch falls.

    ``lunch_leg`` is the leg holding the lunch: ``i`` is the leg into stop ``i`` (0 = from
    the start to the first stop), ``len(stops)`` the leg back to the end, ``len(stops) + 1``
    after the route ends; ``None`` without a lunch. ``late`` lists the stops whose service
    starts after their window; ``lunch_late`` and ``over_shift`` say whether the lunch
    starts after its window and whether the route is back after the shift end.
    """

    stops: tuple[StopSchedule, ...]
    departure: int
    back: int
    travel: int
    lunch_start: int | None
    lunch_leg: int | None
    late: tuple[int, ...]
    lunch_late: bool
    over_shift: bool

    @property
    def feasible(self) -> bool:
        """True when the schedule keeps every window, the shift and the lunch window."""
        return not self.late and not self.lunch_late and not self.over_shift


def _walk(route: InsertionRoute, durations: np.ndarray, lunch_leg: int | None) -> RouteSchedule:
    """The earliest schedule of ``route`` with the lunch in ``lunch_leg`` (see RouteSchedule)."""
    lunch = route.lunch
    departure = finish = route.shift.start
    here = route.start
    stops: list[StopSchedule] = []
    late: list[int] = []
    lunch_start: int | None = None
    total = 0
    for leg, stop in enumerate([*route.stops, None]):
        there = route.end if stop is None else stop.location
        travel = int(durations[here, there])
        total += travel
        if lunch is not None and leg == lunch_leg:
            lunch_start = max(finish, lunch.window.start)
            arrival = max(finish + travel, lunch.window.start) + lunch.duration
        else:
            arrival = finish + travel
        if stop is None:
            finish = arrival
            break
        start = arrival if stop.window is None else max(arrival, stop.window.start)
        if stop.window is not None and start > stop.window.end:
            late.append(leg)
        stops.append(StopSchedule(arrival, start, start + stop.service, travel))
        finish, here = start + stop.service, there
    if lunch is not None and lunch_start is None:  # after the route ends
        lunch_start = max(finish, lunch.window.start)
    lunch_late = lunch is not None and lunch_start is not None and (
        lunch_start > lunch.window.end)  # fmt: skip
    return RouteSchedule(tuple(stops), departure, finish, total, lunch_start,
                         lunch_leg if lunch is not None else None, tuple(late), lunch_late,
                         finish > route.shift.end)  # fmt: skip


def _lateness(route: InsertionRoute, schedule: RouteSchedule) -> int:
    """Seconds by which the schedule misses its windows, shift end and lunch window."""
    total = max(0, schedule.back - route.shift.end)
    for i in schedule.late:
        window = route.stops[i].window
        total += schedule.stops[i].start - (window.end if window else 0)
    if schedule.lunch_late and route.lunch is not None and schedule.lunch_start is not None:
        total += schedule.lunch_start - route.lunch.window.end
    return total


def schedule_route(route: InsertionRoute, durations: np.ndarray) -> RouteSchedule:
    """The times of ``route`` (stops in its order) in the core's model; see the module doc.

    ``durations`` is the ``[L, L]`` travel-seconds matrix the route's locations index.
    """
    durations = np.asarray(durations)
    legs = len(route.stops) + 2  # every leg, and after the end
    candidates = [_walk(route, durations, None)] if route.lunch is None else [
        _walk(route, durations, leg) for leg in range(legs)]  # fmt: skip

    def rank(schedule: RouteSchedule) -> tuple[int, int, int, int]:
        broken = len(schedule.late) + schedule.lunch_late + schedule.over_shift
        return broken, _lateness(route, schedule), schedule.back, schedule.lunch_leg or 0

    return min(candidates, key=rank)
