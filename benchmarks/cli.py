"""``python -m benchmarks``: run, check and inspect benchmark instances.

Subcommands:

- ``run FILE... --time-limit S --out DIR [--peers] [--workers N]``: solve, check, write
  ``DIR/results.csv`` and the per-file JSON (see `benchmarks.results`);
- ``check INSTANCE SOLUTION``: check a solution file (our JSON, a Cordeau ``.res`` or a SINTEF
  text) and print its distance; exit status 1 when infeasible;
- ``info FILE...``: what the reader sees in a file, with its best-known values;
- ``report RESULTS.csv...``: the Markdown tables of RESULTS.md from run directories;
- ``company [--time-limit S] [--week W] [--data DIR | --customers N] [--out DIR]``: the
  product benchmark, today's book against Rounds on a company's week (see
  `benchmarks.company`).

A FILE is a path, or a path relative to the instances directory (``--instances``, else
``$ROUNDS_BENCHMARKS_DIR``, else ``../shared/benchmarks`` beside the repository); a directory
stands for the instances its manifest lists. Bad input exits with status 2 and one line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from benchmarks.adapter import THREADS_ENV
from benchmarks.check import TOLERANCE, check
from benchmarks.formats import expand_paths, read_instance, read_solution_routes
from benchmarks.manifest import best_known
from benchmarks.paths import ENV_VAR, instances_dir, resolve_instance
from benchmarks.report import report
from benchmarks.runner import run
from benchmarks.solvers import OURS, PEERS, SOLVER_NAMES, missing_dependency


class UsageError(Exception):
    """Bad input; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text}")
    return value


