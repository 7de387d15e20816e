"""The weekly planner's input: crews, recurring jobs, consistency weights.

A *periodic* problem spans ``days`` days (a week by default, up to 28 so that
biweekly and monthly work can be balanced). Time inside a day is in seconds
from that day's midnight; day ``d`` is 0-based within the horizon. The
planner turns it into one core :class:`~optimizer.problem.ProblemData` per
group of days, where a vehicle is one crew on one day (``"<crew>@<day>"``).

Frequencies, every-N-weeks phases and minimum spacing are not separate
fields: they are all expressed by the allowed day *patterns* of a job, as in
Cordeau, Gendreau and Laporte (1997). A job gets exactly one of its patterns.
Validation follows the core: a malformed value raises
:class:`~optimizer.exceptions.InvalidProblemError` naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from optimizer.exceptions import InvalidProblemError
from optimizer.problem import Break, Location, TimeWindow, _matrix, _skills, check_int
from optimizer.units import DAY

MAX_DAYS = 28
"""Longest horizon: four weeks (monthly work balanced over a month)."""


def _crew_shifts(value: Any) -> dict[int, TimeWindow]:
    if not isinstance(value, Mapping):
        raise InvalidProblemError("shifts", f"expected {{day: [start, end]}}, got {value!r}")
    shifts: dict[int, TimeWindow] = {}
    for day in sorted(value, key=str):
        name = f"shifts[{day}]"
        number = check_int(name, day, 0, MAX_DAYS - 1)
        shifts[number] = TimeWindow.coerce(value[day], name)
    return shifts


@dataclass(frozen=True, slots=True)
class Crew:
    """A crew: where it starts and ends, when it works, what it can do.

    ``shifts`` maps a day index to that day's shift (seconds from that day's
    midnight); a day absent from it is a day off (holiday, absence). The
    shift end may stretch by up to ``overtime_max`` seconds, each second of
    it costing ``overtime_cost_per_hour / 3600`` cents (a hard cap and a
    soft price). ``max_duration`` bounds one day's route, as in the core.
    """

    id: str
    start: int
    end: int
    skills: frozenset[str] = frozenset()
    shifts: dict[int, TimeWindow] = field(default_factory=dict)
    lunch: Break | None = None
    capacity: int | None = None
    cost_per_hour: int = 0
    max_duration: int | None = None
    overtime_max: int = 0
    overtime_cost_per_hour: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidProblemError("id", f"expected a non-empty string id, got {self.id!r}")
        if "@" in self.id:
            raise InvalidProblemError("id", f"{self.id!r} contains '@', which names crew-days")
        object.__setattr__(self, "start", check_int("start", self.start))
        object.__setattr__(self, "end", check_int("end", self.end))
        object.__setattr__(self, "skills", _skills("skills", self.skills))
        object.__setattr__(self, "shifts", _crew_shifts(self.shifts))
        if self.lunch is not None and not isinstance(self.lunch, Break):
            raise InvalidProblemError("lunch", f"expected a Break, got {self.lunch!r}")
        if self.capacity is not None:
            object.__setattr__(self, "capacity", check_int("capacity", self.capacity))
        if self.max_duration is not None:
            object.__setattr__(
                self, "max_duration", check_int("max_duration", self.max_duration, 1)
            )
        for name in ("cost_per_hour", "overtime_max", "overtime_cost_per_hour"):
            object.__setattr__(self, name, check_int(name, getattr(self, name)))

    def works(self, day: int) -> bool:
        """True when the crew has a shift on ``day``."""
        return day in self.shifts

    def __hash__(self) -> int:
        return hash(self.id)


def _patterns(value: Any) -> tuple[frozenset[int], ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidProblemError("patterns", f"expected a tuple of day sets, got {value!r}")
    out: list[frozenset[int]] = []
    for i, pattern in enumerate(value):
        name = f"patterns[{i}]"
        if isinstance(pattern, str | bytes) or not isinstance(pattern, Iterable):
            raise InvalidProblemError(name, f"expected a set of day indices, got {pattern!r}")
        days = frozenset(check_int(name, d, 0, MAX_DAYS - 1) for d in pattern)
        if not days:
            raise InvalidProblemError(name, "empty pattern; a job needs at least one visit")
        if out and len(days) != len(out[0]):
            raise InvalidProblemError(
                name, f"has {len(days)} days, patterns[0] has {len(out[0])}; all need `visits`"
            )
        if days in out:
            raise InvalidProblemError(name, f"duplicates patterns[{out.index(days)}]")
        out.append(days)
    if not out:
        raise InvalidProblemError("patterns", "at least one allowed day pattern is needed")
    return tuple(out)


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """A recurring job: ``visits`` visits over the horizon on one of ``patterns``.

    ``windows`` bound the start of service in seconds from the visit day's
    midnight (every visit gets the same windows). ``pinned_day_crew`` fixes
    the day and/or the crew (``None`` leaves that part free); a pinned day
    keeps only the patterns that contain it. ``previous`` lists the (day,
    crew) of each visit in the published plan, for stability.
    """

    id: str
    location: int
    service: int
    windows: tuple[TimeWindow, ...] = ()
    skills: frozenset[str] = frozenset()
    demand: int = 0
    priority: int = 3
    patterns: tuple[frozenset[int], ...] = ()
    pinned_day_crew: tuple[int | None, str | None] | None = None
    preferred_crew: str | None = None
    preferred_days: frozenset[int] = frozenset()
    previous: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        from optimizer.problem import Job

        try:  # the core validates id, location, service, windows, skills, demand, priority
            core = Job(self.id, self.location, self.service, tuple(self.windows), self.skills,
                       self.demand, self.priority)  # fmt: skip
        except InvalidProblemError:
            raise
        for name in ("location", "service", "windows", "skills", "demand", "priority"):
            object.__setattr__(self, name, getattr(core, name))
        object.__setattr__(self, "patterns", _patterns(self.patterns))
        if self.pinned_day_crew is not None:
            try:
                day, crew = self.pinned_day_crew
            except (TypeError, ValueError):
                raise InvalidProblemError(
                    "pinned_day_crew", f"expected (day or None, crew or None), got "
                    f"{self.pinned_day_crew!r}") from None  # fmt: skip
            if day is not None:
                day = check_int("pinned_day_crew[0]", day, 0, MAX_DAYS - 1)
            if crew is not None and (not isinstance(crew, str) or not crew):
                raise InvalidProblemError("pinned_day_crew[1]", f"expected a crew id, got {crew!r}")
            object.__setattr__(self, "pinned_day_crew", (day, crew))
        if self.preferred_crew is not None and not isinstance(self.preferred_crew, str):
            raise InvalidProblemError(
                "preferred_crew", f"expected a crew id: {self.preferred_crew!r}"
            )
        object.__setattr__(
            self, "preferred_days",
            frozenset(check_int("preferred_days", d, 0, MAX_DAYS - 1) for d in self.preferred_days),
        )  # fmt: skip
        previous = []
        for i, item in enumerate(self.previous):
            try:
                day, crew = item
            except (TypeError, ValueError):
                raise InvalidProblemError(
                    f"previous[{i}]", f"expected (day, crew): {item!r}"
                ) from None
            previous.append((check_int(f"previous[{i}][0]", day, 0, MAX_DAYS - 1), str(crew)))
        if len({d for d, _ in previous}) != len(previous):
            raise InvalidProblemError("previous", "two visits on one day")
        object.__setattr__(self, "previous", tuple(sorted(previous)))

    @property
    def visits(self) -> int:
        """Number of visits over the horizon (the size of every pattern)."""
        return len(self.patterns[0])

    @property
    def pinned_day(self) -> int | None:
        """The pinned day, if any."""
        return None if self.pinned_day_crew is None else self.pinned_day_crew[0]

    @property
    def pinned_crew(self) -> str | None:
        """The pinned crew id, if any."""
        return None if self.pinned_day_crew is None else self.pinned_day_crew[1]


@dataclass(frozen=True, slots=True)
class ConsistencyWeights:
    """Soft consistency, in objective units (travel seconds, or meters) per violation.

    ``same_crew`` is charged per extra crew a customer sees (two crews over
    its visits: once); ``preferred_day`` per visit on a day outside the
    job's ``preferred_days``; ``preferred_crew`` per visit by another crew;
    ``previous_assignment`` per visit whose (day, crew) is not one it had in
    ``previous``; ``balance`` per hour of work (travel + service) a crew-day
    carries above the mean of the working crew-days. The defaults price a
    broken habit like a 5-15 minute detour: worth keeping, not at any cost.
    """

    same_crew: int = 900
    preferred_day: int = 600
    preferred_crew: int = 600
    previous_assignment: int = 300
    balance: int = 0

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, check_int(f.name, getattr(self, f.name)))


@dataclass(frozen=True, eq=False)
class PeriodicProblem:
    """The whole weekly (or up to four-weekly) planning problem; immutable and validated.

    ``stability_budget`` ``K``: at most ``K`` jobs may change day or crew
    against their ``previous`` assignment (``None``: no limit). Jobs whose
    previous assignment is no longer possible do not count against it.
    """

    duration_matrix: np.ndarray
    distance_matrix: np.ndarray
    crews: tuple[Crew, ...]
    jobs: tuple[PeriodicJob, ...]
    days: int = 7
    weights: ConsistencyWeights = field(default_factory=ConsistencyWeights)
    stability_budget: int | None = None
    locations: tuple[Location, ...] = ()

    def __post_init__(self) -> None:
        durations = _matrix("duration_matrix", self.duration_matrix)
        distances = _matrix("distance_matrix", self.distance_matrix)
        if durations.shape != distances.shape:
            raise InvalidProblemError(
                "distance_matrix", f"shape {distances.shape} differs from {durations.shape}"
            )
        object.__setattr__(self, "duration_matrix", durations)
        object.__setattr__(self, "distance_matrix", distances)
        object.__setattr__(self, "days", check_int("days", self.days, 1, MAX_DAYS))
        if not isinstance(self.weights, ConsistencyWeights):
            raise InvalidProblemError("weights", f"expected ConsistencyWeights: {self.weights!r}")
        if self.stability_budget is not None:
            budget = check_int("stability_budget", self.stability_budget)
            object.__setattr__(self, "stability_budget", budget)
        for name, kind in (("crews", Crew), ("jobs", PeriodicJob), ("locations", Location)):
            items = tuple(getattr(self, name))
            for i, item in enumerate(items):
                if not isinstance(item, kind):
                    raise InvalidProblemError(f"{name}[{i}]", f"expected {kind.__name__}")
            object.__setattr__(self, name, items)
        from optimizer.periodic.validate import check_references

        check_references(self)

    @property
    def day_length(self) -> int:
        """Seconds between two days on a multi-day model's clock: a day, or the longest shift."""
        ends = [s.end + c.overtime_max for c in self.crews for s in c.shifts.values()]
        return max([DAY, *(e + 1 for e in ends)])

    @property
    def num_locations(self) -> int:
        """Number of locations ``L``."""
        return int(self.duration_matrix.shape[0])

    def crew_index(self, crew_id: str) -> int:
        """Index of a crew (``KeyError`` if unknown)."""
        for i, crew in enumerate(self.crews):
            if crew.id == crew_id:
                return i
        raise KeyError(crew_id)
