"""Exact re-routing of one day's routes in numpy, for weeks without windows or lunches.

Why: the iterated local search judges each perturbation by re-routing the days
it touched. OR-Tools' descent does that well but costs about 0.3 s a call (a
model is built per day), so p08 saw about 70 perturbations in 15 s. When the
planner's estimates are exact (no time windows, no lunch, no balance weight:
a route is feasible when its load and its working time fit), the same
question is answered here in milliseconds. Every round prices four
neighbourhoods over the whole day at once (:mod:`optimizer.periodic.moves`:
relocation of segments of one to three visits, swap, 2-opt, 2-opt*) and
applies the best improving moves that touch different routes, until none
pays.

A second descent then lets routes go over their limits at a price and a
third, with a prohibitive price, brings them back within (strategic
oscillation, Glover 1977; the penalised search of Vidal et al. 2012). The
result is kept when it is feasible and cheaper: on capacity-tight days a
descent that may only move within the limits stops early (pr05's days are
filled to 95 %).

OR-Tools still routes every day at the end (the planner's polish), so every
returned day is an OR-Tools solution with exact times.
"""

from __future__ import annotations

import numpy as np

from optimizer.periodic import moves
from optimizer.periodic.dayview import DayView, Penalty, build
from optimizer.periodic.options import JobOptions, crew_free
from optimizer.periodic.plan import Key, Plan

MAX_ROUNDS = 500
"""Rounds of moves per descent (each round applies at least one improving move)."""

TOP = 12
"""Best moves of each kind considered per round (those on distinct routes are applied)."""

HARD = Penalty(load=1e7, work=1e7)
"""Over-limit prices that no saving outweighs: the descent stays within the limits."""

LOOSE_SHARE = 0.1
"""Over-limit price of a unit of load in the loose descent: this share of the day's mean arc
cost over the mean demand (on Cordeau's patterns of p22, p23 and pr05, insertion then one
descent ended nearest Cordeau's routes with 0.1 among 0.05-2)."""

LOOSE_WORK_SHARE = 1.0
"""The same for a second over the working-time limit, as a share of the day's cost per
second of travel."""

LOOSE_STEPS = (1.0, 3.0, 10.0)
"""Factors of the loose price, one descent each, before the descent within the limits."""


def usable(plan: Plan) -> bool:
    """True when route estimates are exact, so that a descent here decides like OR-Tools."""
    return plan.untimed and plan.problem.weights.balance == 0


def symmetric(plan: Plan) -> bool:
    """True when both matrices are symmetric (2-opt keeps a reversed segment's cost)."""
    cost, duration = plan.cost, plan.problem.duration_matrix
    return bool(np.array_equal(cost, cost.T) and np.array_equal(duration, duration.T))


def descend(
    plan: Plan, options: list[JobOptions], day: int, locked: set[int], reverse: bool,
    loose: bool = True,
) -> int:  # fmt: skip
    """Improve the routes of ``day`` in place; returns the objective saved.

    The saving is never negative when the routes start within their limits;
    routes over them are brought back within first where the moves can.

    ``locked`` jobs keep their crew; ``reverse`` allows 2-opt and reversed
    segments (symmetric matrices).
    """
    keys = sorted(k for k in plan.routes if k[0] == day)
    before = _cost(plan, keys)
    movable = {
        j for k in keys for j in plan.routes[k]
        if j not in locked and crew_free(plan.problem, plan.problem.jobs[j])
    }  # fmt: skip
    record = plan.settled.get(day)
    changed = None
    if record is not None and record[1] == frozenset(movable):
        changed = {k for k, route in zip(keys, record[0], strict=True) if plan.routes[k] != route}
    settle(plan, options, keys, movable, HARD, reverse, changed)
    settled, within = _cost(plan, keys), feasible(plan, keys)
    price = loose_price(plan, keys) if loose else None
    if price is not None:
        kept = {k: list(plan.routes[k]) for k in keys}
        for factor in LOOSE_STEPS:
            step = Penalty(load=price.load * factor, work=price.work * factor)
            settle(plan, options, keys, movable, step, reverse)
        settle(plan, options, keys, movable, HARD, reverse)
        if not feasible(plan, keys) or (within and _cost(plan, keys) >= settled):
            plan.set_routes(kept)
    plan.settled[day] = ([list(plan.routes[k]) for k in keys], frozenset(movable))
    return before - _cost(plan, keys)


