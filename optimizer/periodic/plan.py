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

from dataclasses import dataclass, field

import numpy as np

from optimizer.periodic.problem import PeriodicProblem
from optimizer.periodic.timing import RouteTimer

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

    def __post_init__(self) -> None:
        self.timer = RouteTimer(self.problem)
        for key in self.timer.keys:
            self.routes.setdefault(key, [])
        for key in list(self.routes):
            self.refresh(key)

    # -- bookkeeping ------------------------------------------------------------------
    def refresh(self, key: Key) -> None:
        """Recompute the cached load, working time and location array of one route."""
        day, c = key
        crew = self.problem.crews[c]
        jobs = self.problem.jobs
        route = self.routes[key]
        locs = np.array([crew.start, *(jobs[j].location for j in route), crew.end], dtype=np.int64)
        self.locs[key] = locs
        self.load[key] = sum(jobs[j].demand for j in route)
        travel = int(self.problem.duration_matrix[locs[:-1], locs[1:]].sum()) if route else 0
        self.work[key] = travel + sum(jobs[j].service for j in route)

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
        """Objective travel saved by taking every visit of ``j`` out of its routes."""
        gain = 0
        x = self.problem.jobs[j].location
        for day, c in self.assign.get(j, {}).items():
            key = (day, c)
            pos = self.routes[key].index(j) + 1
            a, b = self.locs[key][pos - 1], self.locs[key][pos + 1]
            gain += int(self.cost[a, x] + self.cost[x, b] - self.cost[a, b])
            gain += self.balance_cost(key, -self.visit_work(j, key, pos))
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
