"""Times of one crew-day after a dispatcher's edit, without the solver.

A move changes two routes; the dispatcher needs their new times at once, and the solver is
not needed to add up travel. The day is walked in order with the company's
:class:`~scheduling.builder.TravelModel`: from the crew's yard, travel between consecutive
stops, waiting for a visit's time window, the time on site (duration + setup), a lunch break
when the crew has one, and back to the yard. Whatever breaks a rule (a missed window, a day
longer than the shift) comes back as a warning for the dispatcher: an edit is never refused
for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from crm.agreements import Agreement
from crm.crews import Crew as CrewRow
from optimizer import Location
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


def time_day(
    crew: CrewRow,
    date: dt.date,
    agreements: Sequence[Agreement],
    travel: TravelModel = DEFAULT_TRAVEL,
) -> DayTimes:
    """Walk ``agreements`` (one per stop, in route order) for ``crew`` on ``date``.

    Starts at the shift start from the crew's yard (08:00 with a warning when the crew has
    no shift that weekday); a visit starts at its window's start when the crew is early; lunch
    (``crew.lunch_min``) is taken before the first leg that would start at or after the lunch
    window opens, or whose visit would otherwise end after the window closes.
    """
    day = f"{crew.name}, {date:%a %d %b}"
    warnings: list[str] = []
    shift = _shift(crew, date)
    if shift is None:
        warnings.append(f"{day}: the crew has no shift that day")
        shift = DEFAULT_SHIFT
    durations, distances = _matrices(crew, agreements, travel)
    lunch_due = crew.lunch_min > 0
    lunch_from, lunch_to = crew.lunch_start_min * 60, crew.lunch_end_min * 60
    now, here = shift[0], 0
    stops = []
    travel_s = distance_m = 0
    for i, agreement in enumerate(agreements):
        there = i + 2
        leg = int(durations[here, there])
        service = (agreement.duration_min + travel.setup_min) * 60
        window = (agreement.tw_start_min, agreement.tw_end_min)
        if lunch_due and (now >= lunch_from or now + leg + service > lunch_to):
            now = max(now, lunch_from) + crew.lunch_min * 60
            lunch_due = False
        arrival = now + leg
        start = max(arrival, window[0] * 60) if window[0] is not None else arrival
        if window[1] is not None and start > window[1] * 60:
            warnings.append(f"{day}: visit {agreement.external_id} starts {clock(start)}, "
                            f"after its window ends {clock(window[1] * 60)}")
        end = start + service
        stops.append(StopTime(arrival, start, end, leg, int(distances[here, there])))
        travel_s += leg
        distance_m += int(distances[here, there])
        now, here = end, there
    if agreements:
        travel_s += int(durations[here, 1])
        distance_m += int(distances[here, 1])
        finish = now + int(durations[here, 1])
        if finish > shift[1]:
            warnings.append(f"{day}: the route ends {clock(finish)}, after the shift ends "
                            f"{clock(shift[1])}")
    return DayTimes(tuple(stops), travel_s, distance_m, tuple(warnings))
