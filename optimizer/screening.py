"""Which vehicles could serve a job at all, and why not when none can.

Run before the model is built: a job that no vehicle can serve on its own
(missing skill, window outside every shift, too far to reach and return in
time, heavier than every vehicle) is reported with a precise reason and kept
out of the model, and vehicles that cannot serve a job are removed from its
candidates, which also makes the search smaller.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.problem import Job, ProblemData, Vehicle
from optimizer.solution import Unassigned
from optimizer.units import hhmm, minutes_ceil


@dataclass(frozen=True)
class Screening:
    """Result of :func:`screen`.

    ``candidates[j]`` lists the vehicle indices that can serve job ``j`` alone
    (empty for excluded jobs); ``excluded`` maps job index to its reason.
    """

    candidates: tuple[tuple[int, ...], ...]
    excluded: dict[int, Unassigned]


def _skilled(data: ProblemData, job: Job) -> list[int]:
    return [k for k, v in enumerate(data.vehicles) if job.skills <= v.skills]


def _allowed(job: Job, vehicle: Vehicle) -> bool:
    if job.pinned_vehicle is not None and vehicle.id != job.pinned_vehicle:
        return False
    return job.allowed_vehicles is None or vehicle.id in job.allowed_vehicles


def _windows(job: Job) -> list[tuple[int, int]]:
    return [(w.start, w.end) for w in job.windows] or [(0, 2**62)]


def solo_lateness(data: ProblemData, job: Job, vehicle: Vehicle) -> tuple[bool, int]:
    """Serve ``job`` alone with ``vehicle``: (a window overlaps the shift, seconds late).

    Lateness is how much later than allowed the best window/shift/max-duration
    combination would be; 0 means the job fits in an otherwise empty route.
    """
    go = int(data.duration_matrix[vehicle.start, job.location])
    back = int(data.duration_matrix[job.location, vehicle.end])
    shift = vehicle.shift
    overlaps = False
    best = 2**62
    for start, end in _windows(job):
        if start <= shift.end and end >= shift.start:
            overlaps = True
        begin = max(start, shift.start + go)
        late = max(0, begin - end, begin + job.service + back - shift.end)
        if vehicle.max_duration is not None:
            late = max(late, go + job.service + back - vehicle.max_duration)
        best = min(best, late)
    return overlaps, best


def screen(data: ProblemData) -> Screening:
    """Candidate vehicles per job, and the reason for jobs no vehicle can serve."""
    candidates: list[tuple[int, ...]] = []
    excluded: dict[int, Unassigned] = {}
    for j, job in enumerate(data.jobs):
        skilled = _skilled(data, job)
        allowed = [k for k in skilled if _allowed(job, data.vehicles[k])]
        reason = None
        if not skilled:
            needed = ", ".join(sorted(job.skills))
            reason = Unassigned(job.id, "no_skill", f"no crew has the skill(s) {needed}")
        elif not allowed:
            reason = Unassigned(
                job.id, "not_allowed", "none of the crews allowed for this visit has its skills"
            )
        if reason is None:
            fits, overlap_any, heavy, late = [], False, True, []
            for k in allowed:
                vehicle = data.vehicles[k]
                cap_ok = vehicle.capacity is None or job.demand <= vehicle.capacity
                heavy &= not cap_ok
                overlaps, lateness = solo_lateness(data, job, vehicle)
                overlap_any |= overlaps
                late.append((lateness, k))
                if cap_ok and overlaps and lateness == 0:
                    fits.append(k)
            if not fits:
                reason = _why_not(data, job, allowed, overlap_any, heavy, min(late))
        if reason is None:
            candidates.append(tuple(fits))
        else:
            candidates.append(())
            excluded[j] = reason
    _screen_positions(data, candidates, excluded)
    return Screening(tuple(candidates), excluded)


def _screen_positions(
    data: ProblemData, candidates: list[tuple[int, ...]], excluded: dict[int, Unassigned]
) -> None:
    """Exclude jobs pinned at a position their vehicle cannot have (too few candidate jobs)."""
    for j, job in enumerate(data.jobs):
        if job.pinned_position is None or j in excluded:
            continue
        k = data.vehicle_index(job.pinned_vehicle or "")
        others = sum(1 for i, c in enumerate(candidates) if k in c and i != j)
        if job.pinned_position > others:
            candidates[j] = ()
            excluded[j] = Unassigned(
                job.id,
                "pin_conflict",
                f"pinned at position {job.pinned_position} of crew {job.pinned_vehicle}, "
                f"but only {others} other visit(s) could come before it",
            )


def _why_not(
    data: ProblemData,
    job: Job,
    allowed: list[int],
    overlap_any: bool,
    heavy: bool,
    best: tuple[int, int],
) -> Unassigned:
    if heavy:
        largest = max(data.vehicles[k].capacity or 0 for k in allowed)
        return Unassigned(
            job.id,
            "over_capacity",
            f"demand {job.demand} exceeds the capacity of every eligible crew (largest {largest})",
        )
    if not overlap_any:
        windows = ", ".join(f"{hhmm(a)}-{hhmm(b)}" for a, b in _windows(job))
        shifts = ", ".join(
            sorted({f"{hhmm(data.vehicles[k].shift.start)}-{hhmm(data.vehicles[k].shift.end)}"
                    for k in allowed})
        )  # fmt: skip
        return Unassigned(
            job.id,
            "window_outside_shift",
            f"its window {windows} lies outside every shift of the eligible crews ({shifts})",
        )
    lateness, k = best
    vehicle = data.vehicles[k]
    if vehicle.max_duration is not None:
        go = int(data.duration_matrix[vehicle.start, job.location])
        back = int(data.duration_matrix[job.location, vehicle.end])
        if go + job.service + back > vehicle.max_duration:
            return Unassigned(
                job.id,
                "too_long",
                f"even alone, the trip takes {minutes_ceil(go + job.service + back)} min, more "
                f"than crew {vehicle.id}'s maximum of {minutes_ceil(vehicle.max_duration)} min",
            )
    return Unassigned(
        job.id,
        "unreachable",
        f"cannot be reached, served and left inside any shift; the closest, crew "
        f"{vehicle.id}, would need {minutes_ceil(lateness)} more min",
    )
