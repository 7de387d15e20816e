"""An independent checker for weekly plans, written only from the problem statement.

It uses no optimizer code: it reads the problem's plain fields (crews, shifts,
patterns, pins, windows) and the result's plain fields (visits, day routes,
unassigned jobs) and re-derives patterns, crew availability, times, loads and
the stability budget.
"""

from __future__ import annotations

from typing import Any


def check_plan(problem: Any, result: Any) -> list[str]:
    """Return every violation found (empty: the plan is feasible and consistent)."""
    errors: list[str] = []
    crews = {c.id: c for c in problem.crews}
    jobs = {j.id: j for j in problem.jobs}
    visits: dict[str, list[tuple[int, int, str]]] = {}
    for job_id, k, day, crew in result.visits:
        visits.setdefault(job_id, []).append((k, day, crew))
    out = {u[0]: u[1] for u in result.unassigned}
    for job_id, job in jobs.items():
        mine = visits.get(job_id, [])
        if job_id in out:
            if mine:
                errors.append(f"{job_id}: unassigned and planned")
            if not out[job_id]:
                errors.append(f"{job_id}: unassigned without a reason")
            continue
        days = frozenset(day for _, day, _ in mine)
        if len(days) != len(mine) or days not in job.patterns:
            errors.append(f"{job_id}: days {sorted(days)} are not one of its patterns")
        if sorted(k for k, _, _ in mine) != list(range(len(mine))):
            errors.append(f"{job_id}: visit indices {sorted(k for k, _, _ in mine)}")
        for _, day, crew in mine:
            if crew not in crews or day not in crews[crew].shifts:
                errors.append(f"{job_id}: crew {crew} does not work on day {day}")
            elif not job.skills <= crews[crew].skills:
                errors.append(f"{job_id}: crew {crew} lacks skills")
            pin = job.pinned_day_crew or (None, None)
            if pin[0] is not None and day != pin[0] or pin[1] is not None and crew != pin[1]:
                errors.append(f"{job_id}: pin {pin} not kept ({day}, {crew})")
    for job_id in visits:
        if job_id not in jobs:
            errors.append(f"{job_id}: unknown job planned")
    errors += _check_routes(problem, result, crews, jobs, visits)
    if problem.stability_budget is not None:
        changed = [j for j, job in jobs.items() if job.previous and j in visits
                   and _previous_possible(job, crews)
                   and {(d, c) for _, d, c in visits[j]} != set(job.previous)]  # fmt: skip
        if len(changed) > problem.stability_budget:
            errors.append(f"{len(changed)} jobs changed, budget {problem.stability_budget}")
    return errors


def _previous_possible(job: Any, crews: dict) -> bool:
    """The budget counts only jobs that could have kept their previous days and crews."""
    days = frozenset(d for d, _ in job.previous)
    pin_day, pin_crew = job.pinned_day_crew or (None, None)
    return days in job.patterns and all(
        c in crews and d in crews[c].shifts and job.skills <= crews[c].skills
        and (pin_day is None or d == pin_day) and (pin_crew is None or c == pin_crew)
        for d, c in job.previous
    )  # fmt: skip


def _check_routes(problem: Any, result: Any, crews: dict, jobs: dict, visits: dict) -> list[str]:
    errors: list[str] = []
    dur = problem.duration_matrix
    routed: set[tuple[str, int, str]] = set()
    for day, solution in result.day_solutions.items():
        for route in solution.routes:
            crew_id, _, on = route.vehicle_id.partition("@")
            crew = crews[crew_id]
            if int(on) != day or day not in crew.shifts:
                errors.append(f"{route.vehicle_id}: not a working crew-day of day {day}")
                continue
            shift = crew.shifts[day]
            where = route.vehicle_id
            if route.start_time < shift.start or route.end_time > shift.end + crew.overtime_max:
                errors.append(
                    f"{where}: {route.start_time}-{route.end_time} outside shift + overtime"
                )
            if (
                crew.max_duration is not None
                and route.end_time - route.start_time > crew.max_duration
            ):
                errors.append(f"{where}: longer than max_duration")
            load = 0
            brk = None
            if crew.lunch is not None and route.stops:
                if route.break_start is None:
                    errors.append(f"{where}: lunch not scheduled")
                else:
                    brk = (route.break_start, route.break_start + crew.lunch.duration)
                    w = crew.lunch.window
                    if not w.start <= route.break_start <= w.end:
                        errors.append(f"{where}: lunch outside its window")
            here, t = crew.start, route.start_time
            for stop in route.stops:
                job_id, _, k = stop.job_id.rpartition("#")
                job = jobs[job_id]
                routed.add((job_id, day, crew_id))
                load += job.demand
                need = t + int(dur[here][job.location])
                if brk is not None and t <= brk[0] and brk[1] <= stop.start:
                    need += brk[1] - brk[0]
                if stop.start < need:
                    errors.append(f"{where}: {stop.job_id} starts {stop.start} before {need}")
                if job.windows and not any(w.start <= stop.start <= w.end for w in job.windows):
                    errors.append(f"{where}: {stop.job_id} outside its windows")
                if brk is not None and brk[0] < stop.start + job.service and stop.start < brk[1]:
                    errors.append(f"{where}: {stop.job_id} overlaps lunch")
                here, t = job.location, stop.start + job.service
            if route.stops and route.end_time < t + int(dur[here][crew.end]):
                errors.append(f"{where}: ends before it can be back")
            if crew.capacity is not None and load > crew.capacity:
                errors.append(f"{where}: load {load} over capacity {crew.capacity}")
    planned = {(j, d, c) for j, items in visits.items() for _, d, c in items}
    if planned != routed:
        errors.append(f"visits and routes differ: {sorted(planned ^ routed)[:4]}")
    return errors
