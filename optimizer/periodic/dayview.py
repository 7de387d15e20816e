"""One day's routes as flat numpy arrays, so that a whole neighbourhood is priced at once.

Visits are numbered route after route (a route's visits are consecutive), and
so are the route's arcs ("edges": start -> first visit, ..., last visit ->
end). Every move of :mod:`optimizer.periodic.moves` is a matrix over visits,
segments or edges built from these arrays, and its price includes a penalty
for load and working time over the route's limits, so that the descent may
pass through overfull routes (Vidal et al. 2012 search with the same kind of
penalty; it pays most on capacity-tight days).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.periodic.options import JobOptions
from optimizer.periodic.plan import Key, Plan

UNLIMITED = np.iinfo(np.int64).max // 8
"""Capacity of a route without one (large, yet safe to add to)."""


@dataclass
class Penalty:
    """Price of one unit over the limits: a unit of load, a second of working time."""

    load: float
    work: float

    def of(
        self, load: np.ndarray, work: np.ndarray, cap: np.ndarray, limit: np.ndarray
    ) -> np.ndarray:
        return self.load * np.maximum(load - cap, 0) + self.work * np.maximum(work - limit, 0)


@dataclass
class DayView:
    """Flat arrays of one day's routes (rebuilt after every round of moves)."""

    keys: list[Key]
    routes: list[list[int]]
    # per route
    load: np.ndarray
    work: np.ndarray
    cap: np.ndarray
    limit: np.ndarray
    yard: np.ndarray
    # per visit (route after route)
    v_route: np.ndarray
    v_pos: np.ndarray
    """Index of the visit in its route's places (1 = first visit)."""
    v_loc: np.ndarray
    v_prev: np.ndarray
    v_next: np.ndarray
    v_demand: np.ndarray
    v_service: np.ndarray
    v_move: np.ndarray
    """May leave its route (not locked to its crew, and a crew choice exists)."""
    allowed: np.ndarray
    """[visit, route]: the visit may be served by that route's crew (own route always)."""
    # per edge (route after route)
    e_route: np.ndarray
    e_k: np.ndarray
    """Index of the edge in its route (edge k joins places k and k+1; inserting there puts
    the new visit at index k of the route's job list)."""
    e_u: np.ndarray
    e_w: np.ndarray
    e_head_load: np.ndarray
    """Load of the route's visits up to the edge's first place."""
    e_head_work: np.ndarray
    """Working time from the start up to and including the edge's first place's service."""


def build(plan: Plan, options: list[JobOptions], keys: list[Key], movable: set[int]) -> DayView:
    """The flat view of the routes ``keys`` of one day."""
    problem, dur = plan.problem, plan.problem.duration_matrix
    timer = plan.timer
    assert timer is not None
    routes = [list(plan.routes[k]) for k in keys]
    crews = [k[1] for k in keys]
    yards: dict[tuple[int, int], int] = {}
    yard = [yards.setdefault((problem.crews[c].start, problem.crews[c].end), len(yards))
            for c in crews]  # fmt: skip
    locs = [plan.locs[k] for k in keys]
    sizes = np.array([len(r) for r in routes], dtype=np.int64)
    jobs = np.array([j for r in routes for j in r], dtype=np.int64)
    demand, service = plan.demands[jobs], plan.services[jobs]
    head_load, head_work = [], []
    for r, x in enumerate(locs):
        mine = slice(int(sizes[:r].sum()), int(sizes[: r + 1].sum()))
        head_load.append(np.concatenate(([0], np.cumsum(demand[mine]))))
        travel = np.concatenate(([0], np.cumsum(dur[x[:-2], x[1:-1]])))
        head_work.append(travel + np.concatenate(([0], np.cumsum(service[mine]))))
    free = np.array([j in movable for j in jobs], dtype=bool)
    v_route = np.repeat(np.arange(len(keys)), sizes)
    allowed = np.array([[free[v] and c in options[j].crews for c in crews]
                        for v, j in enumerate(jobs.tolist())], dtype=bool)  # fmt: skip
    allowed = allowed.reshape(len(jobs), len(keys))
    allowed[np.arange(len(jobs)), v_route] = True
    return DayView(
        keys=keys,
        routes=routes,
        load=np.array([plan.load[k] for k in keys], dtype=np.int64),
        work=np.array([plan.work[k] for k in keys], dtype=np.int64),
        cap=np.array([UNLIMITED if timer.capacity[k] is None else timer.capacity[k]
                      for k in keys], dtype=np.int64),  # fmt: skip
        limit=np.array([timer.limit[k] for k in keys], dtype=np.int64),
        yard=np.array(yard, dtype=np.int64),
        v_route=v_route,
        v_pos=np.concatenate([np.arange(1, n + 1) for n in sizes] or [np.empty(0, np.int64)]),
        v_loc=_joined([x[1:-1] for x in locs]),
        v_prev=_joined([x[:-2] for x in locs]),
        v_next=_joined([x[2:] for x in locs]),
        v_demand=demand,
        v_service=service,
        v_move=free,
        allowed=allowed,
        e_route=np.repeat(np.arange(len(keys)), sizes + 1),
        e_k=np.concatenate([np.arange(n + 1) for n in sizes]),
        e_u=_joined([x[:-1] for x in locs]),
        e_w=_joined([x[1:] for x in locs]),
        e_head_load=_joined(head_load),
        e_head_work=_joined(head_work),
    )


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)