def _workers(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def _solver_list(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in SOLVER_NAMES]
    if unknown or not names:
        named = ", ".join(unknown) or "(none)"
        choices = ", ".join(SOLVER_NAMES)
        raise argparse.ArgumentTypeError(f"unknown solver {named}; choose from {choices}")
    return names


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = _Parser(
        prog="python -m benchmarks",
        description="Run, check and inspect routing benchmark instances.",
    )
    parser.add_argument(
        "--instances",
        metavar="DIR",
        help=f"instances directory (default: ${ENV_VAR} or ../shared/benchmarks)",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p_run = sub.add_parser(
        "run",
        help="solve files, check them and write results.csv",
        description="Solve each FILE with our solver (and the peers), check "
        "every solution, write DIR/results.csv and per-file JSON.",
    )
    p_run.add_argument("files", nargs="+", metavar="FILE")
    p_run.add_argument(
        "--time-limit",
        type=_positive,
        required=True,
        metavar="S",
        help="seconds per file and solver",
    )
    p_run.add_argument("--out", type=Path, required=True, metavar="DIR")
    p_run.add_argument(
        "--peers", action="store_true", help=f"also run {', '.join(PEERS)} with the same time limit"
    )
    p_run.add_argument(
        "--solvers",
        type=_solver_list,
        metavar="LIST",
        help=f"comma-separated solvers instead (from {', '.join(SOLVER_NAMES)})",
    )
    p_run.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help="solves at once, one process each (default 1)",
    )
    p_run.add_argument(
        "--threads",
        type=_workers,
        default=1,
        metavar="N",
        help="search processes our solver runs per file (its num_workers; peers stay "
        "single-threaded; default 1)",
    )
    p_run.add_argument(
        "--tolerance",
        type=float,
        default=TOLERANCE,
        help=f"time-check slack in instance units (default {TOLERANCE:g})",
    )

    p_check = sub.add_parser(
        "check",
        help="check a solution file against an instance",
        description="Check routes (our JSON, Cordeau .res or SINTEF text) "
        "and print the double-precision distance.",
    )
    p_check.add_argument("instance", metavar="INSTANCE")
    p_check.add_argument("solution", type=Path, metavar="SOLUTION")
    p_check.add_argument("--tolerance", type=float, default=TOLERANCE)

    p_info = sub.add_parser(
        "info",
        help="show what the reader sees in instance files",
        description="Print format, size, fleet and best-known values.",
    )
    p_info.add_argument("files", nargs="+", metavar="FILE")

    p_report = sub.add_parser(
        "report",
        help="Markdown tables from results.csv files",
        description="Print summary, ratio and per-solver tables (as in RESULTS.md) for the "
        "given results.csv files or run directories.",
    )
    p_report.add_argument("results", nargs="+", type=Path, metavar="RESULTS")

    p_company = sub.add_parser(
        "company",
        help="today's book against Rounds on a company's week",
        description="Load the sample company (or --data DIR, or a generated company of "
        "--customers N) into a temporary SQLite database and plan the week as-is, as-is "
        "with overtime, optimized and optimized with a 10%% stability budget; write "
        "DIR/company.csv and DIR/company.json.",
    )
    p_company.add_argument(
        "--time-limit", type=_positive, default=60.0, metavar="S",
        help="seconds per scenario (default 60)",
    )
    p_company.add_argument(
        "--solution-limit", type=_workers, metavar="N",
        help="stop each solve after N improving solutions instead (no time limit)",
    )
    p_company.add_argument("--week", default="2026-W49", help="ISO week (default 2026-W49)")
    source = p_company.add_mutually_exclusive_group()
    source.add_argument("--data", type=Path, metavar="DIR", help="company CSV directory")
    source.add_argument(
        "--customers", type=_workers, metavar="N",
        help="generate a seeded company of N customers instead (crews scale with it)",
    )
    p_company.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    p_company.add_argument(
        "--scenarios", type=_scenario_list, metavar="LIST",
        help="comma-separated subset of as_is, as_is_overtime, optimize, optimize_stable",
    )
    p_company.add_argument(
        "--as-is-overtime", type=int, default=120, metavar="MIN",
        help="overtime per crew-day allowed in the as_is_overtime baseline (default 120)",
    )
    p_company.add_argument("--out", type=Path, default=Path("benchmarks/out/company"),
                           metavar="DIR", help="output directory (default benchmarks/out/company)")
    return parser


def _scenario_list(text: str) -> list[str]:
    from benchmarks.company import SCENARIOS

    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown or not names:
        named = ", ".join(unknown) or "(none)"
        raise argparse.ArgumentTypeError(
            f"unknown scenario {named}; choose from {', '.join(SCENARIOS)}"
        )
    return names


def _files(args: argparse.Namespace, base: Path) -> list[Path]:
    try:
        return expand_paths([resolve_instance(f, base) for f in args.files])
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None


def _cmd_run(args: argparse.Namespace, base: Path) -> int:
    solvers = args.solvers or ([OURS, *PEERS] if args.peers else [OURS])
    for name in solvers:
        reason = missing_dependency(name)
        if reason:
            raise UsageError(reason)
    os.environ[THREADS_ENV] = str(args.threads)  # read by the adapter in each solve process
    run(
        _files(args, base),
        args.time_limit,
        args.out,
        solvers,
        base,
        workers=args.workers,
        tolerance=args.tolerance,
    )
    print(f"wrote {args.out / 'results.csv'}")
    return 0


def _cmd_check(args: argparse.Namespace, base: Path) -> int:
    [path] = expand_paths([resolve_instance(args.instance, base)])
    instance = read_instance(path)
    result = check(instance, read_solution_routes(args.solution), args.tolerance)
    print(f"{instance.name}: {result.summary(limit=len(result.violations))}")
    for note in result.notes:
        print(f"  note: {note}")
    return 0 if result.feasible else 1


def _cmd_info(args: argparse.Namespace, base: Path) -> int:
    for path in _files(args, base):
        i = read_instance(path)
        main, dist_only = best_known(path, base)
        limit = "none" if i.max_duration is None else f"{i.max_duration:g}"
        bks = f"bks {main.distance} ({main.convention})" if main and main.distance else "no bks"
        if dist_only and dist_only.distance:
            bks += f", {dist_only.distance} (distance only)"
        print(
            f"{path}: {i.name} {i.format}, {i.num_customers} customers, {i.days} day(s), "
            f"{i.vehicles_per_day} vehicles/day, capacity {i.capacity}, duration limit "
            f"{limit}, horizon {i.depot.due:g}; {bks}"
        )
    return 0


def _cmd_report(args: argparse.Namespace, base: Path) -> int:
    paths = [p / "results.csv" if p.is_dir() else p for p in args.results]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"no such results file: {missing[0]}")
    print(report(paths), end="")
    return 0


def _cmd_company(args: argparse.Namespace, base: Path) -> int:
    from benchmarks.company import SCENARIOS, run_company

    if args.data is not None and not args.data.is_dir():
        raise UsageError(f"no such data directory: {args.data}")
    run_company(
        out=args.out,
        week=args.week,
        data_dir=args.data,
        customers=args.customers,
        seed=args.seed,
        time_limit=None if args.solution_limit else args.time_limit,
        solution_limit=args.solution_limit,
        scenarios=args.scenarios or SCENARIOS,
        overtime_min=args.as_is_overtime,
        command=" ".join(["python -m benchmarks", *(args.argv or sys.argv[1:])]),
    )
    print(f"wrote {args.out / 'company.csv'} and {args.out / 'company.json'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        args.argv = None if argv is None else list(argv)
        base = instances_dir(args.instances)
        commands = {
            "run": _cmd_run,
            "check": _cmd_check,
            "info": _cmd_info,
            "report": _cmd_report,
            "company": _cmd_company,
        }
        command = commands[args.command]
        return command(args, base)
    except (UsageError, ValueError, FileNotFoundError, IsADirectoryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
