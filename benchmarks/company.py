"""``python -m benchmarks company``: the product benchmark on a whole company's week.

The question a field-service company asks is not "how close to the best-known value on
Solomon" but "how much less do my crews drive if Rounds chooses day, crew and order instead of
keeping today's book". This module answers it on the sample company (or a seeded generated
one) loaded into a fresh temporary SQLite database through the same path as ``rounds demo``
(migrate, ``load_demo``), so the importer, the recurrence expansion and the problem builder
are all part of what is measured.

Scenarios, all on one week:

- ``as_is``: today's crew and weekdays for every agreement, each crew-day re-ordered
  optimally (``mode="as_is"``): what the usual field-service suites offer.
- ``as_is_overtime``: the same, with every crew allowed up to ``--as-is-overtime`` minutes past
  its shift end. The generator checked the book with a laxer model than the planner's (lunch
  may start after 13:30 there), so a few as-is visits do not fit in strict ``as_is``; with
  overtime every visit is placed, and the comparison is between plans doing the same work.
  This is the baseline of the headline reductions; those against strict ``as_is`` are
  reported too (they flatter the baseline, which drives to fewer visits).
- ``optimize``: Rounds chooses day, crew and order, default consistency weights, no overtime.
- ``optimize_stable``: the same with at most ``ceil(10 % of jobs)`` jobs changing day or crew
  against today's book (``previous=None`` in the builder means exactly that).

Figures per scenario: drive hours, drive share of paid time (drive over the crews' paid
hours: every shift from start to end, plus overtime actually worked), visits placed and
unplaced, customers moved against the baseline (distinct customers with a job placed in both
plans whose set of (weekday, crew) differs), time to the first feasible plan (first call of
the progress callback, counted like the runtime from the start of the build), build time,
runtime (build plus solve) and peak memory: the largest sum, sampled every 0.2 s during the
scenario (build and solve), of this process's resident memory and that of its live child
processes (:class:`benchmarks.memory.PeakMemory`), with the children's share on its own.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import math
import os
import platform
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.memory import PeakMemory
from optimizer import Progress, SolveParams

#: Scenario keys in run order; the baselines come first because the others are compared to them.
SCENARIOS: tuple[str, ...] = ("as_is", "as_is_overtime", "optimize", "optimize_stable")

LABELS: dict[str, str] = {
    "as_is": "(a) today's day and crew, re-ordered",
    "as_is_overtime": "(a') as (a), overtime allowed so every visit fits",
    "optimize": "(b) Rounds: day, crew and order",
    "optimize_stable": "(c) Rounds, at most 10% of jobs moved vs today",
}

#: The baseline of ``reduction_pct`` and ``customers_moved`` (all visits placed, same work).
BASELINE = "as_is_overtime"

#: The columns of ``company.csv``, in order (the test holds the JSON rows to the same keys).
COLUMNS: tuple[str, ...] = (
    "scenario",
    "label",
    "jobs",
    "visits",
    "visits_placed",
    "visits_unplaced",
    "jobs_unplaced",
    "drive_h",
    "drive_km",
    "paid_h",
    "overtime_h",
    "drive_share_pct",
    "drive_per_visit_min",
    "customers_moved",
    "jobs_moved_vs_book",
    "reduction_pct",
    "reduction_vs_strict_as_is_pct",
    "build_s",
    "first_feasible_s",
    "runtime_s",
    "peak_rss_mb",
    "peak_children_mb",
)

DEFAULT_WEEK = "2026-W49"
DEFAULT_AS_IS_OVERTIME_MIN = 120
STABILITY_SHARE = 0.10


@dataclass
class ScenarioResult:
    """One scenario's figures (a row of ``company.csv``) plus what comparisons need."""

    scenario: str
    label: str
    jobs: int
    visits: int
    visits_placed: int
    visits_unplaced: int
    jobs_unplaced: int
    drive_h: float
    drive_km: float
    paid_h: float
    overtime_h: float
    drive_share_pct: float
    drive_per_visit_min: float
    customers_moved: int | None
    jobs_moved_vs_book: int
    reduction_pct: float | None
    reduction_vs_strict_as_is_pct: float | None
    build_s: float
    first_feasible_s: float | None
    runtime_s: float
    peak_rss_mb: float
    peak_children_mb: float
    unplaced_reasons: list[str] = dataclasses.field(default_factory=list)
    # job id -> frozenset of (weekday, crew) of its placed visits; not written out.
    assignment: dict[str, frozenset[tuple[int, str]]] = dataclasses.field(
        default_factory=dict, repr=False
    )
    drive_s: int = dataclasses.field(default=0, repr=False)
    # job id -> customer id, to count customers rather than jobs; not written out.
    customer_of_job: dict[str, int] = dataclasses.field(default_factory=dict, repr=False)

    def row(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in COLUMNS}


