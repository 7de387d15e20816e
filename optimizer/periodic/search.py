"""Choosing patterns and crews: cheapest-insertion construction and pattern local search.

Both work on the current routes of a :class:`~optimizer.periodic.plan.Plan`.
A job is placed by evaluating every allowed pattern: on each of its days the
cheapest feasible insertion into each eligible crew's route, plus the
consistency cost of the resulting (day, crew) set (:func:`best_placement`).
The local search takes each job out of its routes and puts it back at its
best pattern, a move that is kept only when it strictly lowers the estimated
cost (removal gain against insertion cost, as in Cordeau, Gendreau and
Laporte 1997 and the pattern-improvement step of Vidal et al. 2012). The
routes it leaves behind are then re-optimised by OR-Tools.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from optimizer.periodic.options import JobOptions, assignment_penalty, visit_penalty
from optimizer.periodic.plan import Plan


@dataclass(frozen=True)
class Placement:
    """Where to put a job: estimated cost and ``{day: (crew, position)}``."""

    cost: int
    where: dict[int, tuple[int, int]]


def best_placement(
    plan: Plan, j: int, options: JobOptions, forced: dict[int, int] | None = None,
    over: tuple[float, float] | None = None,
) -> Placement | None:  # fmt: skip
    """Cheapest feasible pattern and crews for job ``j`` (not in the routes right now).

    ``forced`` (day -> crew) allows only that assignment (a stability pin).
    ``over`` prices load and time over the limits instead (:meth:`Plan.insertions`).
    Per day the cheapest crew is taken; with a ``same_crew`` weight every
    single-crew alternative is evaluated as well, since one crew for all visits
    may beat the sum of the cheapest crews once the weight is counted.
    """
    problem = plan.problem
    job = problem.jobs[j]
    patterns = options.patterns if forced is None else (frozenset(forced),)
    table: dict[tuple[int, int], tuple[int, int]] = {}
    for day in sorted({d for p in patterns for d in p}):
        crews = options.crews if forced is None else [c for c in options.crews
                                                      if forced.get(day) == c]  # fmt: skip
        for c, (added, pos) in plan.insertions(j, day, crews, over).items():
            table[(day, c)] = (added + visit_penalty(problem, job, day, c), pos)
    best: Placement | None = None
    single_crew = problem.weights.same_crew > 0 and job.visits > 1
    for pattern in patterns:
        choices: list[dict[int, int]] = []
        cheapest: dict[int, int] = {}
        for day in sorted(pattern):
            here = [(table[(day, c)][0], c) for c in options.crews if (day, c) in table]
            if not here:
                break
            cheapest[day] = min(here)[1]
        else:
            choices.append(cheapest)
        if single_crew:
            for c in options.crews:
                if all((d, c) in table for d in pattern):
                    choices.append({d: c for d in pattern})
        for choice in choices:
            cost = sum(table[(d, c)][0] for d, c in choice.items())
            cost += problem.weights.same_crew * (len(set(choice.values())) - 1)
            if best is None or cost < best.cost:
                where = {d: (c, table[(d, c)][1]) for d, c in choice.items()}
                best = Placement(cost, where)
    return best


def place(plan: Plan, j: int, placement: Placement) -> None:
    """Insert every visit of ``j`` where ``placement`` says (days are distinct routes)."""
    for day, (c, pos) in sorted(placement.where.items()):
        plan.insert(j, (day, c), pos)


def current_cost(plan: Plan, j: int) -> int:
    """Estimated cost of ``j`` where it is: removal gain plus its consistency cost."""
    job = plan.problem.jobs[j]
    return plan.removal_gain(j) + assignment_penalty(plan.problem, job, plan.assign.get(j, {}))


def construct(
    plan: Plan,
    options: list[JobOptions],
    jobs: list[int],
    forced: dict[int, dict[int, int]],
    rng: random.Random | None = None,
) -> list[int]:
    """Insert ``jobs`` one by one, least flexible first; returns the ones that did not fit.

    With ``rng``, jobs equally flexible come in random order (another start).
    """
    problem = plan.problem

    def flexibility(j: int) -> tuple[int, float, int, str]:
        job = problem.jobs[j]
        choices = 1 if j in forced else len(options[j].patterns) * len(options[j].crews)
        noise = rng.random() if rng is not None else -job.visits * job.demand
        return (choices, noise, -job.visits, job.id)

    failed = []
    for j in sorted(jobs, key=flexibility):
        placement = best_placement(plan, j, options[j], forced.get(j))
        if placement is None:
            failed.append(j)
        else:
            place(plan, j, placement)
    return failed


def improve(
    plan: Plan,
    options: list[JobOptions],
    locked: set[int],
    rng: random.Random,
    max_sweeps: int = 20,
    deadline: float | None = None,
    among: set[int] | None = None,
) -> set[int]:
    """Pattern local search: move jobs to their best pattern while that strictly pays.

    Stops at ``deadline`` (``time.monotonic()``) if one is given: a sweep over a
    5,000-visit week takes seconds (every job against its patterns and crews).
    ``among`` limits the moves to those jobs (the neighbourhood of a perturbation).
    Returns the days whose routes changed (they need re-routing).
    """
    dirty: set[int] = set()
    plan.mean_work = _mean_work(plan)
    for _ in range(max_sweeps):
        order = [j for j in sorted(plan.assign if among is None else among)
                 if j not in locked and plan.assign.get(j)]  # fmt: skip
        rng.shuffle(order)
        moved = 0
        for n, j in enumerate(order):
            if deadline is not None and n % 50 == 0 and time.monotonic() > deadline:
                return dirty
            before = current_cost(plan, j)
            old = dict(plan.assign[j])
            undo = plan.remove_job(j)
            placement = best_placement(plan, j, options[j])
            if placement is not None and placement.cost < before:
                place(plan, j, placement)
                moved += 1
                dirty |= set(old) | set(placement.where)
            else:
                plan.restore(j, undo)
        if not moved:
            break
    return dirty


def _mean_work(plan: Plan) -> float:
    keys = list(plan.routes)
    return sum(plan.work[k] for k in keys) / len(keys) if keys else 0.0


def construct_balanced(
    plan: Plan,
    options: list[JobOptions],
    jobs: list[int],
    forced: dict[int, dict[int, int]],
    rng: random.Random,
) -> list[int]:
    """Choose each job's pattern to even out the days' loads, then insert it cheaply.

    The alternative start: cheapest insertion clusters visits on the days where
    routes already pass, which on capacity-tight instances leaves days badly
    packed (p23: 8359 after routing every day against 7232 from balanced
    patterns, 2 s a day); balanced patterns lose where insertion wins (p02:
    1542 against 1389), so the engine routes both and keeps the better.
    """
    problem = plan.problem
    by_demand = any(job.demand for job in problem.jobs)
    room: dict[int, float] = {}
    for (day, c), limit in plan.timer.limit.items():  # type: ignore[union-attr]
        cap = plan.timer.capacity[(day, c)]  # type: ignore[union-attr]
        room[day] = room.get(day, 0.0) + (cap if by_demand and cap is not None else limit)
    load = {day: 0.0 for day in room}

    def size(j: int) -> float:
        job = problem.jobs[j]
        return float(job.demand if by_demand else job.service)

    order = sorted(jobs, key=lambda j: (len(options[j].patterns), -size(j), problem.jobs[j].id))
    failed = []
    for j in order:
        if j in forced:
            patterns = [frozenset(forced[j])]
        else:
            patterns = sorted(options[j].patterns, key=lambda p: (
                max((load[d] + size(j)) / max(room[d], 1.0) for d in p), rng.random()))  # fmt: skip
        for pattern in patterns:
            pinned = forced.get(j) or {}
            single = JobOptions((pattern,), options[j].crews)
            placement = best_placement(plan, j, single, pinned or None)
            if placement is not None:
                place(plan, j, placement)
                for d in pattern:
                    load[d] += size(j)
                break
        else:
            failed.append(j)
    return failed
