"""The planner's working state: which crew serves which visit on which day, in what order.

The pattern search needs thousands of "what would it cost to put job j on
days P" questions a second, so they are answered here from the current
routes, without OR-Tools: removing a visit saves ``c(a,x) + c(x,b) - c(a,b)``,
inserting it costs the cheapest such detour over the positions where the
route keeps its capacity, its working time and (checked by a forward pass
when windows or a lunch are involved) its windows. These are the removal and
insertion estimates of Cordeau, Gendreau and Laporte (1997) and of the
pattern-improvement moves of Vidal et al. (2012); OR-Tools then re-routes
each day exactly (:mod:`optimizer.periodic.routing`).

A visit is identified by ``(job index, day)``: a job visits a day at most once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from optimizer.periodic.problem import PeriodicProblem
from optimizer.periodic.timing import RouteTimer

_NEVER = np.iinfo(np.int64).max

Key = tuple[int, int]
"""A crew-day: ``(day, crew index)``."""


@dataclass
class Plan:
    """Routes per crew-day and the (day -> crew) assignment of every placed job."""

    problem: PeriodicProblem
    cost: np.ndarray
    routes: dict[Key, list[int]] = field(default_factory=dict)
    assign: dict[int, dict[int, int]] = field(default_factory=dict)
    load: dict[Key, int] = field(default_factory=dict)
    work: dict[Key, int] = field(default_factory=dict)
    locs: dict[Key, np.ndarray] = field(default_factory=dict)
    timer: RouteTimer | None = None
    mean_work: float = 0.0
    demands: np.ndarray = field(init=False)
    """Demand per job index (for numpy lookups)."""
    services: np.ndarray = field(init=False)
    """Service seconds per job index."""
    places: np.ndarray = field(init=False)
    """Location index per job index."""
    untimed: bool = field(init=False)
    """No windows and no lunches: a route fits when its load and working time do."""
    settled: dict[int, tuple] = field(default_factory=dict, repr=False)
    """Per day, the routes (and the set of movable jobs) the numpy descent last left at a
    local optimum: moves between routes still equal to those need not be priced again."""
    edges: dict[int, tuple] = field(default_factory=dict, repr=False)
    """Per day, every route's arcs joined (:meth:`insertions`); dropped when a route changes."""

    def __post_init__(self) -> None:
        self.timer = RouteTimer(self.problem)
        jobs = self.problem.jobs
        self.demands = np.array([j.demand for j in jobs], dtype=np.int64)
        self.services = np.array([j.service for j in jobs], dtype=np.int64)
        self.places = np.array([j.location for j in jobs], dtype=np.int64)
        self.untimed = not any(c.lunch for c in self.problem.crews) and not any(
            j.windows for j in jobs)  # fmt: skip
        for key in self.timer.keys:
            self.routes.setdefault(key, [])
        for key in list(self.routes):
            self.refresh(key)

    # -- bookkeeping ------------------------------------------------------------------
    def refresh(self, key: Key) -> None:
        """Recompute the cached load, working time and location array of one route."""
        crew = self.problem.crews[key[1]]
        route = self.routes[key]
        locs = np.empty(len(route) + 2, dtype=np.int64)
        locs[0], locs[-1] = crew.start, crew.end
        locs[1:-1] = self.places[route]
        self.locs[key] = locs
        self.edges.pop(key[0], None)
        if not route:
            self.load[key] = self.work[key] = 0
            return
        self.load[key] = int(self.demands[route].sum())
        travel = int(self.problem.duration_matrix[locs[:-1], locs[1:]].sum())
        self.work[key] = travel + int(self.services[route].sum())

    def route_cost(self, key: Key) -> int:
        """Objective travel of one route (0 when empty)."""
        locs = self.locs[key]
        return int(self.cost[locs[:-1], locs[1:]].sum()) if len(locs) > 2 else 0

    def total_cost(self) -> int:
        """Objective travel of the whole plan."""
        return sum(self.route_cost(k) for k in self.routes)

    def set_routes(self, routes: dict[Key, list[int]]) -> None:
        """Replace some routes (e.g. after OR-Tools re-routed a day) and re-derive assignments."""
        for key, route in routes.items():
            day = key[0]
            for j in self.routes.get(key, []):
                if self.assign.get(j, {}).get(day) == key[1]:
                    del self.assign[j][day]
            self.routes[key] = list(route)
        for key, route in routes.items():
            for j in route:
                self.assign.setdefault(j, {})[key[0]] = key[1]
            self.refresh(key)

    def insert(self, j: int, key: Key, position: int) -> None:
        """Put visit ``(j, key.day)`` at ``position`` of route ``key``."""
        self.routes[key].insert(position, j)
        self.assign.setdefault(j, {})[key[0]] = key[1]
        self.refresh(key)

    def remove_job(self, j: int) -> dict[int, tuple[int, int]]:
        """Take every visit of job ``j`` out; returns ``{day: (crew, position)}`` to restore."""
        undo: dict[int, tuple[int, int]] = {}
        for day, c in sorted(self.assign.pop(j, {}).items()):
            route = self.routes[(day, c)]
            pos = route.index(j)
            route.pop(pos)
            undo[day] = (c, pos)
            self.refresh((day, c))
        return undo

    def restore(self, j: int, undo: dict[int, tuple[int, int]]) -> None:
        """Inverse of :meth:`remove_job`."""
        for day, (c, pos) in sorted(undo.items()):
            self.insert(j, (day, c), pos)

    # -- estimates --------------------------------------------------------------------
    def removal_gain(self, j: int) -> int:
        """Objective saved by taking every visit of ``j`` out: travel, and balance price."""
        gain = 0
        x = self.problem.jobs[j].location
        for day, c in self.assign.get(j, {}).items():
            key = (day, c)
            pos = self.routes[key].index(j) + 1
            a, b = self.locs[key][pos - 1], self.locs[key][pos + 1]
            gain += int(self.cost[a, x] + self.cost[x, b] - self.cost[a, b])
            gain -= self.balance_cost(key, -self.visit_work(j, key, pos))  # a drop: saved
        return gain

    def visit_work(self, j: int, key: Key, pos: int) -> int:
        """Working time visit ``j`` (at index ``pos`` of ``locs[key]``) adds to its route."""
        t = self.problem.duration_matrix
        locs = self.locs[key]
        a, x, b = locs[pos - 1], locs[pos], locs[pos + 1]
        return int(t[a, x] + t[x, b] - t[a, b]) + self.problem.jobs[j].service

    def balance_cost(self, key: Key, added: int) -> int:
        """Change of the balance penalty when ``key``'s working time grows by ``added`` s."""
        weight = self.problem.weights.balance
        if not weight:
            return 0
        before = max(0.0, self.work[key] - self.mean_work)
        after = max(0.0, self.work[key] + added - self.mean_work)
        return round(weight * (after - before) / 3600)

    def insertions(
        self, j: int, day: int, crews: Iterable[int], over: tuple[float, float] | None = None
    ) -> dict[int, tuple[int, int]]:
        """:meth:`insertion` of a visit of ``j`` on ``day`` for each of ``crews`` that fits.

        Without windows, lunches or a balance weight every route of the day is
        priced in one numpy pass (a day's arcs are joined once, until a route of
        the day changes); otherwise route by route. There, ``over`` (a price per
        unit of load and per second over a route's limits) lets every route take
        the visit at that price instead of only those where it fits.
        """
        if not self.untimed or self.problem.weights.balance:
            found = {c: self.insertion(j, (day, c)) for c in crews if (day, c) in self.routes}
            return {c: f for c, f in found.items() if f is not None}
        joined = self.edges.get(day)
        if joined is None:
            joined = self.edges[day] = self._join(day)
        keys, a, b, owner, first, room, time_left = joined
        if not keys:
            return {}
        job = self.problem.jobs[j]
        x, t = job.location, self.problem.duration_matrix
        dt = t[a, x] + t[x, b] - t[a, b]
        dc = self.cost[a, x] + self.cost[x, b] - self.cost[a, b]
        if over is None:
            ok = (job.demand <= room[owner]) & (job.service + dt <= time_left[owner])
            masked = np.where(ok, dc, _NEVER)
        else:
            spare, left = room[owner], time_left[owner]
            fuller = np.maximum(job.demand - spare, 0) - np.maximum(-spare, 0)
            longer = np.maximum(job.service + dt - left, 0) - np.maximum(-left, 0)
            masked = np.round(dc + over[0] * fuller + over[1] * longer).astype(np.int64)
        best = np.minimum.reduceat(masked, first)
        found = {}
        wanted = set(crews)
        for r in np.flatnonzero(best < _NEVER).tolist():
            c = keys[r][1]
            if c in wanted:
                start = int(first[r])
                pos = int(masked[start : start + len(self.routes[keys[r]]) + 1].argmin())
                found[c] = (int(best[r]), pos)
        return found

    def _join(self, day: int) -> tuple:
        """The arcs of every route of ``day``, with each route's spare load and time."""
        timer = self.timer
        assert timer is not None
        keys = sorted(k for k in self.routes if k[0] == day)
        if not keys:
            return ([], *(np.empty(0, dtype=np.int64) for _ in range(6)))
        locs = [self.locs[k] for k in keys]
        sizes = np.array([len(x) - 1 for x in locs], dtype=np.int64)
        room = np.array([_NEVER // 4 if timer.capacity[k] is None
                         else timer.capacity[k] - self.load[k] for k in keys])  # fmt: skip
        time_left = np.array([timer.limit[k] - self.work[k] for k in keys])
        return (keys, np.concatenate([x[:-1] for x in locs]), np.concatenate([x[1:] for x in locs]),
                np.repeat(np.arange(len(keys)), sizes), np.cumsum(sizes) - sizes, room, time_left)

    def insertion(self, j: int, key: Key) -> tuple[int, int] | None:
        """Cheapest feasible ``(added cost, position)`` of a visit of ``j`` in route ``key``."""
        problem, timer = self.problem, self.timer
        assert timer is not None
        job = problem.jobs[j]
        cap = timer.capacity[key]
        if cap is not None and self.load[key] + job.demand > cap:
            return None
        locs = self.locs[key]
        x = job.location
        a, b = locs[:-1], locs[1:]
        t = problem.duration_matrix
        dt = t[a, x] + t[x, b] - t[a, b]
        ok = self.work[key] + job.service + dt <= timer.limit[key]
        if not ok.any():
            return None
        dc = self.cost[a, x] + self.cost[x, b] - self.cost[a, b]
        if self.untimed:
            pos = int(np.where(ok, dc, _NEVER).argmin())
            return int(dc[pos]) + self.balance_cost(key, int(dt[pos]) + job.service), pos
        order = np.argsort(np.where(ok, dc, np.iinfo(np.int64).max), kind="stable")
        route = self.routes[key]
        needs_pass = timer.timed[key] or job.windows or any(problem.jobs[i].windows for i in route)
        tries = 0
        for pos in order[: int(ok.sum())]:
            pos = int(pos)
            if needs_pass:
                tries += 1
                if tries > 8 or not timer.fits(key, [*route[:pos], j, *route[pos:]]):
                    if tries > 8:
                        return None
                    continue
            added = int(dc[pos]) + self.balance_cost(key, int(dt[pos]) + job.service)
            return added, pos
        return None
