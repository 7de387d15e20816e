"""``solve_periodic()``: screen, optimise, keep the stability budget, explain.

With a ``stability_budget`` K and jobs that carry a ``previous`` assignment,
the plan is made twice: first without the budget (the ``previous_assignment``
weight still pulls towards the old plan), then every job is pinned to its
previous day and crew except the K changes that save most, ranked by what
each saves in the unconstrained plan (its cost where it is against its cost
back in its old slot), and the plan is re-optimised from there. Only those K
jobs can differ from ``previous``, so the budget holds by construction. A job
that no longer fits into its previous slot takes one of the K places before
any voluntary change does, so it moves instead of being left out; places the
re-plan leaves unused go, at the end, to the most saving changes left.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from optimizer.params import SolveParams
from optimizer.periodic.engine import Engine
from optimizer.periodic.explain import build_result, previous_slot, saving
from optimizer.periodic.finish import finish
from optimizer.periodic.options import is_changed, job_options
from optimizer.periodic.problem import PeriodicProblem
from optimizer.periodic.result import PeriodicResult
from optimizer.periodic.search import best_placement, current_cost, place
from optimizer.solution import Progress


def solve_periodic(
    problem: PeriodicProblem,
    params: SolveParams | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> PeriodicResult:
    """Choose day, crew and order for every visit over the horizon.

    Parameters
    ----------
    problem
        The periodic problem.
    params
        The core's search settings. ``time_limit_s`` is the budget of the whole
        plan; without it, ``solution_limit`` bounds every OR-Tools search and a
        fixed number of rounds runs, so the result does not depend on the
        machine. ``objective`` chooses travel seconds or meters.
    progress
        Called after each OR-Tools routing with the plan's travel cost.

    Returns
    -------
    PeriodicResult
        Every job either has all its visits (one of its patterns) or is in
        ``unassigned`` with a reason.
    """
    params = params if params is not None else SolveParams()
    started = time.monotonic()
    options = [job_options(problem, job) for job in problem.jobs]
    screened = {j: o.reason for j, o in enumerate(options) if o.reason is not None}
    jobs = [j for j in range(len(problem.jobs)) if j not in screened]
    budget = params.time_limit_s
    limited = problem.stability_budget is not None and any(problem.jobs[j].previous for j in jobs)
    engine = Engine(problem, options, params, progress=progress)
    engine.start(jobs)
    if budget is not None:  # construction counts against the limit
        budget = max(0.5, budget - (time.monotonic() - started))
    engine.optimise(None if budget is None else (budget * 0.5 if limited else budget))
    if limited:
        first, engine = engine, _within_budget(engine, jobs, progress)
        if engine is not first:
            left = None if params.time_limit_s is None else max(
                0.5, params.time_limit_s - (time.monotonic() - started))  # fmt: skip
            engine.optimise(None if left is None else left * (1 - RESCUE_SHARE))
            for _ in range(2):  # again for what the last re-routing dropped
                _rescue_pinned(engine, jobs, None if left is None else left * RESCUE_SHARE / 2)
    return build_result(engine, screened, time.monotonic() - started)


RESCUE_SHARE = 0.1
"""Share of the budgeted re-plan's time kept for spending what the budget has left."""

STUCK_ROUNDS = 3
"""Times the pins are re-drawn when pinned jobs do not fit back into their previous slots."""


def _within_budget(
    first: Engine, jobs: list[int], progress: Callable[[Progress], None] | None
) -> Engine:
    """The engine of the budgeted re-plan, started (not optimised); ``first`` if none is needed.

    A job pinned back to its previous slot may no longer fit there (the
    unconstrained plan filled that day, or the slot never fitted without
    overtime). Such a job counts against the budget and is freed, in place of
    the least saving voluntary change: the pins are drawn again, up to
    :data:`STUCK_ROUNDS` times, from what the insertion of the pinned jobs left
    out. What the budget leaves unused (``spare``) frees jobs that OR-Tools
    drops from their pinned slot later (:meth:`Engine.repair`).
    """
    stuck: set[int] = set()
    engine = first
    for _ in range(STUCK_ROUNDS):
        forced, spare = _budget_pins(first, jobs, stuck)
        if not forced:
            return first
        engine = Engine(first.problem, first.options, first.params, forced=forced,
                        spare=spare, progress=progress)  # fmt: skip
        engine.started = first.started
        engine.start(jobs, initial=first.plan)
        left_out = {j for j in engine.unplaced if j in forced} - stuck
        if not left_out or len(stuck) >= (first.problem.stability_budget or 0):
            break
        stuck |= left_out
    return engine


