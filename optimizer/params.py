"""Solver settings as a frozen value object, loadable from TOML and echoed in results.

Names of strategies are OR-Tools' own enum names (``PARALLEL_CHEAPEST_INSERTION``,
``GUIDED_LOCAL_SEARCH``), checked here against a fixed list so that this module
does not import OR-Tools (only :mod:`optimizer.model` does).
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

FIRST_SOLUTIONS = (
    "AUTOMATIC", "PATH_CHEAPEST_ARC", "PATH_MOST_CONSTRAINED_ARC", "SAVINGS",
    "PARALLEL_SAVINGS", "SWEEP", "CHRISTOFIDES", "ALL_UNPERFORMED", "BEST_INSERTION",
    "PARALLEL_CHEAPEST_INSERTION", "SEQUENTIAL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_COST_INSERTION", "GLOBAL_CHEAPEST_ARC", "LOCAL_CHEAPEST_ARC",
    "FIRST_UNBOUND_MIN_VALUE",
)  # fmt: skip
METAHEURISTICS = (
    "AUTOMATIC", "GREEDY_DESCENT", "GUIDED_LOCAL_SEARCH", "SIMULATED_ANNEALING",
    "TABU_SEARCH", "GENERIC_TABU_SEARCH",
)  # fmt: skip
OBJECTIVES = ("duration", "distance")
AUTO_STALL_LIMIT = 1_000_000
"""Stall limit of runs without a time limit (about 0.5 s of a stuck search)."""


@dataclass(frozen=True)
class Penalties:
    """What leaving a job out costs, in objective units (seconds or meters).

    ``drop(priority) = drop_base * priority_factor ** (priority - 1)``: with
    the defaults a priority-1 job costs 10,000,000 (115 days of driving, or
    10,000 km), far above any detour, so a job is only left out when it
    cannot fit; a priority-5 job is worth 16 priority-1 jobs. ``pinned_factor``
    multiplies the penalty of pinned jobs, so the solver breaks a pin last.
    """

    drop_base: int = 10_000_000
    priority_factor: int = 2
    pinned_factor: int = 4

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"penalties.{f.name}: {value!r} must be an integer >= 1")
        if self.drop(5, pinned=True) > 2**62:
            raise ValueError(
                f"penalties: a pinned priority-5 job would cost {self.drop(5, pinned=True)}, "
                "above 2**62 (int64 overflow); lower drop_base or the factors"
            )

    def drop(self, priority: int, pinned: bool = False) -> int:
        """Penalty for leaving out a job of ``priority`` (1..5)."""
        base = self.drop_base * self.priority_factor ** (priority - 1)
        return base * self.pinned_factor if pinned else base


@dataclass(frozen=True)
class SolveParams:
    """How hard and how to search.

    Parameters
    ----------
    time_limit_s
        Wall-clock limit per search (``None``: only ``solution_limit`` stops it).
    solution_limit
        Stop after this many improving solutions; makes results independent of
        machine speed, which the tests rely on.
    first_solution, metaheuristic
        OR-Tools strategy names.
    objective
        ``"duration"`` minimises travel seconds, ``"distance"`` travel meters.
    log_search
        Let OR-Tools print its search log (stderr).
    num_workers
        Independent searches, one per process, with different strategies; the
        best plan wins. One process per solve, because OR-Tools holds the GIL
        and several models in one process have been seen to crash.
    lns
        Also enable OR-Tools' heuristic LNS operators that are off by default
        (close-nodes and expensive-chain insertion LNS). Off: on Solomon at
        10 s they halved the number of solutions visited for no measurable
        gain (``optimizer/README.md``, "Search strategy").
    gls_reset_penalties
        Guided local search forgets its arc penalties at each new best
        solution. Mixed on Solomon (better on C103/C104/RC203, worse on R1),
        so off by default and used by a parallel worker instead.
    restarts, ruin_size, seed
        Ruin-and-recreate rounds after the first search
        (:mod:`optimizer.restarts`): the best plan loses the ``ruin_size``
        jobs nearest to a random one and warm-starts the next round; the time
        limit is shared evenly, a solution limit applies per round. ``seed``
        drives the random choice (worker ``w`` uses ``seed + w``).
    stall_limit
        Stop after this many checks of the search limit without a new
        solution. Metaheuristics never stop on their own, so on a model with
        nothing left to find a solution-limited run would spin forever; counts
        of checks, unlike seconds, do not depend on the machine. ``None``
        means automatic: :data:`AUTO_STALL_LIMIT` when there is no time limit,
        otherwise off (OR-Tools checks the limit for every neighbour it
        evaluates, so any fixed count can cut a long, healthy search short).
    penalties
        See :class:`Penalties`.
    """

    time_limit_s: float | None = 10.0
    solution_limit: int | None = None
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    objective: str = "duration"
    log_search: bool = False
    num_workers: int = 1
    lns: bool = False
    gls_reset_penalties: bool = False
    restarts: int = 4
    ruin_size: int = 15
    seed: int = 0
    stall_limit: int | None = None
    penalties: Penalties = field(default_factory=Penalties)

    def __post_init__(self) -> None:
        if self.time_limit_s is None and self.solution_limit is None:
            raise ValueError("time_limit_s: give a time limit or a solution_limit, or both")
        if self.time_limit_s is not None and not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s: {self.time_limit_s!r} must be > 0")
        if self.solution_limit is not None and self.solution_limit < 1:
            raise ValueError(f"solution_limit: {self.solution_limit!r} must be >= 1")
        for name, allowed in (
            ("first_solution", FIRST_SOLUTIONS),
            ("metaheuristic", METAHEURISTICS),
            ("objective", OBJECTIVES),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name}: {getattr(self, name)!r} is not one of {list(allowed)}")
        if self.stall_limit is not None and self.stall_limit < 1:
            raise ValueError(f"stall_limit: {self.stall_limit!r} must be >= 1")
        if self.restarts < 0 or self.ruin_size < 1:
            raise ValueError(
                f"restarts/ruin_size: {self.restarts}/{self.ruin_size} must be >= 0 / >= 1"
            )
        if self.num_workers < 1:
            raise ValueError(f"num_workers: {self.num_workers!r} must be >= 1")
        if isinstance(self.penalties, dict):
            object.__setattr__(self, "penalties", Penalties(**self.penalties))

    @property
    def effective_stall_limit(self) -> int | None:
        """The stall limit in force, resolving ``None`` as documented above."""
        if self.stall_limit is not None:
            return self.stall_limit
        return AUTO_STALL_LIMIT if self.time_limit_s is None else None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (echoed in solution documents)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> SolveParams:
        """Inverse of :meth:`to_dict`; unknown keys raise ``ValueError`` naming them."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(document) - known)
        if unknown:
            raise ValueError(f"unknown solver setting(s) {unknown}; known: {sorted(known)}")
        values = dict(document)
        if "penalties" in values:
            penalties = values["penalties"]
            unknown = sorted(set(penalties) - {f.name for f in fields(Penalties)})
            if unknown:
                raise ValueError(f"unknown penalties setting(s) {unknown}")
            values["penalties"] = Penalties(**penalties)
        return cls(**values)

    @classmethod
    def from_toml(cls, source: str | Path) -> SolveParams:
        """Load from a TOML file (path) or TOML text; missing keys keep defaults.

        Example::

            time_limit_s = 30
            first_solution = "PARALLEL_CHEAPEST_INSERTION"
            [penalties]
            drop_base = 1_000_000
        """
        path = Path(source) if not isinstance(source, str) or "\n" not in source else None
        if path is not None and path.exists():
            text = path.read_text(encoding="utf-8")
        elif isinstance(source, str):
            text = source
        else:
            raise FileNotFoundError(source)
        return cls.from_dict(tomllib.loads(text))
