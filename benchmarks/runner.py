"""``python -m benchmarks run``: solve files with ours and the peers, check, write results.

Every solve runs in a fresh worker process (``max_tasks_per_child=1``): OR-Tools holds the GIL
and several models in one process have been reported to crash (NOTES.md), and a fresh process
gives every solver the same clean start. ``workers`` processes run at once; keep it at 1 when
timing on a shared machine. The solver's wall-clock time is measured inside the worker around
model building and search, so process start-up is not counted.

The worker returns routes only. The parent re-reads nothing from the solver: it checks the
routes against the instance it read itself and takes the distance from the checker.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.check import TOLERANCE, check
from benchmarks.formats import read_instance
from benchmarks.manifest import best_known
from benchmarks.model import Instance, Route
from benchmarks.results import (
    ResultRow,
    gap_pct,
    mean_ratios,
    ratios,
    routes_to_json,
    write_ratios_csv,
    write_results_csv,
)
from benchmarks.solvers import OURS, Unavailable, Unsupported, get_solver


@dataclass(frozen=True)
class Task:
    """One file for one solver."""

    key: str
    path: Path
    solver: str
    time_limit: float


@dataclass(frozen=True)
class Outcome:
    """What came back from a worker; ``ran`` is False when the solver did not run."""

    task: Task
    ran: bool
    status: str
    routes: tuple[Route, ...] = ()
    seconds: float | None = None


def _echo(line: str) -> None:
    print(line, flush=True)  # progress shows up at once in a redirected log


def solve_task(task: Task) -> Outcome:
    """Run one solver on one file (in a worker process); never raises."""
    try:
        instance = read_instance(task.path)
        solve = get_solver(task.solver)
        start = time.perf_counter()
        out = solve(instance, task.time_limit)
        seconds = time.perf_counter() - start
    except Unavailable as exc:
        return Outcome(task, ran=False, status=f"unavailable: {exc}")
    except Unsupported as exc:
        return Outcome(task, ran=False, status=f"unsupported: {exc}")
    except ImportError as exc:
        return Outcome(task, ran=False, status=f"unavailable: {exc}")
    except Exception as exc:  # a solver bug must not stop the other solves
        message = " ".join(str(exc).split())
        return Outcome(task, ran=False, status=f"error: {type(exc).__name__}: {message}")
    return Outcome(task, ran=True, status=out.status, routes=out.routes, seconds=seconds)


def instance_keys(paths: Sequence[Path]) -> list[str]:
    """File stems, prefixed with the folder where two stems collide (``pvrptw_pr01``)."""
    stems = [p.stem for p in paths]
    return [f"{p.parent.name}_{p.stem}" if stems.count(p.stem) > 1 else p.stem for p in paths]


def make_row(outcome: Outcome, instance: Instance, base: Path, tolerance: float) -> ResultRow:
    """Check an outcome and turn it into a ``results.csv`` row."""
    main, distance_only = best_known(outcome.task.path, base)
    bks = main.distance if main else None
    bks_do = distance_only.distance if distance_only else None
    common: dict[str, Any] = dict(
        instance=outcome.task.key,
        format=instance.format,
        customers=instance.num_customers,
        days=instance.days,
        bks=bks,
        solver=outcome.task.solver,
        status=outcome.status,
        bks_convention=main.convention if main else "",
        bks_vehicles=main.vehicles if main else None,
        bks_distance_only=bks_do,
    )
    if not outcome.ran:
        return ResultRow(
            seconds=None, distance=None, routes=None, feasible=None, gap_pct=None, **common
        )
    result = check(instance, outcome.routes, tolerance)
    distance = result.distance if result.routes else None
    ok = result.feasible
    return ResultRow(
        seconds=outcome.seconds,
        distance=distance,
        routes=result.routes,
        feasible=ok,
        gap_pct=gap_pct(distance, bks) if ok else None,
        gap_distance_only_pct=gap_pct(distance, bks_do) if ok else None,
        violation=_first_violation(result.violations, no_routes=not outcome.routes),
        **common,
    )


def _first_violation(violations: Sequence[str], no_routes: bool) -> str:
    """The first violation and how many more, or "no solution" when no routes came back."""
    if no_routes and violations:
        return "no solution"
    more = len(violations) - 1
    return (violations[0] + (f" (+{more} more)" if more > 0 else "")) if violations else ""


def _json_path(out_dir: Path, key: str, solver: str) -> Path:
    if solver == OURS:
        return out_dir / f"{key}.json"
    return out_dir / "peers" / solver / f"{key}.json"


def describe(row: ResultRow) -> str:
    """One progress line for a finished solve."""
    head = f"{row.instance:<10} {row.solver:<8}"
    if row.feasible is None:
        return f"{head} {row.status}"
    dist = f"{row.distance:10.2f}" if row.distance is not None else f"{'-':>10}"
    gap = f" gap {row.gap_pct:+6.2f}%" if row.gap_pct is not None else ""
    verdict = "feasible" if row.feasible else f"INFEASIBLE ({row.violation})"
    return (
        f"{head} {dist} {row.routes:3d} routes {row.seconds:6.1f}s {verdict}{gap}  [{row.status}]"
    )


def run(
    paths: Sequence[Path],
    time_limit: float,
    out_dir: Path,
    solvers: Sequence[str],
    base: Path,
    workers: int = 1,
    tolerance: float = TOLERANCE,
    echo: Callable[[str], None] | None = None,
) -> list[ResultRow]:
    """Solve every file with every solver, check, and write the output files.

    Raises
    ------
    ValueError
        When a file is not a supported instance (before anything is solved).
    """
    echo = echo or _echo
    instances = [read_instance(p) for p in paths]
    keys = instance_keys(paths)
    by_key = dict(zip(keys, instances, strict=True))
    tasks = [
        Task(k, Path(p), s, time_limit) for k, p in zip(keys, paths, strict=True) for s in solvers
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[Task, ResultRow] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, max_tasks_per_child=1
    ) as pool:
        futures = {pool.submit(solve_task, t): t for t in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # the worker process died (e.g. a solver crash)
                outcome = Outcome(task, ran=False, status=f"error: worker died: {exc}")
            row = make_row(outcome, by_key[task.key], base, tolerance)
            rows[task] = row
            if outcome.ran:
                target = _json_path(out_dir, task.key, task.solver)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(
                    routes_to_json(
                        task.key,
                        row.distance or 0.0,
                        outcome.routes,
                        solver=task.solver,
                        feasible=row.feasible,
                    )
                )
            write_results_csv(out_dir / "results.csv", [rows[t] for t in tasks if t in rows])
            echo(describe(row))
    ordered = [rows[t] for t in tasks]
    if OURS in solvers and len(solvers) > 1:
        report_ratios(ordered, out_dir, echo)
    return ordered


def report_ratios(rows: Sequence[ResultRow], out_dir: Path, echo: Callable[[str], None]) -> None:
    """Print and write ours / peer per instance and the mean per peer."""
    items = ratios(rows, OURS)
    write_ratios_csv(out_dir / "ratios.csv", items)
    if not items:
        echo("ratios: none (ours and a peer are never both feasible on the same instance)")
        return
    echo("ratios ours/peer (below 1 = ours shorter):")
    for r in items:
        echo(f"  {r.instance:<10} {r.peer:<8} {r.ratio:.4f}")
    for peer, (mean, count) in mean_ratios(items).items():
        echo(f"  mean vs {peer:<8} {mean:.4f} over {count} instances")