def machine_note() -> str:
    """One line naming the machine class (no host names or paths)."""
    try:
        load = f", load average {os.getloadavg()[0]:.1f}"
    except OSError:
        load = ""
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} logical CPUs, "
        f"Python {platform.python_version()}{load}"
    )


def generate_company(customers: int, out: Path, seed: int = 7) -> list[str]:
    """Write a seeded generated company of ``customers`` customers to ``out``; returns notes.

    Uses the generator's own functions (the same as ``data/generate_company.py``), so the
    company equals what the command line would write for that seed and size.
    """
    from data.sample_company.company import generate
    from data.sample_company.writer import write_all

    company = generate(seed, customers)
    write_all(out, company.customers, company.sites, company.agreements, company.crews)
    return list(company.hired)


def load_company(data_dir: Path, workdir: Path) -> sessionmaker[Session]:
    """A fresh migrated SQLite database in ``workdir`` holding the company of ``data_dir``."""
    from crm.db import make_engine
    from dashboard.demo import load_demo
    from dashboard.migrate import upgrade_database

    url = f"sqlite:///{(workdir / 'company.sqlite3').as_posix()}"
    upgrade_database(url)
    factory = sessionmaker(bind=make_engine(url), expire_on_commit=False)
    with factory.begin() as session:
        load_demo(session, data_dir)
    return factory


def _customer_of_agreement(session: Session) -> dict[int, int]:
    import crm.models  # noqa: F401  (map every table before the query)
    from crm.agreements import Agreement
    from crm.customers import Site

    rows = session.execute(
        select(Agreement.id, Site.customer_id).join(Site, Agreement.site_id == Site.id)
    ).all()
    return {agreement: customer for agreement, customer in rows}


def _with_overtime(built: Any, overtime_s: int) -> Any:
    """``built`` with every crew allowed ``overtime_s`` past its shift end (free of charge).

    Free, because the as-is plan cannot move visits anyway: overtime only lets the book's own
    days fit, and the hours worked past the shift are counted in ``paid_h``.
    """
    crews = tuple(dataclasses.replace(c, overtime_max=overtime_s) for c in built.problem.crews)
    problem = dataclasses.replace(built.problem, crews=crews)
    return dataclasses.replace(built, problem=problem)


def _paid_and_overtime(problem: Any, result: Any) -> tuple[int, int]:
    """Paid seconds (every shift start to end, plus overtime worked) and the overtime part."""
    shifts = {
        (crew.id, day): window for crew in problem.crews for day, window in crew.shifts.items()
    }
    paid = sum(w.end - w.start for w in shifts.values())
    overtime = 0
    for day, solution in result.day_solutions.items():
        for route in solution.routes:
            if not route.stops:
                continue
            crew_id = route.vehicle_id.rsplit("@", 1)[0]
            window = shifts.get((crew_id, day))
            if window is not None:
                overtime += max(0, route.end_time - window.end)
    return paid + overtime, overtime


def _pct_less(value: int, reference: int) -> float | None:
    if reference <= 0:
        return None
    return round(100.0 * (1.0 - value / reference), 1)


