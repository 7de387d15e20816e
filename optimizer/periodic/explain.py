"""Turning the engine's state into a :class:`~optimizer.periodic.result.PeriodicResult`.

Every job that is not in the plan gets a reason: the screening reason
(skills, working days, pins), the core's own reason for the visit OR-Tools
could not place (``no_room``, ``unreachable``, ...), or, for a job that no
pattern could take, the days on which there was no room. Every job that
moved against ``previous`` gets what the move saved: its estimated cost
back in its previous slot minus its cost where it is now, both on the final
routes and both counting consistency costs.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from optimizer.periodic.options import (
    JobOptions,
    assignment_penalty,
    day_name,
    is_changed,
)
from optimizer.periodic.plan import Plan
from optimizer.periodic.problem import PeriodicProblem
from optimizer.periodic.result import PeriodicResult, PeriodicUnassigned, PeriodicVisit, PlanMove
from optimizer.periodic.search import best_placement, current_cost
from optimizer.solution import Route, Solution, SolveStatus

if TYPE_CHECKING:
    from optimizer.periodic.engine import Engine


def previous_slot(problem: PeriodicProblem, options: JobOptions, j: int) -> dict[int, int] | None:
    """The job's previous (day -> crew index) if it is still a possible assignment."""
    job = problem.jobs[j]
    if not job.previous:
        return None
    index = {crew.id: c for c, crew in enumerate(problem.crews)}
    slot = {d: index.get(crew, -1) for d, crew in job.previous}
    if frozenset(slot) not in options.patterns:
        return None
    if any(c not in options.crews or d not in problem.crews[c].shifts for d, c in slot.items()):
        return None
    return slot


def saving(plan: Plan, options: JobOptions, j: int, slot: dict[int, int]) -> int | None:
    """Estimated cost of ``j`` back in ``slot`` minus its cost now (``None``: no room there)."""
    before = current_cost(plan, j)
    undo = plan.remove_job(j)
    back = best_placement(plan, j, options, forced=slot)
    plan.restore(j, undo)
    return None if back is None else back.cost - before


def _label(problem: PeriodicProblem, d: int, crew: str) -> str:
    return f"{day_name(d)} ({crew})"


def _moves(engine: Engine) -> list[PlanMove]:
    problem, plan = engine.problem, engine.plan
    unit = "m" if engine.params.objective == "distance" else "s"
    out = []
    for j in sorted(plan.assign):
        job = problem.jobs[j]
        assign = plan.assign[j]
        if not assign or not is_changed(problem, job, assign):
            continue
        now = sorted((d, problem.crews[c].id) for d, c in assign.items())
        before = sorted(job.previous)
        pairs = [(a, b) for a, b in zip(before, now, strict=False) if a != b] or [
            (before[0], now[0])
        ]
        changes = ", ".join(f"{_label(problem, *a)} -> {_label(problem, *b)}" for a, b in pairs)
        slot = previous_slot(problem, engine.options[j], j)
        value = None if slot is None else saving(plan, engine.options[j], j, slot)
        if slot is None:
            text = f"{changes}: its previous day or crew is no longer possible"
            value = 0
        elif value is None:
            text = f"{changes}: its previous slot has no room left in this plan"
            value = 0
        else:
            text = f"{changes}: saves {value} {unit} (travel and consistency costs)"
        out.append(PlanMove(job.id, pairs[0][0], pairs[0][1], value, text))
    return out


def _no_room(engine: Engine, j: int) -> str:
    """Which days blocked every pattern of a job no estimate could place."""
    plan, options = engine.plan, engine.options[j]
    forced = engine.forced.get(j)
    patterns = options.patterns if forced is None else (frozenset(forced),)
    full = sorted({d for p in patterns for d in p
                   if not any((d, c) in plan.routes and plan.insertion(j, (d, c)) is not None
                              for c in options.crews)})  # fmt: skip
    pinned = " (kept in its previous slot by the stability budget)" if forced is not None else ""
    if not full:  # the estimate saw a gap, the exact routing of the day closed it
        return f"does not fit next to the other visits{pinned}: the routed days leave no gap"
    days = ", ".join(day_name(d) for d in full)
    return f"does not fit next to the other visits{pinned}: no room left on {days}"


def _unassigned(engine: Engine, screened: dict[int, tuple[str, str]]) -> list[PeriodicUnassigned]:
    problem = engine.problem
    out = []
    for j, job in enumerate(problem.jobs):
        if j in screened:
            out.append(PeriodicUnassigned(job.id, screened[j][1]))
        elif not engine.plan.assign.get(j):
            if j in engine.dropped:
                out.append(PeriodicUnassigned(job.id, engine.dropped[j].reason))
            else:
                out.append(PeriodicUnassigned(job.id, _no_room(engine, j)))
    return out


def _relabel(engine: Engine, day: int, solution: Solution) -> Solution:
    """Core stop ids ``"<index>:<day>"`` -> ``"<job id>#<visit index>"``."""
    problem, plan = engine.problem, engine.plan
    routes: list[Route] = []
    for route in solution.routes:
        stops = []
        for stop in route.stops:
            j = int(stop.job_id.split(":")[0])
            k = sorted(plan.assign[j]).index(day)
            stops.append(replace(stop, job_id=f"{problem.jobs[j].id}#{k}"))
        routes.append(replace(route, stops=tuple(stops)))
    return Solution(tuple(routes))


def _kpis(engine: Engine, days: dict[int, Solution], moves: int) -> dict[str, Any]:
    problem, plan = engine.problem, engine.plan
    routes = [r for s in days.values() for r in s.routes]
    penalty = sum(
        assignment_penalty(problem, problem.jobs[j], a) for j, a in plan.assign.items() if a
    )
    return {
        "objective": plan.total_cost(),
        "consistency_cost": penalty,
        "travel_duration": sum(r.travel_duration for r in routes),
        "travel_distance": sum(r.travel_distance for r in routes),
        "service_duration": sum(r.service_duration for r in routes),
        "waiting_duration": sum(r.waiting_duration for r in routes),
        "visits": sum(len(r.stops) for r in routes),
        "routes": len(routes),
        "moved_jobs": moves,
        "utilization": {r.vehicle_id: round(r.utilization, 4) for r in routes},
    }


def build_result(
    engine: Engine, screened: dict[int, tuple[str, str]], runtime: float
) -> PeriodicResult:
    """Assemble the result from a finished engine."""
    problem, plan = engine.problem, engine.plan
    days = {d: _relabel(engine, d, s) for d, s in sorted(engine.days.items())}
    visits = []
    for j in sorted(plan.assign):
        for k, (d, c) in enumerate(sorted(plan.assign[j].items())):
            visits.append(PeriodicVisit(problem.jobs[j].id, k, d, problem.crews[c].id))
    unassigned = _unassigned(engine, screened)
    moves = _moves(engine)
    status = SolveStatus.FEASIBLE if visits or unassigned else SolveStatus.OPTIMAL
    return PeriodicResult(status, tuple(visits), days, tuple(unassigned), tuple(moves),
                          _kpis(engine, days, len(moves)), runtime)  # fmt: skip