def _budget_pins(
    engine: Engine, jobs: list[int], stuck: set[int]
) -> tuple[dict[int, dict[int, int]], int]:
    """Pins (day -> crew) to ``previous`` for every job but those the budget frees; spare room.

    Freed are the ``stuck`` jobs (they do not fit back into their previous
    slot), then the most saving changes of the unconstrained plan, at most
    ``stability_budget`` in all.
    """
    problem, plan = engine.problem, engine.plan
    budget = problem.stability_budget or 0
    keepable = {j: slot for j in jobs if (slot := previous_slot(problem, engine.options[j], j))}
    changed = [j for j in keepable if j in plan.assign and plan.assign[j]
               and is_changed(problem, problem.jobs[j], plan.assign[j])]  # fmt: skip
    if len(changed) <= budget and not stuck:
        return {}, 0
    must = sorted(j for j in stuck if j in keepable)[:budget]
    ranked = sorted((j for j in changed if j not in stuck),
                    key=lambda j: (-(saving(plan, engine.options[j], j, keepable[j]) or 0),
                                   problem.jobs[j].id))  # fmt: skip
    free = set(must) | set(ranked[: budget - len(must)])
    return {j: slot for j, slot in keepable.items() if j not in free}, budget - len(free)


def _rescue_pinned(engine: Engine, jobs: list[int], seconds: float | None) -> None:
    """Spend what the budget has left: pinned jobs still out, then the most saving changes.

    The ranking that chose the freed jobs was made on the unconstrained plan; in
    the re-plan some of them stay where they were, leaving places unused. Here,
    on the final routes, pinned jobs left out move first, then pinned jobs whose
    best other slot saves most, while the plan has fewer than K changes. Every
    other job with a previous slot is held where it is for the last re-routing,
    so the count of changed jobs only grows by the jobs moved here.
    """
    problem, plan = engine.problem, engine.plan
    deadline = None if seconds is None else time.monotonic() + seconds / 2
    keepable = {j: slot for j in jobs
                if (slot := previous_slot(problem, engine.options[j], j))}  # fmt: skip
    changed = {j for j in keepable if plan.assign.get(j)
               and is_changed(problem, problem.jobs[j], plan.assign[j])}  # fmt: skip
    room = (problem.stability_budget or 0) - len(changed)
    if room <= 0:
        return
    held = [j for j in keepable if j not in changed and plan.assign.get(j)]
    for j in held:
        engine.forced[j] = dict(plan.assign[j])
    out = sorted(j for j in engine.unplaced if j in engine.forced and j in keepable)
    gains = sorted((-gain, j) for j in held if (gain := _move_gain(engine, j, apply=False)))
    for j in out + [j for _, j in gains]:
        if room <= 0 or (deadline is not None and time.monotonic() > deadline):
            break
        if _move_gain(engine, j, apply=True):
            room -= 1
    if engine.dirty:
        left = None if deadline is None else max(0.2, deadline + seconds / 2 - time.monotonic())
        finish(engine, left)  # type: ignore[operator]


def _move_gain(engine: Engine, j: int, apply: bool) -> int:
    """What moving ``j`` (out, or pinned to its previous slot) to its best other slot saves.

    With ``apply`` the move is made (and ``j`` unpinned) when it places ``j`` or saves.
    """
    problem, plan = engine.problem, engine.plan
    job = problem.jobs[j]
    placed = bool(plan.assign.get(j))
    before = current_cost(plan, j) if placed else 0
    undo = plan.remove_job(j)
    placement = best_placement(plan, j, engine.options[j])
    if placement is not None:
        moved = {(d, problem.crews[c].id) for d, (c, _) in placement.where.items()}
        gain = before - placement.cost if placed else 1
        if apply and not placed and moved == set(job.previous):  # room again: not a change
            del engine.forced[j]
            place(plan, j, placement)
            engine.unplaced.discard(j)
            engine.dirty |= set(placement.where)
            return 0
        if moved != set(job.previous) and gain > 0:
            if apply:
                del engine.forced[j]
                place(plan, j, placement)
                engine.unplaced.discard(j)
                engine.dirty |= set(undo) | set(placement.where)
            else:
                plan.restore(j, undo)
            return gain
    plan.restore(j, undo)
    return 0
