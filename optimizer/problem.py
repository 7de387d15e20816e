"""Immutable problem data: locations, vehicles, jobs and the travel matrices.

Everything is validated when it is built, so that the solver never sees a
malformed problem and a bad input fails with a message naming the field and
the value (:class:`~optimizer.exceptions.InvalidProblemError`). All numbers are
integers in the units of :mod:`optimizer.units` (seconds, meters, cents).

A *vehicle* is one crew on one day. A weekly planner built on top gives a job
several candidate vehicles through ``allowed_vehicles``; the solver then picks
the crew-day as part of the routing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizer.exceptions import InvalidProblemError
from optimizer.units import MAX_VALUE


def check_int(name: str, value: Any, low: int = 0, high: int = MAX_VALUE) -> int:
    """Return ``value`` as ``int`` or raise naming ``name``; bools and fractions are refused."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer | float):
        raise InvalidProblemError(name, f"expected an integer, got {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise InvalidProblemError(name, f"expected an integer, got {value!r}")
    number = int(value)
    if number < low:
        detail = f"negative value {number}" if low == 0 else f"{number} is below the minimum {low}"
        raise InvalidProblemError(name, detail)
    if number > high:
        raise InvalidProblemError(name, f"{number} is above the maximum {high}")
    return number


def _check_id(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidProblemError(name, f"expected a non-empty string id, got {value!r}")
    return value


def _skills(name: str, value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise InvalidProblemError(name, f"expected a set of skill names, got the string {value!r}")
    skills = frozenset(value)
    for skill in sorted(skills, key=str):
        _check_id(name, skill)
    return skills


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Inclusive interval ``[start, end]`` of seconds from the horizon start.

    For a job it bounds the *start* of service (waiting is allowed), as in the
    Solomon instances and in VROOM.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", check_int("start", self.start))
        object.__setattr__(self, "end", check_int("end", self.end))
        if self.end < self.start:
            raise InvalidProblemError("", f"end {self.end} before start {self.start}")

    @classmethod
    def coerce(cls, value: TimeWindow | Iterable[int], name: str) -> TimeWindow:
        """Accept a ``TimeWindow`` or a ``(start, end)`` pair; errors are prefixed ``name``."""
        if isinstance(value, TimeWindow):
            return value
        try:
            start, end = value  # type: ignore[misc]
            return cls(start, end)
        except InvalidProblemError as error:
            raise error.at(name) from None
        except (TypeError, ValueError):
            raise InvalidProblemError(name, f"expected [start, end], got {value!r}") from None

    def overlaps(self, other: TimeWindow) -> bool:
        """True when the two inclusive intervals share at least one second."""
        return self.start <= other.end and other.start <= self.end


@dataclass(frozen=True, slots=True)
class Break:
    """A break of ``duration`` seconds that must *start* inside ``window``."""

    duration: int
    window: TimeWindow

    def __post_init__(self) -> None:
        object.__setattr__(self, "duration", check_int("duration", self.duration))
        object.__setattr__(self, "window", TimeWindow.coerce(self.window, "window"))


@dataclass(frozen=True, slots=True)
class Location:
    """A geocoded place; ``lat``/``lon`` in degrees (WGS84)."""

    id: str
    lat: float
    lon: float

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        for name, value, bound in (("lat", self.lat, 90.0), ("lon", self.lon, 180.0)):
            if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
                raise InvalidProblemError(name, f"expected degrees, got {value!r}")
            if math.isnan(value) or not -bound <= value <= bound:
                raise InvalidProblemError(name, f"{value!r} is not within [-{bound}, {bound}]")
            object.__setattr__(self, name, float(value))


@dataclass(frozen=True, slots=True)
class Vehicle:
    """One crew on one day.

    ``start`` and ``end`` are location indices; the crew leaves ``start`` and
    returns to ``end`` inside ``shift``. ``max_duration`` bounds end minus
    start of the route. ``capacity`` ``None`` means unlimited. ``fixed_cost``
    is charged in objective units when the vehicle is used (0 for benchmarks);
    ``cost_per_hour`` (cents) prices the route in the KPIs.
    """

    id: str
    start: int
    end: int
    shift: TimeWindow
    skills: frozenset[str] = frozenset()
    lunch: Break | None = None
    capacity: int | None = None
    cost_per_hour: int = 0
    max_duration: int | None = None
    fixed_cost: int = 0

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        object.__setattr__(self, "start", check_int("start", self.start))
        object.__setattr__(self, "end", check_int("end", self.end))
        object.__setattr__(self, "shift", TimeWindow.coerce(self.shift, "shift"))
        object.__setattr__(self, "skills", _skills("skills", self.skills))
        if self.capacity is not None:
            object.__setattr__(self, "capacity", check_int("capacity", self.capacity))
        object.__setattr__(self, "cost_per_hour", check_int("cost_per_hour", self.cost_per_hour))
        object.__setattr__(self, "fixed_cost", check_int("fixed_cost", self.fixed_cost))
        if self.max_duration is not None:
            object.__setattr__(
                self, "max_duration", check_int("max_duration", self.max_duration, low=1)
            )
        if self.lunch is not None:
            if not isinstance(self.lunch, Break):
                raise InvalidProblemError("lunch", f"expected a Break, got {self.lunch!r}")
            window, shift = self.lunch.window, self.shift
            if window.start < shift.start or window.start > shift.end:
                raise InvalidProblemError(
                    "lunch.window",
                    f"[{window.start}, {window.end}] starts outside the shift "
                    f"[{shift.start}, {shift.end}]",
                )
            if self.lunch.duration > shift.end - shift.start:
                raise InvalidProblemError(
                    "lunch.duration", f"{self.lunch.duration} is longer than the shift"
                )


@dataclass(frozen=True, slots=True)
class Job:
    """A visit to serve at ``location`` for ``service`` seconds.

    ``windows`` bound the start of service (empty: any time in the shift).
    ``priority`` 1..5 sets the penalty for leaving the job out (5 = most
    important). ``pinned_vehicle`` (and optionally ``pinned_position``, the
    0-based place among the vehicle's stops) fix a dispatcher's decision;
    ``allowed_vehicles`` restricts the candidates (``None`` = any vehicle).
    """

    id: str
    location: int
    service: int
    windows: tuple[TimeWindow, ...] = ()
    skills: frozenset[str] = frozenset()
    demand: int = 0
    priority: int = 3
    pinned_vehicle: str | None = None
    pinned_position: int | None = None
    allowed_vehicles: frozenset[str] | None = None

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        object.__setattr__(self, "location", check_int("location", self.location))
        object.__setattr__(self, "service", check_int("service", self.service))
        windows = tuple(TimeWindow.coerce(w, f"windows[{i}]") for i, w in enumerate(self.windows))
        order = sorted(range(len(windows)), key=lambda i: windows[i].start)
        for a, b in zip(order, order[1:], strict=False):
            if windows[a].overlaps(windows[b]):
                raise InvalidProblemError(
                    f"windows[{b}]", f"overlaps windows[{a}]; merge them into one window"
                )
        object.__setattr__(self, "windows", tuple(windows[i] for i in order))
        object.__setattr__(self, "skills", _skills("skills", self.skills))
        object.__setattr__(self, "demand", check_int("demand", self.demand))
        object.__setattr__(self, "priority", check_int("priority", self.priority, 1, 5))
        if self.pinned_vehicle is not None:
            _check_id("pinned_vehicle", self.pinned_vehicle)
        if self.pinned_position is not None:
            pos = check_int("pinned_position", self.pinned_position)
            object.__setattr__(self, "pinned_position", pos)
            if self.pinned_vehicle is None:
                raise InvalidProblemError("pinned_position", f"{pos} given without pinned_vehicle")
        if self.allowed_vehicles is not None:
            allowed = _skills("allowed_vehicles", self.allowed_vehicles)
            object.__setattr__(self, "allowed_vehicles", allowed)


def _empty_route_problem(vehicle: Vehicle, travel: int) -> str | None:
    """Why even an empty day (start -> end, plus lunch) cannot fit ``vehicle``, or ``None``.

    An unusable vehicle would make the whole routing model infeasible, so it is
    an input error rather than something to discover during the search.
    """
    shift, length = vehicle.shift, vehicle.shift.end - vehicle.shift.start
    limit = length if vehicle.max_duration is None else min(length, vehicle.max_duration)
    if travel > limit:
        return f"the drive from start to end ({travel} s) does not fit the shift/max_duration"
    if vehicle.lunch is None:
        return None
    w, d = vehicle.lunch.window, vehicle.lunch.duration
    before = max(shift.start, w.start + d) + travel <= shift.end  # lunch, then drive
    after = w.end >= shift.start + travel  # drive, then lunch
    during = travel + d <= limit and w.start + d <= shift.end  # lunch interrupts the drive
    if before or after or during:
        return None
    return f"the drive from start to end ({travel} s) and the lunch do not fit the shift"


def _matrix(name: str, value: Any) -> np.ndarray:
    try:
        array = np.array(value, copy=True)
    except (TypeError, ValueError) as error:
        raise InvalidProblemError(name, f"not a numeric matrix ({error})") from None
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise InvalidProblemError(name, f"shape {array.shape} is not square [L, L]")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        if not np.issubdtype(array.dtype, np.floating) or not np.all(np.isfinite(array)):
            raise InvalidProblemError(name, f"dtype {array.dtype} holds non-finite or non-numbers")
        if not np.all(array == np.round(array)):
            raise InvalidProblemError(name, "holds fractions; round with optimizer.units first")
    array = array.astype(np.int64)
    if array.size and array.min() < 0:
        i, j = np.unravel_index(int(array.argmin()), array.shape)
        raise InvalidProblemError(f"{name}[{i}][{j}]", f"negative value {array[i, j]}")
    if array.size and array.max() > MAX_VALUE:
        i, j = np.unravel_index(int(array.argmax()), array.shape)
        raise InvalidProblemError(f"{name}[{i}][{j}]", f"{array[i, j]} above {MAX_VALUE}")
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class ProblemData:
    """The whole routing problem; immutable and validated.

    Parameters
    ----------
    duration_matrix, distance_matrix
        ``int64 [L, L]`` seconds and meters between locations (copied and
        made read-only).
    vehicles, jobs
        Unique ids; all location indices must be ``< L``.
    locations
        Optional, for maps and for re-computing matrices; if given, ``L`` entries.
    """

    duration_matrix: np.ndarray
    distance_matrix: np.ndarray
    vehicles: tuple[Vehicle, ...]
    jobs: tuple[Job, ...]
    locations: tuple[Location, ...] = field(default=())

    def __post_init__(self) -> None:
        durations = _matrix("duration_matrix", self.duration_matrix)
        distances = _matrix("distance_matrix", self.distance_matrix)
        if durations.shape != distances.shape:
            raise InvalidProblemError(
                "distance_matrix", f"shape {distances.shape} differs from {durations.shape}"
            )
        object.__setattr__(self, "duration_matrix", durations)
        object.__setattr__(self, "distance_matrix", distances)
        for name, kind in (("vehicles", Vehicle), ("jobs", Job), ("locations", Location)):
            items = tuple(getattr(self, name))
            for i, item in enumerate(items):
                if not isinstance(item, kind):
                    raise InvalidProblemError(f"{name}[{i}]", f"expected {kind.__name__}")
            object.__setattr__(self, name, items)
        self._check_references(len(durations))

    def _check_references(self, size: int) -> None:
        if self.locations and len(self.locations) != size:
            raise InvalidProblemError(
                "locations", f"{len(self.locations)} entries for a {size}x{size} matrix"
            )
        ids: dict[str, int] = {}
        for i, vehicle in enumerate(self.vehicles):
            if vehicle.id in ids:
                raise InvalidProblemError(f"vehicles[{i}].id", f"duplicate id {vehicle.id!r}")
            ids[vehicle.id] = i
            for attr in ("start", "end"):
                if getattr(vehicle, attr) >= size:
                    raise InvalidProblemError(
                        f"vehicles[{i}].{attr}",
                        f"location {getattr(vehicle, attr)} out of range 0..{size - 1}",
                    )
            travel = int(self.duration_matrix[vehicle.start, vehicle.end])
            problem = _empty_route_problem(vehicle, travel)
            if problem:
                raise InvalidProblemError(f"vehicles[{i}]", problem)
        seen: set[str] = set()
        pins: dict[tuple[str, int], int] = {}
        for i, job in enumerate(self.jobs):
            if job.id in seen:
                raise InvalidProblemError(f"jobs[{i}].id", f"duplicate id {job.id!r}")
            seen.add(job.id)
            if job.location >= size:
                raise InvalidProblemError(
                    f"jobs[{i}].location", f"location {job.location} out of range 0..{size - 1}"
                )
            for vid in sorted(job.allowed_vehicles or ()):
                if vid not in ids:
                    raise InvalidProblemError(f"jobs[{i}].allowed_vehicles", f"unknown {vid!r}")
            if job.pinned_vehicle is not None:
                if job.pinned_vehicle not in ids:
                    raise InvalidProblemError(
                        f"jobs[{i}].pinned_vehicle", f"unknown vehicle {job.pinned_vehicle!r}"
                    )
                missing = job.skills - self.vehicles[ids[job.pinned_vehicle]].skills
                if missing:
                    raise InvalidProblemError(
                        f"jobs[{i}].pinned_vehicle",
                        f"vehicle {job.pinned_vehicle!r} lacks skill(s) {sorted(missing)}",
                    )
                if job.pinned_position is not None:
                    key = (job.pinned_vehicle, job.pinned_position)
                    if key in pins:
                        raise InvalidProblemError(
                            f"jobs[{i}].pinned_position",
                            f"position {key[1]} on {key[0]!r} already taken by jobs[{pins[key]}]",
                        )
                    pins[key] = i

    @property
    def num_locations(self) -> int:
        """Number of locations ``L`` (rows of the matrices)."""
        return int(self.duration_matrix.shape[0])

    def vehicle_index(self, vehicle_id: str) -> int:
        """Index of the vehicle with id ``vehicle_id`` (``KeyError`` if unknown)."""
        for i, vehicle in enumerate(self.vehicles):
            if vehicle.id == vehicle_id:
                return i
        raise KeyError(vehicle_id)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProblemData):
            return NotImplemented
        return (
            np.array_equal(self.duration_matrix, other.duration_matrix)
            and np.array_equal(self.distance_matrix, other.distance_matrix)
            and (self.vehicles, self.jobs, self.locations)
            == (other.vehicles, other.jobs, other.locations)
        )

    __hash__ = None  # type: ignore[assignment]

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Unpickling (worker processes) bypasses __post_init__: re-freeze the arrays.
        for key, value in state.items():
            object.__setattr__(self, key, value)
        for name in ("duration_matrix", "distance_matrix"):
            array = np.array(getattr(self, name), dtype=np.int64)
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form documented in ``optimizer/README.md``."""
        from optimizer.problem_io import problem_to_dict

        return problem_to_dict(self)

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> ProblemData:
        """Parse the JSON form; errors name the JSON path (``jobs[3].windows[0]``)."""
        from optimizer.problem_io import problem_from_dict

        return problem_from_dict(document)
