"""Ruin-and-recreate restarts around OR-Tools' guided local search.

Guided local search on tight time windows settles into a basin it does not
leave (on Solomon C103/C104 every strategy we tried stayed at 4.3 % above the
best known). Between rounds, the best plan so far is *ruined*: the
``ruin_size`` served jobs closest to a random served job are removed (a
spatial ruin in the spirit of Schrimpf et al. 2000 and the SISR ruin of
Christiaens and Vanden Berghe 2020). The remaining routes warm-start the next
round, whose search re-inserts the removed jobs. The best plan over all rounds
wins. The time limit (or the solution limit, per round) is shared evenly.

Randomness comes from ``numpy.random.default_rng(params.seed + worker)``, so
solution-limited runs stay reproducible.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from optimizer.params import SolveParams
from optimizer.problem import ProblemData
from optimizer.screening import Screening
from optimizer.solution import Progress

if TYPE_CHECKING:
    from optimizer.model import RawResult


def ruin(
    data: ProblemData,
    routes: dict[int, list[int]],
    rng: np.random.Generator,
    size: int,
    cost: np.ndarray,
) -> dict[int, list[int]]:
    """Remove the ``size`` served jobs nearest to a random served job (pinned positions stay)."""
    movable = [j for seq in routes.values() for j in seq if data.jobs[j].pinned_position is None]
    if not movable:
        return routes
    seed = data.jobs[int(rng.choice(movable))].location
    nearest = sorted(movable, key=lambda j: (int(cost[seed, data.jobs[j].location]), j))
    removed = set(nearest[:size])
    return {k: [j for j in seq if j not in removed] for k, seq in routes.items()}


def search_with_restarts(
    data: ProblemData,
    params: SolveParams,
    screening: Screening,
    modelled: list[int],
    warm: dict[int, list[int]] | None,
    progress: Callable[[Progress], None] | None,
    deadline: float | None,
    worker: int = 0,
) -> RawResult:
    """Run ``params.restarts + 1`` rounds of :func:`optimizer.solve.solve_here`; keep the best."""
    from optimizer.solve import solve_here

    rng = np.random.default_rng(params.seed + worker)
    cost = data.duration_matrix if params.objective == "duration" else data.distance_matrix
    started = time.monotonic()
    rounds = params.restarts + 1
    best: RawResult | None = None
    found = 0
    best_cost = 2**63 - 1

    def forward(item: Progress) -> None:
        nonlocal best_cost
        best_cost = min(best_cost, item.best_cost)
        if progress is not None:
            elapsed = time.monotonic() - started
            progress(Progress(best_cost, elapsed, found + item.solutions, worker))

    start_from = warm
    for done in range(rounds):
        round_deadline = None
        if deadline is not None:
            round_deadline = time.time() + max(0.0, deadline - time.time()) / (rounds - done)
        raw = solve_here(
            data, replace(params, restarts=0), screening, modelled, start_from, forward,
            round_deadline, worker,
        )  # fmt: skip
        found += raw.solutions
        last = raw
        if raw.objective is not None and (best is None or best.objective is None
                                          or raw.objective < best.objective):  # fmt: skip
            best = raw
        if best is None or best.objective is None:
            start_from = warm
            continue
        current = {k: list(r.jobs) for k, r in best.routes.items()}
        start_from = ruin(data, current, rng, params.ruin_size, cost)
    if best is None:  # no round found a plan (too little time each): say so, as one round would
        return replace(last, solutions=found)
    return replace(best, solutions=found)
