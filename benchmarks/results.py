"""The runner's output files: ``results.csv``, one JSON per solved file, ``ratios.csv``.

``results.csv`` has one row per (file, solver). The first ten columns are the contract of
DESIGN.md (``instance,format,customers,days,seconds,distance,routes,feasible,bks,gap_pct``);
the extra columns after them are ``solver`` (``rounds`` for ours, else the peer), ``status``
(``solved``, ``unsupported: ...``, ``unavailable: ...``, ``error: ...`` or the solver's own
status), the best-known value's convention and vehicle count, the distance-only best-known value
and gap (Solomon), and the first violation when a solution is infeasible.

``feasible`` is ``true``/``false`` for every solution the checker saw and empty when the solver
did not run; ``distance`` and ``gap_pct`` are empty when there is nothing to measure, and
``gap_pct`` is only given for feasible solutions. Distances are the checker's.

Per-file JSON (ours: ``DIR/<instance>.json``; peers: ``DIR/peers/<solver>/<instance>.json``)::

    {"instance": "C101", "distance": 828.94, "routes": [{"day": 1, "vehicle": 1,
     "customers": [3, 7, 12]}], "solver": "rounds", "feasible": true}
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import fmean

from benchmarks.model import Route

CONTRACT_COLUMNS = (
    "instance",
    "format",
    "customers",
    "days",
    "seconds",
    "distance",
    "routes",
    "feasible",
    "bks",
    "gap_pct",
)
EXTRA_COLUMNS = (
    "solver",
    "status",
    "bks_convention",
    "bks_vehicles",
    "bks_distance_only",
    "gap_distance_only_pct",
    "violation",
)


@dataclass(frozen=True)
class ResultRow:
    """One line of ``results.csv`` (None = empty cell)."""

    instance: str
    format: str
    customers: int
    days: int
    seconds: float | None
    distance: float | None
    routes: int | None
    feasible: bool | None
    bks: float | None
    gap_pct: float | None
    solver: str
    status: str
    bks_convention: str = ""
    bks_vehicles: int | None = None
    bks_distance_only: float | None = None
    gap_distance_only_pct: float | None = None
    violation: str = ""


def gap_pct(distance: float | None, bks: float | None) -> float | None:
    """100 * (distance - bks) / bks, None when either is unknown."""
    if distance is None or not bks:
        return None
    return 100.0 * (distance - bks) / bks


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def write_results_csv(path: Path, rows: Iterable[ResultRow]) -> None:
    """Write ``results.csv`` with the contract columns first."""
    with Path(path).open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CONTRACT_COLUMNS + EXTRA_COLUMNS)
        for row in rows:
            writer.writerow([_cell(v) for v in asdict(row).values()])


def routes_to_json(instance: str, distance: float, routes: Sequence[Route], **extra: object) -> str:
    """The per-file JSON document, one route per line; ``extra`` keys follow the contract keys."""
    head = json.dumps({"instance": instance, "distance": round(distance, 6)})[:-1]
    body = ",\n  ".join(
        json.dumps({"day": r.day, "vehicle": r.vehicle, "customers": list(r.customers)})
        for r in routes
        if r.customers
    )
    tail = "".join(f", {json.dumps(k)}: {json.dumps(v)}" for k, v in extra.items())
    return f'{head}, "routes": [\n  {body}\n]{tail}}}\n'


def routes_from_json(text: str) -> list[Route]:
    """Routes of a per-file JSON document (ours or a peer's)."""
    doc = json.loads(text)
    try:
        return [
            Route(
                day=int(r["day"]),
                vehicle=int(r["vehicle"]),
                customers=tuple(int(c) for c in r["customers"]),
            )
            for r in doc["routes"]
        ]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a routes document: missing {exc}") from None


@dataclass(frozen=True)
class Ratio:
    """Our distance over a peer's on one instance (both feasible)."""

    instance: str
    peer: str
    ours: float
    theirs: float

    @property
    def ratio(self) -> float:
        return self.ours / self.theirs


def ratios(rows: Sequence[ResultRow], ours: str) -> list[Ratio]:
    """Ours / peer per instance, wherever both solutions are feasible."""
    mine = {r.instance: r.distance for r in rows if r.solver == ours and r.feasible}
    return [
        Ratio(r.instance, r.solver, mine[r.instance], r.distance)
        for r in rows
        if r.solver != ours and r.feasible and r.distance and mine.get(r.instance) is not None
    ]


def mean_ratios(items: Sequence[Ratio]) -> dict[str, tuple[float, int]]:
    """Per peer: mean ratio and the number of instances it is taken over."""
    peers = sorted({r.peer for r in items})
    return {
        p: (fmean(r.ratio for r in items if r.peer == p), sum(1 for r in items if r.peer == p))
        for p in peers
    }


def write_ratios_csv(path: Path, items: Sequence[Ratio]) -> None:
    """``instance,peer,ours,peer_distance,ratio`` rows and one ``mean`` row per peer."""
    with Path(path).open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("instance", "peer", "ours", "peer_distance", "ratio"))
        for r in items:
            writer.writerow(
                (r.instance, r.peer, f"{r.ours:.4f}", f"{r.theirs:.4f}", f"{r.ratio:.5f}")
            )
        for peer, (mean, count) in mean_ratios(items).items():
            writer.writerow((f"mean ({count})", peer, "", "", f"{mean:.5f}"))
