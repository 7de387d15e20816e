"""Times of one crew-day after a dispatcher's edit, without the solver.

A move changes two routes; the dispatcher needs their new times at once, and the solver is
not needed to add up travel. The day is timed with the company's
:class:`~scheduling.builder.TravelModel` in the solver's own timing model
(:func:`optimizer.route_timing.schedule_route`, the model the quotes' insertion uses): from
the crew's yard at the shift start, travel between consecutive stops, waiting for a visit's
time window, the time on site (duration + setup), back to the yard; the crew's lunch starts
inside its window during a drive (or after the last visit), never in a visit. So the times
after a move are the ones the solver and a quote would give that order. Whatever breaks a
rule (a missed window, a day longer than the shift, no room for the lunch) comes back as a
warning for the dispatcher: an edit is never refused for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from crm.agreements import Agreement
from crm.crews import Crew as CrewRow
from optimizer import Break, Location, TimeWindow
from optimizer.insertion import InsertionJob, InsertionRoute
from optimizer.route_timing import schedule_route
from scheduling.builder import TravelModel

#: Start and end of the day of a crew without a shift on that weekday (seconds).
DEFAULT_SHIFT = (8 * 3600, 17 * 3600)
DEFAULT_TRAVEL = TravelModel()


@dataclass(frozen=True)
class StopTime:
    """When the crew arrives, starts and leaves one stop; travel into it."""

    arrival_s: int
    start_s: int
    end_s: int
    travel_s: int
    distance_m: int


@dataclass(frozen=True)
class DayTimes:
    """A crew-day walked in order: its stops' times, its travel (yard back to yard included)."""

    stops: tuple[StopTime, ...]
    travel_s: int
    distance_m: int
    warnings: tuple[str, ...]
    lunch_start_s: int | None = None


def clock(seconds: int) -> str:
    """``HH:MM`` of seconds after midnight."""
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}"


def _shift(crew: CrewRow, date: dt.date) -> tuple[int, int] | None:
    for shift in crew.shifts:
        if shift.weekday == date.weekday():
            return shift.start_min * 60, shift.end_min * 60
    return None


def _matrices(crew: CrewRow, agreements: Sequence[Agreement], travel: TravelModel):  # type: ignore[no-untyped-def]
    """Duration and distance matrices over [yard start, yard end, stop 1, ..., stop n]."""
    locations = [
        Location("start", crew.start_lat, crew.start_lon),
        Location("end", crew.end_lat, crew.end_lon),
    ]
    for i, agreement in enumerate(agreements):
        site = agreement.site
        locations.append(Location(f"stop{i}", site.lat or 0.0, site.lon or 0.0))
    durations, distances = travel.provider().matrices(locations)
    return np.asarray(durations), np.asarray(distances)


def _insertion_route(
    crew: CrewRow, shift: tuple[int, int], agreements: Sequence[Agreement], setup_min: int
) -> InsertionRoute:
    """The day as the solver sees it (locations: 0 the start yard, 1 the end yard, stops 2..):
    a window only when both ends are set, as the builder gives the planner."""
    stops = []
    for i, agreement in enumerate(agreements):
        window = None
        if agreement.tw_start_min is not None and agreement.tw_end_min is not None:
            window = TimeWindow(agreement.tw_start_min * 60, agreement.tw_end_min * 60)
        stops.append(InsertionJob(i + 2, (agreement.duration_min + setup_min) * 60, window))
    lunch = None
    if crew.lunch_min:
        lunch = Break(crew.lunch_min * 60,
                      TimeWindow(crew.lunch_start_min * 60, crew.lunch_end_min * 60))
    return InsertionRoute(0, 1, TimeWindow(*shift), tuple(stops), lunch)


def time_day(
    crew: CrewRow,
    date: dt.date,
    agreements: Sequence[Agreement],
    travel: TravelModel = DEFAULT_TRAVEL,
) -> DayTimes:
    """Time ``agreements`` (one per stop, in route order) for ``crew`` on ``date``.

    Starts at the shift start from the crew's yard (08:00 to 17:00 with a warning when the
    crew has no shift that weekday); see the module docstring for the model.
    """
    day = f"{crew.name}, {date:%a %d %b}"
    warnings: list[str] = []
    shift = _shift(crew, date)
    if shift is None:
        warnings.append(f"{day}: the crew has no shift that day")
        shift = DEFAULT_SHIFT
    if not agreements:
        return DayTimes((), 0, 0, tuple(warnings))
    durations, distances = _matrices(crew, agreements, travel)
    route = _insertion_route(crew, shift, agreements, travel.setup_min)
    schedule = schedule_route(route, durations)
    stops, here, distance_m = [], 0, 0
    for i, stop in enumerate(schedule.stops):
        meters = int(distances[here, i + 2])
        stops.append(StopTime(stop.arrival, stop.start, stop.end, stop.travel, meters))
        distance_m, here = distance_m + meters, i + 2
    distance_m += int(distances[here, 1])
    for i in schedule.late:
        window = route.stops[i].window
        assert window is not None
        warnings.append(f"{day}: visit {agreements[i].external_id} starts "
                        f"{clock(schedule.stops[i].start)}, after its window ends "
                        f"{clock(window.end)}")
    if schedule.lunch_late and schedule.lunch_start is not None:
        warnings.append(f"{day}: no room for the lunch before {clock(crew.lunch_end_min * 60)}; "
                        f"it starts {clock(schedule.lunch_start)}")
    if schedule.over_shift:
        warnings.append(f"{day}: the route ends {clock(schedule.back)}, after the shift ends "
                        f"{clock(shift[1])}")
    return DayTimes(tuple(stops), schedule.travel, distance_m, tuple(warnings),
                    schedule.lunch_start)
