"""Cross-field checks of a :class:`~optimizer.periodic.problem.PeriodicProblem`.

Kept apart from the dataclasses so that each stays short; every error names
the field path (``jobs[3].patterns[1]``) like the core's validation does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimizer.exceptions import InvalidProblemError

if TYPE_CHECKING:
    from optimizer.periodic.problem import PeriodicProblem


def check_references(problem: PeriodicProblem) -> None:
    """Unique ids, location indices in range, days inside the horizon, known crews."""
    size, days = problem.num_locations, problem.days
    if problem.locations and len(problem.locations) != size:
        raise InvalidProblemError(
            "locations", f"{len(problem.locations)} entries for a {size}x{size} matrix"
        )
    crews: set[str] = set()
    for i, crew in enumerate(problem.crews):
        if crew.id in crews:
            raise InvalidProblemError(f"crews[{i}].id", f"duplicate id {crew.id!r}")
        crews.add(crew.id)
        for attr in ("start", "end"):
            if getattr(crew, attr) >= size:
                raise InvalidProblemError(
                    f"crews[{i}].{attr}",
                    f"location {getattr(crew, attr)} out of range 0..{size - 1}",
                )
        for day in crew.shifts:
            if day >= days:
                raise InvalidProblemError(f"crews[{i}].shifts[{day}]", f"day outside 0..{days - 1}")
    seen: set[str] = set()
    for i, job in enumerate(problem.jobs):
        where = f"jobs[{i}]"
        if job.id in seen:
            raise InvalidProblemError(f"{where}.id", f"duplicate id {job.id!r}")
        seen.add(job.id)
        if job.location >= size:
            raise InvalidProblemError(
                f"{where}.location", f"location {job.location} out of range 0..{size - 1}"
            )
        for p, pattern in enumerate(job.patterns):
            late = sorted(d for d in pattern if d >= days)
            if late:
                raise InvalidProblemError(
                    f"{where}.patterns[{p}]", f"day(s) {late} outside the horizon 0..{days - 1}"
                )
        day, crew = job.pinned_day_crew or (None, None)
        if day is not None and day >= days:
            raise InvalidProblemError(
                f"{where}.pinned_day_crew[0]", f"day {day} outside 0..{days - 1}"
            )
        if day is not None and not any(day in p for p in job.patterns):
            raise InvalidProblemError(
                f"{where}.pinned_day_crew[0]", f"day {day} is in none of the job's patterns"
            )
        if crew is not None and crew not in crews:
            raise InvalidProblemError(f"{where}.pinned_day_crew[1]", f"unknown crew {crew!r}")
        if job.preferred_crew is not None and job.preferred_crew not in crews:
            raise InvalidProblemError(
                f"{where}.preferred_crew", f"unknown crew {job.preferred_crew!r}"
            )
        late = sorted(d for d in job.preferred_days if d >= days)
        if late:
            raise InvalidProblemError(
                f"{where}.preferred_days", f"day(s) {late} outside 0..{days - 1}"
            )
