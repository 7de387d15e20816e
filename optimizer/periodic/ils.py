"""Iterated local search over patterns: perturb related jobs, re-route, keep what is better.

Single-job pattern moves evaluated by removal and insertion estimates stop
early: once OR-Tools has optimised the days, taking one job out and
inserting it elsewhere rarely looks better, even when a different set of
patterns for a few neighbouring jobs would be (p02: stuck 4.7% above the
best-known value after the first routing, no improving move left). So a few
related jobs (a random job and its nearest neighbours, in the spirit of
Shaw's related removal) are moved to their best *other* pattern, the greedy
pattern search runs, the changed days are re-routed by OR-Tools from the
current routes, and the result is kept only when the plan got cheaper;
otherwise the best plan is restored.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from optimizer.periodic import descent
from optimizer.periodic.options import assignment_penalty
from optimizer.periodic.search import best_placement, improve, place

if TYPE_CHECKING:
    from optimizer.periodic.engine import Engine

logger = logging.getLogger(__name__)

NEIGHBOURS = (2, 6)
"""How many related jobs one perturbation moves (a random number in this range)."""

THRESHOLD = 0.005
"""With the numpy descent, a plan this much worse than the current one (a share of the best
cost, falling linearly to zero by the deadline) still becomes the current plan."""

FOCUS = 40
"""With the numpy descent, the pattern search after a perturbation tries only the jobs
nearest to it (a sweep over every job took 80 % of p08's perturbation time)."""

LOOSE_RATE = 0.2
"""Share of perturbations that may overfill routes: the moved jobs go where they cost least
with load and time over the limits priced (:func:`optimizer.periodic.descent.loose_price`),
and their days are settled by the descent that may pass over the limits before the one that
brings them back within (slower; :mod:`optimizer.periodic.descent`). A perturbation whose
days stay over their limits is undone."""

SECONDS_PER_VISIT = 0.005
"""Re-routing time cap per visit on a changed day (at least ``MIN_SLICE_S`` per day)."""

MIN_SLICE_S = 0.05

ROUTE_MARGIN = 0.01
"""Estimates up to 1% worse than the best plan are re-routed and judged on the result."""

LAZY_LIMIT = 10
"""Perturbations kept on their estimate alone before their days are re-routed."""

REROUTE = "GREEDY_DESCENT"
"""Changed days are re-routed by descent to a local optimum, from the current routes.

Only a few visits changed, so the warm start is nearly optimal and descent ends on its
own: a pr01 day took 23 ms to reach the value 3 s of guided local search reaches, while
guided local search never stops before its time limit. The final polish uses the
configured metaheuristic on every day."""


def score(engine: Engine) -> tuple[int, int]:
    """(visits left out, travel + consistency cost): what the search minimises, in that order."""
    plan, problem = engine.plan, engine.problem
    out = sum(problem.jobs[j].visits for j in engine.unplaced)
    penalty = sum(
        assignment_penalty(problem, problem.jobs[j], a) for j, a in plan.assign.items() if a
    )
    return out, plan.total_cost() + penalty


def _movable(engine: Engine) -> list[int]:
    return [
        j for j in sorted(engine.plan.assign)
        if engine.plan.assign[j] and j not in engine.forced
        and (len(engine.options[j].patterns) > 1 or len(engine.options[j].crews) > 1)
    ]  # fmt: skip


def perturb(
    engine: Engine, over: tuple[float, float] | None = None
) -> tuple[set[int], set[int]]:
    """Move a random job and its nearest movable neighbours to their best other pattern.

    ``over`` lets them into routes over their limits at that price (per unit of
    load, per second; see :meth:`~optimizer.periodic.plan.Plan.insertions`).
    Returns the days changed and the ``FOCUS`` movable jobs nearest to the moved ones.
    """
    plan, rng = engine.plan, engine.rng
    movable = _movable(engine)
    if not movable:
        return set(), set()
    seed = rng.choice(movable)
    here = engine.problem.jobs[seed].location
    row = plan.cost[here]
    size = rng.randint(*NEIGHBOURS)
    nearest = sorted(movable, key=lambda j: (row[engine.problem.jobs[j].location], j))
    chosen = nearest[:size]
    focus = set(nearest[:FOCUS])
    dirty: set[int] = set()
    old = {j: frozenset(plan.assign[j]) for j in chosen}
    for j in chosen:
        dirty |= set(plan.assign[j])
        plan.remove_job(j)
    rng.shuffle(chosen)
    for j in chosen:
        options = engine.options[j]
        others = tuple(p for p in options.patterns if p != old[j]) or options.patterns
        placement = best_placement(plan, j, replace(options, patterns=others), over=over)
        placement = placement or best_placement(plan, j, options, over=over)
        if placement is None:
            engine.unplaced.add(j)
            continue
        place(plan, j, placement)
        dirty |= set(placement.where)
    return dirty, focus


def reroute(engine: Engine, deadline: float | None) -> None:
    """Re-route the changed days by descent; put back what OR-Tools dropped (3 tries)."""
    for _ in range(3):
        if not engine.dirty:
            return
        for day in sorted(engine.dirty):
            params = engine.day_params(day, SECONDS_PER_VISIT, MIN_SLICE_S, deadline)
            engine.route([day], replace(params, metaheuristic=REROUTE))
        engine.repair()


def iterate(engine: Engine, deadline: float | None, iterations: int) -> int:
    """Run perturbations until ``deadline`` (or ``iterations`` without one); returns kept.

    A perturbation whose estimate (the cost of the actual routes after the
    insertions) already beats the best plan is kept without calling OR-Tools;
    its days are re-routed later, at most ``LAZY_LIMIT`` such steps apart. One
    whose estimate is within ``ROUTE_MARGIN`` of the best is re-routed at once
    and judged on the result, since re-routing often recovers the difference;
    worse ones are undone untried. This keeps OR-Tools calls, the costly part,
    for the moves that need them (pr09: 7 perturbations in 16 s when every
    one was re-routed).
    """
    if engine.fast:
        return _iterate_fast(engine, deadline, iterations)
    best = engine.snapshot()
    best_score = score(engine)
    kept = done = lazy = 0
    while (deadline is None and done < iterations) or (
        deadline is not None and time.monotonic() < deadline
    ):
        done += 1
        touched, _ = perturb(engine)
        touched |= improve(
            engine.plan,
            engine.options,
            set(engine.forced),
            engine.rng,
            deadline=engine.improve_deadline(),
        )
        engine.dirty |= touched
        estimate = score(engine)
        routed = False
        if (
            not estimate < best_score
            and estimate[0] == best_score[0]
            and (estimate[1] <= best_score[1] * (1 + ROUTE_MARGIN))
        ):
            reroute(engine, deadline)
            routed = True
        now = score(engine)
        logger.debug("perturbation %d: best %s, estimate %s, now %s", done, best_score,
                     estimate, now)  # fmt: skip
        if now < best_score:
            lazy = 0 if routed else lazy + 1
            if lazy >= LAZY_LIMIT or not engine.exact:
                reroute(engine, deadline)
                lazy = 0
                if not score(engine) < best_score:
                    engine.restore(best)
                    continue
            best, best_score = engine.snapshot(), score(engine)
            kept += 1
        else:
            engine.restore(best)
    reroute(engine, deadline)
    if not score(engine) < best_score:
        engine.restore(best)
    return kept


def _iterate_fast(engine: Engine, deadline: float | None, iterations: int) -> int:
    """The same search judged by the numpy descent (:meth:`Engine.descend`).

    Each perturbation is settled exactly in milliseconds, so many more are
    tried, and a plan up to ``THRESHOLD`` worse than the current one is
    accepted as the next current plan (threshold accepting, Dueck and Scheuer
    1990), the threshold falling to zero by the deadline: strict descent
    stayed in its first basin (p08 ended anywhere between 2.4 % and 5.7 %
    above the best-known value, depending on the start). The best plan seen is
    returned; its days are routed by OR-Tools in the polish.
    """
    plan, locked = engine.plan, set(engine.forced)
    best = current = engine.snapshot()
    best_score = current_score = score(engine)
    price = descent.loose_price(plan, sorted(plan.routes))
    over = None if price is None else (price.load, price.work)
    started = time.monotonic()
    kept = done = 0
    while (deadline is None and done < iterations) or (
        deadline is not None and time.monotonic() < deadline
    ):
        done += 1
        loose = engine.rng.random() < LOOSE_RATE
        touched, focus = perturb(engine, over if loose else None)
        touched |= improve(plan, engine.options, locked, engine.rng,
                           deadline=engine.improve_deadline(), among=focus)  # fmt: skip
        if engine.unplaced and not engine.spare:  # (a repair may spend the budget's room,
            touched |= engine.repair()  # which a restore would not give back)
        engine.dirty |= touched
        engine.descend(touched, loose=loose)
        if loose and not descent.feasible(plan, [k for k in plan.routes if k[0] in touched]):
            engine.restore(current)
            continue
        now = score(engine)
        if deadline is None:
            left = 1 - done / max(iterations, 1)
        else:
            left = max(0.0, (deadline - time.monotonic()) / max(deadline - started, 1e-9))
        allowed = current_score[1] + THRESHOLD * left * best_score[1]
        if now < best_score:
            best, best_score = engine.snapshot(), now
            current, current_score = best, now
            kept += 1
        elif now < current_score or (now[0] == current_score[0] and now[1] <= allowed):
            current, current_score = engine.snapshot(), now
        else:
            engine.restore(current)
    engine.restore(best)
    return kept