def settle(
    plan: Plan, options: list[JobOptions], keys: list[Key], movable: set[int],
    penalty: Penalty, reverse: bool, changed: set[Key] | None = None,
) -> None:  # fmt: skip
    """Apply improving moves (priced with ``penalty``) until none is left.

    ``changed``: the routes that changed since the day was last settled with
    this penalty (``None``: all); moves between two other routes are not priced.
    After each round only the routes it rewrote stay active (an improving move
    it could not apply shares a route with one it applied), or all active ones
    when a neighbourhood returned as many moves as it may (more may pay).
    """
    cost, dur = plan.cost, plan.problem.duration_matrix
    active = np.array([changed is None or k in changed for k in keys], dtype=bool)
    for _ in range(MAX_ROUNDS):
        if not active.any():
            return
        view = build(plan, options, keys, movable)
        found, full = _candidates(view, cost, dur, penalty, reverse, active)
        if not found:
            return
        found.sort(key=lambda m: m.delta)
        taken: set[int] = set()
        rewrites: dict[Key, list[int]] = {}
        for move in found:
            if taken.isdisjoint(move.rewrites):
                taken |= set(move.rewrites)
                rewrites.update({view.keys[r]: route for r, route in move.rewrites.items()})
        plan.set_routes(rewrites)
        following = np.zeros(len(keys), dtype=bool)
        following[list(taken)] = True
        active = (active | following) if full else following


def _candidates(
    view: DayView, cost: np.ndarray, dur: np.ndarray, penalty: Penalty, reverse: bool,
    active: np.ndarray,
) -> tuple[list[moves.Move], bool]:  # fmt: skip
    """Improving moves touching an active route, and whether some kind hit its limit."""
    kinds = [
        moves.relocate(view, cost, dur, penalty, reverse, TOP, active),
        moves.swap(view, cost, dur, penalty, TOP, active),
        moves.two_opt_star(view, cost, dur, penalty, TOP, active),
    ]
    if reverse:
        kinds.append(moves.two_opt(view, cost, dur, penalty, TOP, active))
    return [m for kind in kinds for m in kind], any(len(kind) >= TOP for kind in kinds)


def _cost(plan: Plan, keys: list[Key]) -> int:
    return sum(plan.route_cost(k) for k in keys)


def feasible(plan: Plan, keys: list[Key]) -> bool:
    """True when every route of ``keys`` is within its capacity and working time."""
    timer = plan.timer
    assert timer is not None
    return all(
        plan.work[k] <= timer.limit[k]
        and (timer.capacity[k] is None or plan.load[k] <= timer.capacity[k])  # type: ignore[operator]
        for k in keys
    )


def loose_price(plan: Plan, keys: list[Key]) -> Penalty | None:
    """Over-limit prices for the routes ``keys`` (``None`` when too few to need them)."""
    visits = [j for k in keys for j in plan.routes[k]]
    if len(keys) < 2 or len(visits) < 2:
        return None
    jobs, dur = plan.problem.jobs, plan.problem.duration_matrix
    locs = [plan.locs[k] for k in keys if plan.routes[k]]
    arc_cost = sum(int(plan.cost[x[:-1], x[1:]].sum()) for x in locs)
    arc_time = sum(int(dur[x[:-1], x[1:]].sum()) for x in locs)
    arcs = sum(len(x) - 1 for x in locs)
    demand = sum(jobs[j].demand for j in visits) / len(visits)
    per_load = LOOSE_SHARE * arc_cost / arcs / demand if demand > 0 else HARD.load
    per_second = LOOSE_WORK_SHARE * arc_cost / arc_time if arc_time > 0 else HARD.work
    return Penalty(load=per_load, work=per_second)
