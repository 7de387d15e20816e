"""The planner's main loop: starts, exact day routing, pattern search, polish.

Why a decomposition: a single flat OR-Tools model of the periodic problem
(one vehicle per crew-day, the allowed day-combinations as an
``AllowedAssignments`` table) left 4 of the 19 Cordeau instances infeasible
and averaged 10.5% above the best-known values at 60 s (``NOTES.md``):
insertion heuristics cannot place a multi-visit customer one visit at a time.
Here the patterns are chosen outside OR-Tools, where a whole job moves at
once, and OR-Tools only routes days whose visits are fixed:

1. starts: cheapest insertion over all patterns and load-balanced patterns
   (:func:`~optimizer.periodic.search.construct`, ``construct_balanced``), each
   followed by the greedy pattern search (:func:`~optimizer.periodic.search.improve`);
2. a first round routes as many starts as the time allows, cold, one model per
   day (all days in one when nearly every visit may change day), and keeps the best;
3. pairs of neighbouring days are routed together, so that one-visit jobs can
   change day inside OR-Tools' own search (not when the numpy descent judges the
   search: the time goes to the search);
4. iterated local search over patterns (:func:`~optimizer.periodic.ils.iterate`);
5. every day is routed once more (polish), so that every returned day is an
   OR-Tools solution with exact times.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from optimizer.params import SolveParams
from optimizer.periodic import descent, ils
from optimizer.periodic.finish import finish
from optimizer.periodic.options import JobOptions, day_free
from optimizer.periodic.plan import Plan
from optimizer.periodic.problem import PeriodicProblem
from optimizer.periodic.routing import route_group, shift_route
from optimizer.periodic.search import (
    best_placement,
    construct,
    construct_balanced,
    improve,
    place,
)
from optimizer.solution import Progress, Solution, Unassigned

logger = logging.getLogger(__name__)

SINGLE_MODEL_VISITS = 120
"""Up to this many visits, all of them free to change day, all days are routed in one model.

