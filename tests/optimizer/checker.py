"""An independent feasibility checker for solutions, written only from the problem statement.

It deliberately uses no optimizer code: it reads the problem's plain fields and
the solution's plain fields and re-derives every time, load and total.
"""

from __future__ import annotations

from typing import Any


def check(data: Any, solution: Any) -> list[str]:
    """Return a list of violations (empty when the solution is feasible and consistent)."""
    errors: list[str] = []
    jobs = {job.id: job for job in data.jobs}
    vehicles = {v.id: v for v in data.vehicles}
    dur = data.duration_matrix
    dist = data.distance_matrix
    seen: dict[str, int] = {}
    for route in solution.routes:
        for stop in route.stops:
            seen[stop.job_id] = seen.get(stop.job_id, 0) + 1
    for item in solution.unassigned:
        seen[item.job_id] = seen.get(item.job_id, 0) + 1
        if not item.reason:
            errors.append(f"{item.job_id}: unassigned without a reason")
    for job_id in jobs:
        if seen.get(job_id, 0) != 1:
            errors.append(f"{job_id}: appears {seen.get(job_id, 0)} times")
    for job_id in seen:
        if job_id not in jobs:
            errors.append(f"{job_id}: unknown job in the solution")
    used = [r.vehicle_id for r in solution.routes]
    if len(used) != len(set(used)):
        errors.append(f"a vehicle has two routes: {used}")
    for route in solution.routes:
        v = vehicles[route.vehicle_id]
        errors.extend(f"{v.id}: {e}" for e in _check_route(v, route, jobs, dur, dist))
    return errors


def _in_windows(job: Any, t: int) -> bool:
    if not job.windows:
        return True
    return any(w.start <= t <= w.end for w in job.windows)


def _check_route(v: Any, route: Any, jobs: dict[str, Any], dur: Any, dist: Any) -> list[str]:
    errors = []
    if not (v.shift.start <= route.start_time <= route.end_time <= v.shift.end):
        errors.append(f"route {route.start_time}-{route.end_time} outside shift {v.shift}")
    if v.max_duration is not None and route.end_time - route.start_time > v.max_duration:
        errors.append(f"duration {route.end_time - route.start_time} > {v.max_duration}")
    load = sum(jobs[s.job_id].demand for s in route.stops)
    if v.capacity is not None and load > v.capacity:
        errors.append(f"load {load} > capacity {v.capacity}")
    brk = None
    if v.lunch is not None and route.stops:
        if route.break_start is None:
            errors.append("lunch not scheduled")
        else:
            brk = (route.break_start, route.break_start + v.lunch.duration)
            if not v.lunch.window.start <= route.break_start <= v.lunch.window.end:
                errors.append(f"lunch starts at {route.break_start}, outside {v.lunch.window}")
    here, t = v.start, route.start_time
    travel_total = distance_total = service_total = 0
    for position, stop in enumerate(route.stops):
        job = jobs[stop.job_id]
        if not job.skills <= v.skills:
            errors.append(f"{job.id}: lacks skills {set(job.skills - v.skills)}")
        if job.allowed_vehicles is not None and v.id not in job.allowed_vehicles:
            errors.append(f"{job.id}: vehicle not allowed")
        if job.pinned_vehicle is not None and job.pinned_vehicle != v.id:
            errors.append(f"{job.id}: pinned to {job.pinned_vehicle}")
        if job.pinned_position is not None and job.pinned_position != position:
            errors.append(f"{job.id}: at position {position}, pinned at {job.pinned_position}")
        travel = int(dur[here][job.location])
        needed = travel
        if brk is not None and t <= brk[0] and brk[1] <= stop.start:
            needed += brk[1] - brk[0]
        if stop.start < t + needed:
            errors.append(f"{job.id}: starts {stop.start} before {t} + {needed}")
        if not _in_windows(job, stop.start):
            errors.append(f"{job.id}: starts {stop.start} outside its windows")
        if stop.end != stop.start + job.service:
            errors.append(f"{job.id}: end {stop.end} != start + service")
        if stop.travel_duration != travel or stop.travel_distance != int(dist[here][job.location]):
            errors.append(f"{job.id}: travel reported wrongly")
        if stop.waiting < 0 or stop.arrival + stop.waiting != stop.start:
            errors.append(f"{job.id}: arrival/waiting inconsistent")
        if brk is not None and brk[0] < stop.end and stop.start < brk[1]:
            errors.append(f"{job.id}: service {stop.start}-{stop.end} overlaps lunch {brk}")
        travel_total += travel
        distance_total += int(dist[here][job.location])
        service_total += job.service
        here, t = job.location, stop.end
    if route.stops:
        back = int(dur[here][v.end])
        needed = back
        if brk is not None and t <= brk[0] and brk[1] <= route.end_time:
            needed += brk[1] - brk[0]
        if route.end_time < t + needed:
            errors.append(f"ends {route.end_time} before {t} + {needed}")
        travel_total += back
        distance_total += int(dist[here][v.end])
        for edge in (route.start_time, route.end_time):
            if brk is not None and brk[0] < edge < brk[1]:
                errors.append(f"lunch {brk} straddles the route start or end {edge}")
    if (route.travel_duration, route.travel_distance, route.service_duration) != (
        travel_total,
        distance_total,
        service_total,
    ):
        errors.append("route totals do not match the stops")
    return errors
