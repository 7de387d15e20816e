"""What the weekly planner returns: visits, day routes, unplaced jobs with reasons, moves, KPIs.

Units are those of the core (seconds, meters, cents). ``day_solutions`` are
ordinary core :class:`~optimizer.solution.Solution` objects, one per day,
with vehicle ids ``"<crew>@<day>"``, stop ids ``"<job>#<visit index>"`` and
times in seconds from that day's midnight; the JSON form nests the core's
own document for each day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from optimizer.solution import Solution, SolveStatus


class PeriodicVisit(NamedTuple):
    """Visit ``visit_index`` (0-based, in day order) of ``job_id`` on ``day`` by ``crew_id``."""

    job_id: str
    visit_index: int
    day: int
    crew_id: str


class PeriodicUnassigned(NamedTuple):
    """A job left out of the plan (all of its visits), with the reason."""

    job_id: str
    reason: str


class PlanMove(NamedTuple):
    """A job whose day or crew changed against ``previous``.

    ``from_`` and ``to`` are the first visit's (day, crew) that differ;
    ``saving_s`` is what the move saves in objective units (travel seconds
    by default; negative: it costs, e.g. forced by a day off), ``text`` says
    it for a dispatcher, listing every visit that changed.
    """

    job_id: str
    from_: tuple[int, str]
    to: tuple[int, str]
    saving_s: int
    text: str


@dataclass(frozen=True)
class PeriodicResult:
    """Status, the visits with their day and crew, per-day routes, reasons, moves, KPIs."""

    status: SolveStatus
    visits: tuple[PeriodicVisit, ...]
    day_solutions: dict[int, Solution]
    unassigned: tuple[PeriodicUnassigned, ...]
    moves: tuple[PlanMove, ...] = ()
    kpis: dict[str, Any] = field(default_factory=dict)
    runtime_s: float = 0.0

    @property
    def travel_duration(self) -> int:
        """Total travel seconds over the horizon."""
        return sum(s.travel_duration for s in self.day_solutions.values())

    @property
    def travel_distance(self) -> int:
        """Total travel meters over the horizon."""
        return sum(s.travel_distance for s in self.day_solutions.values())

    def summary(self) -> str:
        """A few lines for logs and the command line."""
        lines = [
            f"status: {self.status.value}  runtime: {self.runtime_s:.2f} s  "
            f"visits: {len(self.visits)}  unassigned jobs: {len(self.unassigned)}  "
            f"moves: {len(self.moves)}",
            f"travel: {self.travel_duration / 3600:.2f} h, {self.travel_distance / 1000:.1f} km",
        ]
        lines += [f"  unassigned {u.job_id}: {u.reason}" for u in self.unassigned]
        lines += [f"  moved {m.job_id}: {m.text}" for m in self.moves]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON document; ``day_solutions`` keys are day indices as strings."""
        return {
            "status": self.status.value,
            "runtime_s": round(self.runtime_s, 3),
            "visits": [v._asdict() for v in self.visits],
            "day_solutions": {str(d): s.to_dict() for d, s in sorted(self.day_solutions.items())},
            "unassigned": [u._asdict() for u in self.unassigned],
            "moves": [
                {
                    "job_id": m.job_id,
                    "from": list(m.from_),
                    "to": list(m.to),
                    "saving_s": m.saving_s,
                    "text": m.text,
                }
                for m in self.moves
            ],  # fmt: skip
            "kpis": self.kpis,
        }

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> PeriodicResult:
        """Inverse of :meth:`to_dict`."""
        return cls(
            status=SolveStatus(document["status"]),
            visits=tuple(PeriodicVisit(**v) for v in document["visits"]),
            day_solutions={
                int(d): Solution.from_dict(s) for d, s in document["day_solutions"].items()
            },
            unassigned=tuple(PeriodicUnassigned(**u) for u in document["unassigned"]),
            moves=tuple(
                PlanMove(m["job_id"], tuple(m["from"]), tuple(m["to"]), m["saving_s"], m["text"])  # type: ignore[arg-type]
                for m in document["moves"]
            ),
            kpis=dict(document["kpis"]),
            runtime_s=float(document["runtime_s"]),
        )
