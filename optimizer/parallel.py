"""Several independent searches, one per process, best plan wins.

OR-Tools holds the GIL during a search and several models solving in one
process have been reported to crash (google/or-tools#5076), so parallel
searches are separate processes started with ``spawn`` (no forked OR-Tools
state). Each worker runs a different strategy (:func:`worker_params`); their
progress reports travel back over a queue and are forwarded to the caller's
callback as they arrive. Under a ``solution_limit`` without a time limit each
worker is deterministic, and ties between workers go to the lowest worker
number, so the result is too.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from optimizer.params import SolveParams
from optimizer.problem import ProblemData
from optimizer.screening import Screening
from optimizer.solution import Progress, SolveStatus

if TYPE_CHECKING:
    from optimizer.model import RawResult

_VARIANTS: tuple[dict[str, Any], ...] = (
    {},
    {"first_solution": "SAVINGS"},
    {"gls_reset_penalties": True},
    {"first_solution": "LOCAL_CHEAPEST_INSERTION"},
    {"metaheuristic": "TABU_SEARCH"},
    {"first_solution": "PATH_CHEAPEST_ARC"},
)
"""Strategy changes per worker; the order follows the Solomon measurements in the README."""


def worker_params(params: SolveParams, worker: int) -> SolveParams:
    """Settings of worker ``worker``: 0 runs ``params`` as given, the others vary the strategy."""
    variant = _VARIANTS[worker % len(_VARIANTS)] if worker else {}
    return replace(params, num_workers=1, **variant)


def _work(
    data: ProblemData,
    params: SolveParams,
    screening: Screening,
    modelled: list[int],
    warm: dict[int, list[int]] | None,
    deadline: float | None,
    worker: int,
    channel: Any,
) -> None:
    from optimizer.solve import search

    def report(progress: Progress) -> None:
        channel.put(("progress", progress))

    try:
        raw = search(data, params, screening, modelled, warm, report, deadline, worker)
        channel.put(("done", worker, raw))
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which decides
        channel.put(("error", worker, f"{type(error).__name__}: {error}"))


def solve_in_workers(
    data: ProblemData,
    params: SolveParams,
    screening: Screening,
    modelled: list[int],
    warm: dict[int, list[int]] | None,
    progress: Callable[[Progress], None] | None,
    deadline: float | None,
) -> RawResult:
    """Run ``params.num_workers`` searches in spawned processes and keep the best."""
    from optimizer.model import RawResult

    context = mp.get_context("spawn")
    channel = context.Queue()
    processes = []
    for worker in range(params.num_workers):
        process = context.Process(
            target=_work,
            args=(data, worker_params(params, worker), screening, modelled, warm, deadline,
                  worker, channel),
            daemon=True,
        )  # fmt: skip
        process.start()
        processes.append(process)
    results: dict[int, RawResult] = {}
    errors: dict[int, str] = {}
    best = None
    found = 0
    started = time.monotonic()
    grace = None if deadline is None else deadline + 30.0
    while len(results) + len(errors) < len(processes):
        try:
            message = channel.get(timeout=0.2)
        except queue.Empty:
            dead = [w for w, p in enumerate(processes)
                    if not p.is_alive() and w not in results and w not in errors]  # fmt: skip
            for w in dead:
                errors[w] = f"worker exited with code {processes[w].exitcode}"
            if grace is not None and time.time() > grace:
                break
            continue
        if message[0] == "progress":
            found += 1
            item: Progress = message[1]
            if best is None or item.best_cost < best:
                best = item.best_cost
                if progress is not None:
                    elapsed = time.monotonic() - started
                    progress(Progress(item.best_cost, elapsed, found, item.worker))
        elif message[0] == "done":
            results[message[1]] = message[2]
        else:
            errors[message[1]] = message[2]
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
    with_plan = [(r.objective, w) for w, r in results.items() if r.objective is not None]
    if with_plan:
        return results[min(with_plan)[1]]
    if results:
        return results[min(results)]
    return RawResult(SolveStatus.NOT_SOLVED, None, {}, 0)
