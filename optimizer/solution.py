"""What a solve returns: routes with times, unassigned jobs with reasons, KPIs.

All values are integers in the units of :mod:`optimizer.units`, except the
utilisation ratios and the runtime. The JSON form (VROOM-shaped: ``status``,
``summary``, ``routes[].steps[]``, ``unassigned[]``) lives in
:mod:`optimizer.solution_io` and is documented in ``optimizer/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from optimizer.units import hhmm

if TYPE_CHECKING:
    from optimizer.params import SolveParams


class SolveStatus(Enum):
    """Outcome of a search, mapped one-to-one from OR-Tools' ``routing.status()``."""

    NOT_SOLVED = "not_solved"  # ROUTING_NOT_SOLVED
    FEASIBLE = "feasible"  # ROUTING_SUCCESS: a plan, search ended at a local optimum
    LIMIT_REACHED = "limit_reached"  # ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED
    NO_SOLUTION = "no_solution"  # ROUTING_FAIL: no plan found
    NO_SOLUTION_TIMEOUT = "no_solution_timeout"  # ROUTING_FAIL_TIMEOUT
    INVALID = "invalid"  # ROUTING_INVALID: the model was rejected
    INFEASIBLE = "infeasible"  # ROUTING_INFEASIBLE: proven to have no plan
    OPTIMAL = "optimal"  # ROUTING_OPTIMAL

    @property
    def has_solution(self) -> bool:
        """True for the statuses that come with a plan."""
        return self in (SolveStatus.FEASIBLE, SolveStatus.LIMIT_REACHED, SolveStatus.OPTIMAL)


@dataclass(frozen=True, slots=True)
class Stop:
    """One job served on a route.

    ``waiting = start - arrival`` is idle time on site before the window
    opens; a break taken on the way to this stop is not waiting, so
    ``arrival = previous end + travel_duration (+ break if taken on this leg)``.
    """

    job_id: str
    arrival: int
    start: int
    end: int
    waiting: int
    travel_duration: int
    travel_distance: int
    location: int | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """The day of one vehicle.

    ``available`` is the vehicle's shift length, used for ``utilization``
    (travel plus service over the shift); ``cost`` is ``cost_per_hour`` times
    the route's paid hours, in cents. ``break_start`` is ``None`` when the
    vehicle has no break or it falls outside the route.
    """

    vehicle_id: str
    stops: tuple[Stop, ...]
    travel_duration: int
    travel_distance: int
    service_duration: int
    waiting_duration: int
    start_time: int
    end_time: int
    start_location: int | None = None
    end_location: int | None = None
    break_start: int | None = None
    break_duration: int = 0
    available: int = 0
    cost: int = 0

    @property
    def duration(self) -> int:
        """End minus start of the route, seconds."""
        return self.end_time - self.start_time

    @property
    def utilization(self) -> float:
        """(travel + service) / shift length; 0.0 when the shift length is unknown."""
        if self.available <= 0:
            return 0.0
        return (self.travel_duration + self.service_duration) / self.available


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A job left out, with a ``code`` for programs and a ``reason`` for dispatchers.

    Codes: ``no_skill``, ``not_allowed``, ``window_outside_shift``,
    ``unreachable``, ``over_capacity``, ``too_long``, ``no_room``,
    ``pin_conflict``.
    """

    job_id: str
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Solution:
    """Routes (only vehicles that serve at least one job) and unassigned jobs."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...] = ()

    @property
    def travel_duration(self) -> int:
        """Total travel seconds."""
        return sum(r.travel_duration for r in self.routes)

    @property
    def travel_distance(self) -> int:
        """Total travel meters."""
        return sum(r.travel_distance for r in self.routes)

    @property
    def service_duration(self) -> int:
        """Total service seconds."""
        return sum(r.service_duration for r in self.routes)

    @property
    def waiting_duration(self) -> int:
        """Total idle seconds (waiting for windows)."""
        return sum(r.waiting_duration for r in self.routes)

    @property
    def utilization(self) -> float:
        """(travel + service) over the shift time of the vehicles used."""
        available = sum(r.available for r in self.routes)
        if available <= 0:
            return 0.0
        return (self.travel_duration + self.service_duration) / available

    @property
    def cost(self) -> int:
        """Total route cost in cents (from ``cost_per_hour``)."""
        return sum(r.cost for r in self.routes)

    def routes_as_job_ids(self) -> dict[str, list[str]]:
        """``{vehicle_id: [job_id, ...]}``: the form a warm start needs."""
        return {r.vehicle_id: [s.job_id for s in r.stops] for r in self.routes}

    def to_dict(self) -> dict[str, Any]:
        """VROOM-shaped document (``summary``, ``routes``, ``unassigned``)."""
        from optimizer.solution_io import solution_to_dict

        return solution_to_dict(self)

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> Solution:
        """Inverse of :meth:`to_dict`."""
        from optimizer.solution_io import solution_from_dict

        return solution_from_dict(document)


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported to the ``progress`` callback at each improving solution."""

    best_cost: int
    elapsed_s: float
    solutions: int
    worker: int = 0


@dataclass(frozen=True)
class SolveResult:
    """Status, plan (``None`` when no plan was found), objective, runtime and settings."""

    status: SolveStatus
    solution: Solution | None
    objective: int | None
    runtime_s: float
    params: SolveParams

    def summary(self) -> str:
        """A few human-readable lines for logs and the command line."""
        lines = [f"status: {self.status.value}  runtime: {self.runtime_s:.2f} s"]
        if self.solution is None:
            lines.append("no plan found")
            return "\n".join(lines)
        sol = self.solution
        lines.append(
            f"objective: {self.objective}  routes: {len(sol.routes)}  "
            f"unassigned: {len(sol.unassigned)}"
        )
        lines.append(
            f"travel: {sol.travel_duration / 3600:.2f} h, {sol.travel_distance / 1000:.1f} km  "
            f"service: {sol.service_duration / 3600:.2f} h  "
            f"waiting: {sol.waiting_duration / 3600:.2f} h  utilization: {sol.utilization:.0%}"
        )
        for route in sol.routes:
            lines.append(
                f"  {route.vehicle_id}: {len(route.stops)} stops, "
                f"{hhmm(route.start_time)}-{hhmm(route.end_time)}, "
                f"travel {route.travel_duration // 60} min, utilization {route.utilization:.0%}"
            )
        for item in sol.unassigned:
            lines.append(f"  unassigned {item.job_id}: {item.reason}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The full output document: status, code, summary, routes, unassigned, params."""
        from optimizer.solution_io import result_to_dict

        return result_to_dict(self)

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> SolveResult:
        """Inverse of :meth:`to_dict`."""
        from optimizer.solution_io import result_from_dict

        return result_from_dict(document)