def _build_and_solve(
    factory: sessionmaker[Session],
    key: str,
    horizon: Any,
    params: SolveParams,
    overtime_min: int,
) -> tuple[Any, dict[int, int], Any, float, list[float]]:
    """Build the scenario's problem and plan it: (built, customers, result, build s, first s)."""
    from optimizer.periodic import solve_periodic
    from scheduling.builder import Mode, build_problem

    start = time.perf_counter()
    with factory() as session:
        customer_of = _customer_of_agreement(session)
        if key == "optimize_stable":
            jobs = len(build_problem(session, horizon, mode="optimize").problem.jobs)
            budget = math.ceil(STABILITY_SHARE * jobs)
            built = build_problem(session, horizon, mode="optimize", stability_budget=budget)
        else:
            mode: Mode = "as_is" if key.startswith("as_is") else "optimize"
            built = build_problem(session, horizon, mode=mode)
    if key == "as_is_overtime":
        built = _with_overtime(built, overtime_min * 60)
    build_s = time.perf_counter() - start
    first: list[float] = []

    def progress(_: Progress) -> None:
        if not first:
            first.append(time.perf_counter() - start)

    result = solve_periodic(built.problem, params, progress=progress)
    return built, customer_of, result, build_s, first


def run_scenario(
    factory: sessionmaker[Session],
    key: str,
    first_monday: dt.date,
    params: SolveParams,
    overtime_min: int,
    log: Callable[[str], None],
) -> ScenarioResult:
    """Build, solve and measure one scenario (comparisons are filled in by the caller)."""
    from scheduling.builder import Horizon

    horizon = Horizon(first_monday)
    with PeakMemory() as memory:
        start = time.perf_counter()
        built, customer_of, result, build_s, first = _build_and_solve(
            factory, key, horizon, params, overtime_min
        )
        runtime = time.perf_counter() - start
    problem = built.problem
    visits_of = {job.id: len(job.patterns[0]) if job.patterns else 0 for job in problem.jobs}
    impossible = len(built.impossible)
    visits = sum(visits_of.values()) + impossible
    placed = len(result.visits)
    paid, overtime = _paid_and_overtime(problem, result)
    drive = result.travel_duration
    assignment: dict[str, set[tuple[int, str]]] = {}
    for v in result.visits:
        assignment.setdefault(v.job_id, set()).add((horizon.date(v.day).weekday(), v.crew_id))
    reasons = [f"{u.job_id}: {u.reason}" for u in result.unassigned]
    reasons += [f"agreement {i.agreement_id}: {i.reason}" for i in built.impossible]
    row = ScenarioResult(
        scenario=key,
        label=LABELS[key],
        jobs=len(problem.jobs),
        visits=visits,
        visits_placed=placed,
        visits_unplaced=visits - placed,
        jobs_unplaced=len(result.unassigned) + impossible,
        drive_h=round(drive / 3600, 2),
        drive_km=round(result.travel_distance / 1000, 1),
        paid_h=round(paid / 3600, 2),
        overtime_h=round(overtime / 3600, 2),
        drive_share_pct=round(100.0 * drive / paid, 1) if paid else 0.0,
        drive_per_visit_min=round(drive / 60 / placed, 2) if placed else 0.0,
        customers_moved=None,
        jobs_moved_vs_book=len(result.moves),
        reduction_pct=None,
        reduction_vs_strict_as_is_pct=None,
        build_s=round(build_s, 2),
        first_feasible_s=round(first[0], 2) if first else None,
        runtime_s=round(runtime, 2),
        peak_rss_mb=memory.peak_mb,
        peak_children_mb=memory.peak_children_mb,
        unplaced_reasons=reasons,
        assignment={job: frozenset(pairs) for job, pairs in assignment.items()},
        drive_s=drive,
        customer_of_job={job: customer_of[a] for job, a in built.job_agreement.items()},
    )
    log(
        f"{key}: drive {row.drive_h} h, placed {placed}/{visits}, "
        f"first plan {row.first_feasible_s} s, runtime {row.runtime_s} s"
    )
    return row


def compare(rows: Sequence[ScenarioResult]) -> None:
    """Fill in reductions and customers moved against the baselines present in ``rows``."""
    by_key = {r.scenario: r for r in rows}
    strict = by_key.get("as_is")
    base = by_key.get(BASELINE) or strict
    for r in rows:
        if base is not None and r is not base:
            r.reduction_pct = _pct_less(r.drive_s, base.drive_s)
            customers = r.customer_of_job
            moved = {
                customers[job]
                for job, pairs in r.assignment.items()
                if job in base.assignment and base.assignment[job] != pairs
            }
            r.customers_moved = len(moved)
        elif r is base:
            r.customers_moved = 0
        if strict is not None and r is not strict:
            r.reduction_vs_strict_as_is_pct = _pct_less(r.drive_s, strict.drive_s)


