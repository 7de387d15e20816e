"""``solve_periodic()``: screen, optimise, keep the stability budget, explain.

With a ``stability_budget`` K and jobs that carry a ``previous`` assignment,
the plan is made twice: first without the budget (the ``previous_assignment``
weight still pulls towards the old plan), then every job is pinned to its
previous day and crew except the K changes that save most, ranked by what
each saves in the unconstrained plan (its cost where it is against its cost
back in its old slot), and the plan is re-optimised from there. Only those K
jobs can differ from ``previous``, so the budget holds by construction.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from optimizer.params import SolveParams
from optimizer.periodic.engine import Engine
from optimizer.periodic.explain import build_result, previous_slot, saving
from optimizer.periodic.options import is_changed, job_options
from optimizer.periodic.problem import PeriodicProblem
from optimizer.periodic.result import PeriodicResult
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
        forced = _budget_pins(engine, jobs)
        if forced:
            second = Engine(problem, options, params, forced=forced, progress=progress)
            second.started = engine.started
            second.start(jobs, initial=engine.plan)
            left = None if params.time_limit_s is None else max(
                0.5, params.time_limit_s - (time.monotonic() - started))  # fmt: skip
            second.optimise(left)
            engine = second
    return build_result(engine, screened, time.monotonic() - started)


def _budget_pins(engine: Engine, jobs: list[int]) -> dict[int, dict[int, int]]:
    """Pins (day -> crew) to ``previous`` for every job but the K most saving changes."""
    problem, plan = engine.problem, engine.plan
    budget = problem.stability_budget or 0
    keepable = {j: slot for j in jobs if (slot := previous_slot(problem, engine.options[j], j))}
    changed = [j for j in keepable if j in plan.assign and plan.assign[j]
               and is_changed(problem, problem.jobs[j], plan.assign[j])]  # fmt: skip
    if len(changed) <= budget:
        return {}
    ranked = sorted(changed, key=lambda j: (-(saving(plan, engine.options[j], j, keepable[j])
                                              or 0), problem.jobs[j].id))  # fmt: skip
    free = set(ranked[:budget])
    return {j: slot for j, slot in keepable.items() if j not in free}