Only then: with visits fixed to their days, one model of five days routed p02 with the
best-known patterns to 1453.7 in 10 s, five one-day models to 1322.9 (the best-known value).
"""

SINGLE_MODEL_FREE_SHARE = 0.9
"""Share of day-free visits (one-visit jobs with several allowed days) for one model."""

FIRST_ROUND_SHARE = 0.3
"""Share of the time limit for the first routing round (every day, cold, both starts)."""

FIRST_ROUND_SHARE_FAST = 0.05
"""The same when the pattern search is judged by the numpy descent: its perturbations are
cheap, so time moves from more starts to the search, and the pairs round is left out (six
Cordeau instances at 60 s, one run each: mean 2.78 % above the best-known values with 5 % and
no pairs, 3.55 % with 15 % and 10 % of pairs). Not when all days share one model (CVRPs in
disguise: OR-Tools chooses the days there; p01 ended +1.6 % with 5 %, +0.0 % with 30 %)."""

MAX_STARTS = 6
"""Starts built (insertion and balanced patterns, alternating; random orders after the first)."""

ROUTE_SECONDS_PER_VISIT2 = 0.0002
"""Estimated seconds to route a day of n visits well: this times n squared."""

PAIRS_SHARE = 0.1
"""Share of the time limit for routing pairs of days (one-visit jobs change day inside it)."""

POLISH_SHARE = 0.15
"""Share of the time limit for re-routing every day at the end (the search re-routes by
greedy descent only, for speed)."""

POLISH_SHARE_FAST = 0.05
"""The same when the pattern search is judged by the numpy descent: guided local search then
finds little left to gain (pr05: 12 s of polish gained 0.09 %, the search 4 % in 28 s)."""

IMPROVE_SHARE = 0.1
"""Longest pattern search after a construction or a routing round, as a share of the time
limit (a sweep over a 5,000-visit week takes seconds)."""

RESTART_SECONDS_PER_VISIT = 0.0005
"""A restart round of the core (``SolveParams.restarts``) needs at least this many seconds per
visit; a shorter slice is searched in one round (a day of ~1,000 visits split into five 0.3 s
rounds found no plan in any of them)."""

DETERMINISTIC_PERTURBATIONS = 4
"""Perturbations when only a ``solution_limit`` is given (no wall clock involved)."""


@dataclass
class Engine:
    """State of one optimisation: the plan, the latest routed day solutions, what failed."""

    problem: PeriodicProblem
    options: list[JobOptions]
    params: SolveParams
    forced: dict[int, dict[int, int]] = field(default_factory=dict)
    spare: int = 0
    """Pinned jobs that may still be freed (stability budget left unused) when their pinned
    slot has no room."""
    progress: Callable[[Progress], None] | None = None
    plan: Plan = field(init=False)
    days: dict[int, Solution] = field(default_factory=dict)
    dirty: set[int] = field(default_factory=set)
    dropped: dict[int, Unassigned] = field(default_factory=dict)
    unplaced: set[int] = field(default_factory=set)
    started: float = field(default_factory=time.monotonic)
    starts: list[dict[str, object]] = field(default_factory=list)
    todo: list[int] = field(default_factory=list)
    base: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        matrix = self.problem.distance_matrix if self.params.objective == "distance" else (
            self.problem.duration_matrix)  # fmt: skip
        self.plan = Plan(self.problem, matrix)
        self.rng = random.Random(0)
        self.work_days = sorted({d for d, _ in self.plan.routes})
        self.exact = self.plan.untimed
        """True when the planner's route estimates are exact (no windows, no lunch)."""
        self.fast = descent.usable(self.plan)
        """True when the pattern search judges its moves by the numpy descent, not OR-Tools."""
        self.reverse = self.fast and descent.symmetric(self.plan)

    # -- phases -----------------------------------------------------------------------
    def start(self, jobs: list[int], initial: Plan | None = None) -> None:
        """Construct (or copy ``initial``, re-placing forced jobs), then pattern search."""
        todo = list(jobs)
        if initial is not None:
            keep = {j for j in jobs if j in initial.assign and initial.assign[j]
                    and (j not in self.forced or initial.assign[j] == self.forced[j])}  # fmt: skip
            self.plan.set_routes(
                {k: [j for j in r if j in keep] for k, r in initial.routes.items()}
            )
            todo = [j for j in jobs if j not in keep]
        self.todo = todo
        self.base = self.snapshot()
        self.starts = [self.make_start(0)]  # the others are built when they are routed

    def make_start(self, number: int) -> dict[str, object]:
        """Start ``number``: insertion (even) or balanced patterns (odd), then pattern search."""
        self.restore(self.base)
        if number % 2:
            failed = construct_balanced(self.plan, self.options, self.todo, self.forced, self.rng)
        else:
            noise = self.rng if number else None
            failed = construct(self.plan, self.options, self.todo, self.forced, noise)
        self.unplaced = set(failed)
        self.dirty = set(self.work_days)
        if self.fast and self.unplaced:
            self.compact()
        self.dirty |= improve(
            self.plan, self.options, set(self.forced), self.rng, deadline=self.improve_deadline()
        )
        return self.snapshot()

    def compact(self) -> None:
        """Descend every day and put jobs that are out back in, while that places more.

        Sequential insertion packs routes badly under tight limits (pr05's duration
        limit left about 135 of 240 jobs out of each start); the descent shortens the
        routes and makes room for them. Only with the numpy descent (it is cheap there),
        and only when jobs are out (p10 and p11 gained nothing from it otherwise).
        """
        for _ in range(5):
            self.descend(self.work_days)
            if not self.unplaced or not self.repair():
                break

    def descend(self, days: Iterable[int], loose: bool = True) -> None:
        """Settle the routes of ``days`` by the numpy descent (only when :attr:`fast`)."""
        locked = set(self.forced)
        for day in sorted(days):
            descent.descend(self.plan, self.options, day, locked, self.reverse, loose)

    def optimise(self, budget_s: float | None) -> None:
        """Routing rounds, then iterated local search, until ``budget_s`` is spent.

        Without a budget (``solution_limit`` only) a fixed number of rounds and
        perturbations runs, so that the result does not depend on the machine.
        """
        deadline = None if budget_s is None else time.monotonic() + budget_s
        visits = sum(len(r) for r in self.plan.routes.values())
        free = sum(1 for j, a in self.plan.assign.items() if a and self.day_free(j))
        single = visits <= SINGLE_MODEL_VISITS and free >= SINGLE_MODEL_FREE_SHARE * visits
        reserve = 0.0 if budget_s is None else 0.05 * budget_s + 0.3
        share = FIRST_ROUND_SHARE_FAST if self.fast and not single else FIRST_ROUND_SHARE
        self.first_round(None if budget_s is None else share * budget_s, single)
        if free and not single and not self.fast:
            seconds = None if budget_s is None else PAIRS_SHARE * budget_s
            self.route_round(self.schedule(1, single), seconds)
            self.after_routing(1)
        if self.fast:  # the search needs exact estimates, not OR-Tools' times, until the polish
            self.descend(self.work_days)
        else:
            finish(self, None if deadline is None else max(0.2, 0.1 * budget_s))  # type: ignore[operator]
        polish = 0.0 if budget_s is None else (
            POLISH_SHARE_FAST if self.fast else POLISH_SHARE) * budget_s  # fmt: skip
        ils_deadline = None if deadline is None else deadline - reserve - polish
        kept = ils.iterate(self, ils_deadline, DETERMINISTIC_PERTURBATIONS)
        logger.debug(
            "iterated local search: %d improvements, cost %d", kept, self.plan.total_cost()
        )
        self.dirty |= set(self.work_days)
        finish(self, None if deadline is None else max(0.2, deadline - time.monotonic() - 0.1))

    def day_params(
        self, day: int, per_visit: float, minimum: float, deadline: float | None,
        solutions: int | None = None,
    ) -> SolveParams:  # fmt: skip
        """Core settings to re-route one day: time by its size (capped), or the solution limit."""
        if deadline is None:
            return replace(self.params, num_workers=1)
        size = sum(len(r) for k, r in self.plan.routes.items() if k[0] == day)
        seconds = max(minimum, per_visit * size)
        seconds = max(0.05, min(seconds, deadline - time.monotonic()))
        return replace(self.params, time_limit_s=seconds, solution_limit=solutions, num_workers=1)

    def improve_deadline(self) -> float | None:
        """When a pattern search started now must stop (``None`` without a time limit)."""
        limit = self.params.time_limit_s
        return None if limit is None else time.monotonic() + IMPROVE_SHARE * limit

    def snapshot(self) -> dict[str, object]:
        """A copy of everything :meth:`restore` needs to come back to this plan."""
        return {
            "routes": {k: list(r) for k, r in self.plan.routes.items()},
            "days": dict(self.days),
            "unplaced": set(self.unplaced),
            "dropped": dict(self.dropped),
            "dirty": set(self.dirty),
        }

    def restore(self, state: dict[str, object]) -> None:
        """Return to a :meth:`snapshot`."""
        routes: dict = state["routes"]  # type: ignore[assignment]
        self.plan.assign = {}
        self.plan.routes = {}
        self.plan.set_routes(routes)
        self.days = dict(state["days"])  # type: ignore[call-overload]
        self.unplaced = set(state["unplaced"])  # type: ignore[call-overload]
        self.dropped = dict(state["dropped"])  # type: ignore[call-overload]
        self.dirty = set(state["dirty"])  # type: ignore[call-overload]

    def first_round(self, seconds: float | None, single: bool) -> None:
        """Route starts (insertion, balanced patterns, alternating) cold; keep the best plan.

        As many starts as the time allows at an estimated ``0.0002 n**2`` s to
        route a day of ``n`` visits (p02: 0.1 s a day, pr09: 2.3 s), at least two.
        """
        sizes = [sum(len(r) for k, r in self.plan.routes.items() if k[0] == d)
                 for d in self.work_days]  # fmt: skip
        one = max(sum(ROUTE_SECONDS_PER_VISIT2 * n * n for n in sizes), 0.1 * len(sizes))
        count = 2 if seconds is None else int(max(2, min(MAX_STARTS, seconds / max(one, 1e-3))))
        best: tuple[tuple[int, int], dict[str, object]] | None = None
        for number in range(count):  # each start is built when it is routed (first plan sooner)
            if number == len(self.starts):
                self.starts.append(self.make_start(number))
            self.restore(self.starts[number])
            share = None if seconds is None else seconds / count
            self.route_round(self.schedule(0, single), share, cold=True)
            self.after_routing(0)
            now = ils.score(self)
            if best is None or now < best[0]:
                best = (now, self.snapshot())
        assert best is not None
        self.restore(best[1])

    def after_routing(self, round_no: int) -> None:
        """Put back what is out and run the pattern search on the routed days."""
        routed = self.plan.total_cost()
        self.repair()
        self.dirty |= improve(
            self.plan, self.options, set(self.forced), self.rng, deadline=self.improve_deadline()
        )
        logger.debug("round %d: routed %d, after pattern search %d, %d days changed, "
                     "%d jobs out", round_no, routed, self.plan.total_cost(), len(self.dirty),
                     len(self.unplaced))  # fmt: skip

    def day_free(self, j: int) -> bool:
        """True for a job OR-Tools may move between days (one visit, several allowed days)."""
        job = self.problem.jobs[j]
        days = {d for p in self.options[j].patterns for d in p}
        return j not in self.forced and len(days) > 1 and day_free(self.problem, job)

    def schedule(self, round_no: int, single: bool) -> list[list[int]]:
        """Day groups of a round: all days, or single days, then pairs at alternating offsets."""
        days = self.work_days
        if single or len(days) == 1:
            return [days]
        if round_no == 0:
            return [[d] for d in days]
        offset = round_no % 2 == 0
        order = days[1:] + days[:1] if offset else days
        groups = [order[i : i + 2] for i in range(0, len(order), 2)]
        return [sorted(g) for g in groups]

    def route_round(
        self, groups: list[list[int]], seconds: float | None, cold: bool = False
    ) -> None:
        """Re-route every group, splitting ``seconds`` by the groups' visit counts."""
        sizes = [sum(len(r) for k, r in self.plan.routes.items() if k[0] in g) for g in groups]
        total = max(1, sum(sizes))
        for group, size in zip(groups, sizes, strict=True):
            if seconds is None:
                params = replace(self.params, num_workers=1)
            else:
                slice_s = max(0.05, seconds * max(size, 1) / total)
                params = replace(self.params, time_limit_s=slice_s, solution_limit=None,
                                 num_workers=1)  # fmt: skip
            self.route(group, params, cold)

    def route(self, group: list[int], params: SolveParams, cold: bool = False) -> None:
        """One core solve of ``group``; dropped visits take their whole job out.

        A cold start that leaves visits out (OR-Tools' own construction fails
        on tight duration limits: pr01 dropped visits on every day) is retried
        from the planner's routes, and the better of the two is kept.
        """
        limit = params.time_limit_s
        if limit is not None and params.restarts:
            size = sum(len(r) for k, r in self.plan.routes.items() if k[0] in group)
            if limit / (params.restarts + 1) < RESTART_SECONDS_PER_VISIT * size:
                params = replace(params, restarts=0)
        result = route_group(self.plan, self.options, group, params, set(self.forced), cold)
        if cold and not result.regional and (result.dropped or result.solution is None):
            warm = route_group(self.plan, self.options, group, params, set(self.forced))
            if (len(warm.dropped), self.routes_cost(warm.routes)) < (
                len(result.dropped), self.routes_cost(result.routes)):  # fmt: skip
                result = warm
        self.plan.set_routes(result.routes)
        if result.solution is not None:
            for day in group:
                prefix = f"@{day}"
                routes = tuple(shift_route(r, result.offsets[day]) for r in result.solution.routes
                               if r.vehicle_id.endswith(prefix))  # fmt: skip
                self.days[day] = Solution(routes)
            self.dirty -= set(group)
        out: dict[int, set[int]] = {}
        for j, day, _ in result.dropped:
            out.setdefault(j, set()).add(day)
        for j, _day, item in result.dropped:
            if j in self.plan.assign:  # its other days lose a visit; the routed ones are right
                self.dirty |= set(self.plan.assign[j]) - out[j]
                self.plan.remove_job(j)
            self.dropped[j] = item
            self.unplaced.add(j)
        if self.progress is not None:
            elapsed = time.monotonic() - self.started
            self.progress(Progress(self.plan.total_cost(), elapsed, len(self.days), 0))

    def routes_cost(self, routes: dict[tuple[int, int], list[int]]) -> int:
        """Objective travel of some routes given as job-index lists."""
        jobs, cost = self.problem.jobs, self.plan.cost
        total = 0
        for (_, c), route in routes.items():
            if route:
                crew = self.problem.crews[c]
                locs = [crew.start, *(jobs[j].location for j in route), crew.end]
                total += int(cost[locs[:-1], locs[1:]].sum())
        return total

    def repair(self) -> set[int]:
        """Try to put back the jobs that are out (dropped by OR-Tools or never placed).

        Returns the days that changed (also added to ``dirty``).
        """
        touched: set[int] = set()
        for j in sorted(self.unplaced):
            placement = best_placement(self.plan, j, self.options[j], self.forced.get(j))
            if placement is None and j in self.forced and self.spare > 0:
                placement = best_placement(self.plan, j, self.options[j])
                if placement is not None:  # it moves on the budget's unused room
                    del self.forced[j]
                    self.spare -= 1
            if placement is not None:
                place(self.plan, j, placement)
                self.unplaced.discard(j)
                touched |= set(placement.where)
        self.dirty |= touched
        return touched