def run_company(
    *,
    out: Path,
    week: str = DEFAULT_WEEK,
    data_dir: Path | None = None,
    customers: int | None = None,
    seed: int = 7,
    time_limit: float | None = 60.0,
    solution_limit: int | None = None,
    scenarios: Sequence[str] = SCENARIOS,
    overtime_min: int = DEFAULT_AS_IS_OVERTIME_MIN,
    command: str = "",
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run the scenarios, write ``out/company.csv`` and ``out/company.json``; returns the JSON."""
    from dashboard.demo import DEFAULT_DATA_DIR
    from scheduling.planning import parse_week

    first_monday = parse_week(week)
    params = SolveParams(time_limit_s=time_limit, solution_limit=solution_limit)
    notes: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rounds-company-") as tmp:
        workdir = Path(tmp)
        if customers is not None:
            source = f"generated: --customers {customers} --seed {seed}"
            data_dir = workdir / "data"
            t = time.perf_counter()
            notes += generate_company(customers, data_dir, seed)
            notes.append(f"generated in {time.perf_counter() - t:.1f} s")
        elif data_dir is None:
            data_dir = DEFAULT_DATA_DIR
            source = "sample company (data/sample)"
        else:
            source = f"data directory {data_dir.name}"
        t = time.perf_counter()
        factory = load_company(data_dir, workdir)
        load_s = round(time.perf_counter() - t, 2)
        log(f"loaded {source} in {load_s} s")
        rows = [
            run_scenario(factory, key, first_monday, params, overtime_min, log)
            for key in SCENARIOS
            if key in scenarios
        ]
        factory.kw["bind"].dispose()
    compare(rows)
    document = {
        "benchmark": "company",
        "command": command,
        "source": source,
        "week": week,
        "first_monday": first_monday.isoformat(),
        "time_limit_s": time_limit,
        "solution_limit": solution_limit,
        "as_is_overtime_min": overtime_min,
        "stability_share": STABILITY_SHARE,
        "baseline": BASELINE if any(r.scenario == BASELINE for r in rows) else "as_is",
        "fairness": (
            "reduction_pct and customers_moved compare with as_is_overtime, today's book with "
            f"up to {overtime_min} min of overtime per crew-day so that every as-is visit is "
            "placed; reduction_vs_strict_as_is_pct compares with the strict as_is plan, "
            "which leaves some visits unplaced and so drives less than the book would"
        ),
        "paid_time": "every shift from start to end (lunch included) plus overtime worked",
        "machine": machine_note(),
        "load_s": load_s,
        "total_s": round(time.perf_counter() - started, 1),
        "notes": notes,
        "scenarios": [{**r.row(), "unplaced_reasons": r.unplaced_reasons} for r in rows],
    }
    out.mkdir(parents=True, exist_ok=True)
    with (out / "company.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for r in rows:
            writer.writerow({k: "" if v is None else v for k, v in r.row().items()})
    (out / "company.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    log(format_table(rows))
    return document


def format_table(rows: Sequence[ScenarioResult]) -> str:
    """The figures as a Markdown table, as pasted into RESULTS.md."""

    def cell(value: Any, suffix: str = "") -> str:
        return "-" if value is None else f"{value}{suffix}"

    lines = [
        "| scenario | drive h | drive share of paid | visits placed | unplaced | overtime h "
        "| customers moved | reduction vs (a') | vs strict (a) | first plan s | runtime s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.label} | {r.drive_h} | {r.drive_share_pct}% | {r.visits_placed}/{r.visits} "
            f"| {r.visits_unplaced} | {r.overtime_h} | {cell(r.customers_moved)} "
            f"| {cell(r.reduction_pct, '%')} | {cell(r.reduction_vs_strict_as_is_pct, '%')} "
            f"| {cell(r.first_feasible_s)} | {r.runtime_s} |"
        )
    return "\n".join(lines)
