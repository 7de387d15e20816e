"""Why a job that could be served alone was left out of the plan.

For each candidate vehicle, the job is tried at every position of that
vehicle's route (cheapest insertion) and the route is re-timed: the reason
names the crew where it comes closest to fitting and how many minutes are
missing (the largest lateness the insertion causes at a window, at the shift
end, or against the maximum route duration). This is an honest measure of
"it does not fit next to the others", computed from the plan itself.

The re-timing is a simple forward pass: leave at shift start, wait for
windows, take the break as soon as its window is open between two stops. It
can differ from the solver's schedule by the break placement, so a result of
0 missing minutes is reported as "the search did not place it".
"""

from __future__ import annotations

from collections.abc import Sequence

from optimizer.params import Penalties
from optimizer.problem import Job, ProblemData, Vehicle
from optimizer.solution import Unassigned
from optimizer.units import minutes_ceil


def _window_start(job: Job, arrival: int) -> tuple[int, int]:
    """(service start, lateness) when arriving at ``arrival``."""
    if not job.windows:
        return arrival, 0
    for window in job.windows:
        if arrival <= window.end:
            return max(arrival, window.start), 0
    return arrival, arrival - job.windows[-1].end


def route_lateness(data: ProblemData, vehicle: Vehicle, sequence: Sequence[int]) -> int:
    """Largest lateness (seconds) of ``sequence`` (job indices) driven by ``vehicle``.

    0 means the route is feasible for windows, shift end, break window and
    maximum duration under the simple forward timing of this module.
    """
    dur = data.duration_matrix
    here = vehicle.start
    t = vehicle.shift.start
    worst = 0
    lunch = vehicle.lunch
    first_start: int | None = None
    for j in sequence:
        job = data.jobs[j]
        travel = int(dur[here, job.location])
        if lunch is not None:
            arrive_start, _ = _window_start(job, t + travel)
            if t >= lunch.window.start or arrive_start + job.service > lunch.window.end:
                begin = max(t, lunch.window.start)
                worst = max(worst, begin - lunch.window.end)
                t = begin + lunch.duration
                lunch = None
        start, late = _window_start(job, t + travel)
        if first_start is None:
            first_start = start - travel
        worst = max(worst, late)
        t = start + job.service
        here = job.location
    t += int(dur[here, vehicle.end])
    if lunch is not None and t > lunch.window.start:
        t = max(t, lunch.window.start + lunch.duration)
    worst = max(worst, t - vehicle.shift.end)
    if vehicle.max_duration is not None and first_start is not None:
        worst = max(worst, t - first_start - vehicle.max_duration)
    return max(worst, 0)


def best_insertion(
    data: ProblemData,
    job_index: int,
    vehicle_index: int,
    sequence: Sequence[int],
    objective: str = "duration",
) -> tuple[int, int, int]:
    """Best place for ``job_index`` in ``sequence``: (lateness, added cost, position).

    The added cost is the detour in objective units (seconds or meters).
    """
    vehicle = data.vehicles[vehicle_index]
    job = data.jobs[job_index]
    dur = data.duration_matrix if objective == "duration" else data.distance_matrix
    positions = range(len(sequence) + 1)
    if job.pinned_position is not None:
        positions = range(
            min(job.pinned_position, len(sequence)), min(job.pinned_position, len(sequence)) + 1
        )
    best = (2**62, 2**62, 0)
    locs = [vehicle.start, *(data.jobs[j].location for j in sequence), vehicle.end]
    for p in positions:
        trial = [*sequence[:p], job_index, *sequence[p:]]
        late = route_lateness(data, vehicle, trial)
        added = int(
            dur[locs[p], job.location] + dur[job.location, locs[p + 1]] - dur[locs[p], locs[p + 1]]
        )
        best = min(best, (late, added, p))
    return best


def explain_dropped(
    data: ProblemData,
    job_index: int,
    candidates: Sequence[int],
    routes: dict[int, list[int]],
    penalties: Penalties,
    objective: str = "duration",
) -> Unassigned:
    """Reason for a job the solver left out although some vehicle could serve it alone."""
    job = data.jobs[job_index]
    trials = []
    for k in candidates:
        sequence = routes.get(k, [])
        load = sum(data.jobs[j].demand for j in sequence)
        capacity = data.vehicles[k].capacity
        over = 0 if capacity is None else max(0, load + job.demand - capacity)
        late, added, _ = best_insertion(data, job_index, k, sequence, objective)
        trials.append((over > 0, late, added, k, over))
    heavy, late, added, k, over = min(trials)
    crew = data.vehicles[k].id
    code = "pin_conflict" if job.pinned_vehicle is not None else "no_room"
    if heavy:
        return Unassigned(
            job.id,
            code,
            f"does not fit next to the others: the nearest eligible crew, {crew}, "
            f"lacks {over} units of capacity",
        )
    if late > 0:
        pinned = " (pinned)" if job.pinned_vehicle is not None else ""
        return Unassigned(
            job.id,
            code,
            f"does not fit next to the others: the nearest eligible crew{pinned}, {crew}, "
            f"would need {minutes_ceil(late)} more min",
        )
    if added > penalties.drop(job.priority, job.pinned_vehicle is not None):
        return Unassigned(
            job.id,
            "too_costly",
            f"fits into crew {crew}'s route, but the detour ({added}) costs more than "
            f"leaving a priority-{job.priority} visit out",
        )
    return Unassigned(
        job.id,
        "search_limit",
        f"fits into crew {crew}'s route, but the search did not place it in time; "
        "allow a longer time limit",
    )
