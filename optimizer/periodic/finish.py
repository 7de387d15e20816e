"""Route every changed day with OR-Tools until none is left changed (the planner's last word).

Every day the planner returns must be an OR-Tools solution with exact times.
This loop routes the changed days, puts back what OR-Tools dropped (twice),
then only takes dropped jobs out, so it ends; a day OR-Tools cannot route at
all loses its visits (with every day that shares a job with it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from optimizer.periodic.regions import crew_regions
from optimizer.solution import Solution

if TYPE_CHECKING:
    from optimizer.periodic.engine import Engine

FINISH_SECONDS_PER_VISIT = 0.003
"""Least time per visit to re-route a day in :func:`finish` (doubled on each pass that
routed nothing): 0.1 s found no plan for a day of ~1,000 visits, pass after pass."""

FINISH_SECONDS_PER_VISIT_REGIONS = 0.001
"""The same for a day routed in regions: a region keeps its accepted warm routes whatever
its time, so 3 ms a visit (15 s a pass over five days of ~1,000 visits) only cost time."""

FINISH_RETRIES = 3
"""Passes in a row without progress (no day routed, no job out) before the days are given up."""


def finish(engine: Engine, seconds: float | None) -> None:
    """Route the days changed since their last routing, until none is left changed.

    The first two passes put back what OR-Tools dropped; later passes only
    take dropped jobs out, so the loop ends: each pass either leaves every
    day routed or removes a job, or, when OR-Tools found no plan at all, the
    next pass gets twice the time (at most ``FINISH_RETRIES`` times). A day
    OR-Tools cannot route at all (no model, or no plan in time) loses its
    visits, with every day that shares a job with it, so that every returned
    day is a routed one.
    """
    stuck = 0
    for attempt in range(len(engine.problem.jobs) + 3):
        if not engine.dirty or stuck > FINISH_RETRIES:
            break
        days = sorted(engine.dirty)
        placed = len(engine.plan.assign)
        for day in days:
            if seconds is None:
                params = replace(engine.params, num_workers=1)
            else:
                size = sum(len(r) for k, r in engine.plan.routes.items() if k[0] == day)
                regional = crew_regions(engine.plan, [day]) is not None
                per_visit = (FINISH_SECONDS_PER_VISIT_REGIONS if regional
                             else FINISH_SECONDS_PER_VISIT)  # fmt: skip
                floor = per_visit * size * 2**stuck
                params = replace(engine.params, solution_limit=None, num_workers=1,
                                 time_limit_s=max(0.1, seconds / len(days), floor))  # fmt: skip
            engine.route([day], params)
        if attempt < 2:
            engine.repair()
        seconds = None if seconds is None else 0.1 * len(days)
        progress = engine.dirty != set(days) or len(engine.plan.assign) != placed
        stuck = 0 if progress or attempt < 2 else stuck + 1
    if not engine.dirty:
        return
    lost = set(engine.dirty)  # and every day sharing a job with them, until closed
    while True:
        jobs = {j for k, r in engine.plan.routes.items() if k[0] in lost for j in r}
        more = {d for j in jobs for d in engine.plan.assign.get(j, {})} - lost
        if not more:
            break
        lost |= more
    for j in sorted(jobs):
        engine.plan.remove_job(j)
        engine.unplaced.add(j)
    for day in lost:
        engine.days[day] = Solution(())
    engine.dirty = set()
