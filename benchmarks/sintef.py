"""Reader for SINTEF TOP solution files (the Gehring-Homberger best-known routes).

Layout: a few ``Key : value`` header lines (instance name, authors, date, reference), a line
``Solution``, then one line per route, ``Route  k : c1 c2 ... cm``, customers numbered as in the
instance file and the depot left out at both ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.model import Route


@dataclass(frozen=True)
class SintefSolution:
    """The instance name stated in the file and its routes (all on day 1)."""

    instance: str
    routes: tuple[Route, ...]


def parse_sintef(text: str) -> SintefSolution:
    """Parse a SINTEF solution; `ValueError` when there is no ``Solution`` block."""
    instance = ""
    routes: list[Route] = []
    in_solution = False
    for raw in text.splitlines():
        line = raw.strip()
        key, _, value = line.partition(":")
        if key.strip().lower() == "instance name":
            instance = value.strip()
        elif line.lower() == "solution":
            in_solution = True
        elif in_solution and key.strip().lower().startswith("route"):
            customers = tuple(int(v) for v in value.split())
            routes.append(Route(day=1, vehicle=len(routes) + 1, customers=customers))
    if not in_solution:
        raise ValueError("not a SINTEF solution: no 'Solution' line")
    return SintefSolution(instance=instance, routes=tuple(routes))


def read_sintef(path: Path) -> SintefSolution:
    """Read a SINTEF solution file; see `parse_sintef`."""
    return parse_sintef(Path(path).read_text())
