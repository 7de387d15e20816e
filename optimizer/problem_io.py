"""JSON form of :class:`~optimizer.problem.ProblemData` (schema in ``optimizer/README.md``).

Parsing is strict: unknown keys and wrongly typed values are refused with the
JSON path of the field, e.g. ``jobs[3].windows[0]: end 100 before start 200``,
because a typo such as ``"sevice"`` silently defaulting to 0 would produce a
plan that looks right and is not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from optimizer.exceptions import InvalidProblemError
from optimizer.problem import Break, Job, Location, ProblemData, TimeWindow, Vehicle

T = TypeVar("T")

_VEHICLE_KEYS = {
    "id", "start", "end", "shift", "skills", "lunch", "capacity",
    "cost_per_hour", "max_duration", "fixed_cost",
}  # fmt: skip
_JOB_KEYS = {
    "id", "location", "service", "windows", "skills", "demand", "priority",
    "pinned_vehicle", "pinned_position", "allowed_vehicles",
}  # fmt: skip
_TOP_KEYS = {"duration_matrix", "distance_matrix", "vehicles", "jobs", "locations", "matrix"}


def _window(w: TimeWindow) -> list[int]:
    return [w.start, w.end]


def problem_to_dict(data: ProblemData) -> dict[str, Any]:
    """Serialise to plain JSON types; omits fields left at their defaults."""
    vehicles = []
    for v in data.vehicles:
        item: dict[str, Any] = {
            "id": v.id,
            "start": v.start,
            "end": v.end,
            "shift": _window(v.shift),
        }
        if v.skills:
            item["skills"] = sorted(v.skills)
        if v.lunch is not None:
            item["lunch"] = {"duration": v.lunch.duration, "window": _window(v.lunch.window)}
        for key in ("capacity", "max_duration"):
            if getattr(v, key) is not None:
                item[key] = getattr(v, key)
        for key in ("cost_per_hour", "fixed_cost"):
            if getattr(v, key):
                item[key] = getattr(v, key)
        vehicles.append(item)
    jobs = []
    for j in data.jobs:
        job: dict[str, Any] = {"id": j.id, "location": j.location, "service": j.service}
        if j.windows:
            job["windows"] = [_window(w) for w in j.windows]
        if j.skills:
            job["skills"] = sorted(j.skills)
        if j.demand:
            job["demand"] = j.demand
        if j.priority != 3:
            job["priority"] = j.priority
        for key in ("pinned_vehicle", "pinned_position"):
            if getattr(j, key) is not None:
                job[key] = getattr(j, key)
        if j.allowed_vehicles is not None:
            job["allowed_vehicles"] = sorted(j.allowed_vehicles)
        jobs.append(job)
    document: dict[str, Any] = {}
    if data.locations:
        document["locations"] = [{"id": p.id, "lat": p.lat, "lon": p.lon} for p in data.locations]
    document["duration_matrix"] = data.duration_matrix.tolist()
    document["distance_matrix"] = data.distance_matrix.tolist()
    document["vehicles"] = vehicles
    document["jobs"] = jobs
    return document


def _guard(path: str, build: Callable[[], T]) -> T:
    """Run ``build`` and prefix any validation error with ``path``."""
    try:
        return build()
    except InvalidProblemError as error:
        raise error.at(path) from None
    except TypeError as error:
        raise InvalidProblemError(path, str(error)) from None


def _object(path: str, value: Any, allowed: set[str], required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidProblemError(path, f"expected an object, got {type(value).__name__}")
    for key in value:
        if key not in allowed:
            raise InvalidProblemError(path, f"unknown field {key!r}")
    for key in required:
        if key not in value:
            raise InvalidProblemError(path, f"missing field {key!r}")
    return value


def _list(path: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidProblemError(path, f"expected a list, got {type(value).__name__}")
    return value


def _location_ref(path: str, value: Any, names: dict[str, int]) -> Any:
    """Locations may be referenced by index or, when ``locations`` are given, by id."""
    if isinstance(value, str):
        if value not in names:
            raise InvalidProblemError(path, f"unknown location {value!r}")
        return names[value]
    return value


def _vehicle(path: str, raw: Any, names: dict[str, int]) -> Vehicle:
    item = _object(path, raw, _VEHICLE_KEYS, ("id", "start", "end", "shift"))
    kwargs = dict(item)
    for key in ("start", "end"):
        kwargs[key] = _location_ref(f"{path}.{key}", item[key], names)
    kwargs["shift"] = TimeWindow.coerce(item["shift"], f"{path}.shift")
    kwargs["skills"] = _list(f"{path}.skills", item.get("skills", []))
    if item.get("lunch") is not None:
        lunch = _object(
            f"{path}.lunch", item["lunch"], {"duration", "window"}, ("duration", "window")
        )
        kwargs["lunch"] = _guard(f"{path}.lunch", lambda: Break(lunch["duration"], lunch["window"]))
    return _guard(path, lambda: Vehicle(**kwargs))


def _job(path: str, raw: Any, names: dict[str, int]) -> Job:
    item = _object(path, raw, _JOB_KEYS, ("id", "location", "service"))
    kwargs = dict(item)
    kwargs["location"] = _location_ref(f"{path}.location", item["location"], names)
    kwargs["windows"] = _list(f"{path}.windows", item.get("windows", []))
    kwargs["skills"] = _list(f"{path}.skills", item.get("skills", []))
    if item.get("allowed_vehicles") is not None:
        kwargs["allowed_vehicles"] = _list(f"{path}.allowed_vehicles", item["allowed_vehicles"])
    return _guard(path, lambda: Job(**kwargs))


def problem_from_dict(document: dict[str, Any]) -> ProblemData:
    """Build a validated :class:`ProblemData` from its JSON form.

    Matrices may be omitted when ``locations`` are given: they are then
    computed with :func:`optimizer.matrix.haversine_matrices`, optionally
    tuned by ``"matrix": {"speed_kmh": ..., "detour": ...}``.
    """
    top = _object("", document, _TOP_KEYS, ("vehicles", "jobs"))
    locations = tuple(
        _guard(
            f"locations[{i}]",
            lambda p=p, i=i: Location(
                **_object(f"locations[{i}]", p, {"id", "lat", "lon"}, ("id", "lat", "lon"))
            ),
        )
        for i, p in enumerate(_list("locations", top.get("locations", [])))
    )
    names = {p.id: i for i, p in enumerate(locations)}
    if "duration_matrix" in top or "distance_matrix" in top:
        for key in ("duration_matrix", "distance_matrix"):
            if key not in top:
                raise InvalidProblemError("", f"missing field {key!r}")
        durations, distances = top["duration_matrix"], top["distance_matrix"]
    elif locations:
        from optimizer.matrix import haversine_matrices

        options = _object("matrix", top.get("matrix", {}), {"speed_kmh", "detour"}, ())
        durations, distances = haversine_matrices(locations, **options)
    else:
        raise InvalidProblemError("", "give duration_matrix and distance_matrix, or locations")
    vehicles = tuple(
        _vehicle(f"vehicles[{i}]", v, names)
        for i, v in enumerate(_list("vehicles", top["vehicles"]))
    )
    jobs = tuple(_job(f"jobs[{i}]", j, names) for i, j in enumerate(_list("jobs", top["jobs"])))
    return ProblemData(durations, distances, vehicles, jobs, locations)
