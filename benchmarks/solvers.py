"""The solvers the runner can call, behind one signature.

A solver takes an `Instance` and a time limit in seconds and returns `SolverOutput`: routes
(customers per day and vehicle) and its own status text. Nothing else is trusted: the runner
recomputes feasibility and distance with `benchmarks.check`.

Modules are imported by name when a solver is used, so the optional peers (``bench`` extra)
and a half-written ``optimizer`` never break the other solvers.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from benchmarks.model import Instance, Route

SCALE = 1000
"""Integer solvers get distances, times and windows x 1000, rounded (README convention)."""

OURS = "rounds"
PEERS = ("ortools", "pyvrp", "vroom")
_ENTRY = {
    OURS: "benchmarks.adapter",
    "ortools": "benchmarks.peers.ortools_plain",
    "pyvrp": "benchmarks.peers.pyvrp_peer",
    "vroom": "benchmarks.peers.vroom_peer",
}
_NEEDS = {"pyvrp": "pyvrp", "vroom": "vroom", "ortools": "ortools"}
SOLVER_NAMES = tuple(_ENTRY)


class Unsupported(Exception):
    """The solver cannot take this instance; reported in the results, not a crash."""


class Unavailable(Unsupported):
    """The solver itself is missing (not installed, or not written yet)."""


@dataclass(frozen=True)
class SolverOutput:
    """Routes as the solver returned them and the solver's own status text."""

    routes: tuple[Route, ...]
    status: str


Solver = Callable[[Instance, float], SolverOutput]


def get_solver(name: str) -> Solver:
    """The ``solve(instance, time_limit)`` function of a registered solver."""
    module = importlib.import_module(_ENTRY[name])
    return module.solve  # type: ignore[no-any-return]


def missing_dependency(name: str) -> str | None:
    """A one-line reason when a peer's package is not installed, else None."""
    package = _NEEDS.get(name)
    if package is None:
        return None
    try:
        importlib.import_module(package)
    except ImportError:
        return f"the {name} peer needs the 'bench' extra: pip install -e '.[bench]'"
    return None


def require_single_day(instance: Instance, solver: str) -> None:
    """Raise `Unsupported` for periodic instances: the peers are one-day VRPTW solvers."""
    if instance.days != 1:
        raise Unsupported(
            f"{solver} solves one-day VRPTW only, {instance.name} has {instance.days} days"
        )


def scaled(value: float) -> int:
    """A time or quantity in the x SCALE integer units; infinity is not allowed here."""
    if math.isinf(value):
        raise Unsupported("an unbounded window cannot be scaled to integers")
    return int(round(value * SCALE))


def scaled_matrix(instance: Instance) -> np.ndarray:
    """Node x node Euclidean distances x SCALE, rounded to int64 (node 0 is the depot)."""
    pts = np.array([instance.point(i) for i in range(instance.num_customers + 1)], dtype=float)
    diff = pts[:, None, :] - pts[None, :, :]
    return np.rint(np.hypot(diff[..., 0], diff[..., 1]) * SCALE).astype(np.int64)
