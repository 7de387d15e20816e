"""``python -m benchmarks.quote``: how fast and how exact the route-aware quote is.

Loads the sample company into a fresh temporary SQLite database (migrations + ``load_demo``,
as ``rounds demo`` does), plans a week with a short time limit and publishes it, then times
:func:`scheduling.quotes.quote_site` for seeded random points in the service area (a random
site of the company moved by up to about 1 km), for one and two visits a week. Prints and
writes p50 / p95 / max (``OUT/quote.json``). ``--customers N`` uses a seeded generated company
instead (the same generator as ``python -m benchmarks company``).

Exactness: for the first quotes of each run, every day of the best slot is re-solved with the
optimizer's core (OR-Tools) with the stops pinned in route order, once without and once with
the new visit at the quoted position; the core must serve every stop, and its drive
difference must equal the quoted extra drive, second for second and metre for metre.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from optimizer import Job, ProblemData, Route, Solution, SolveParams, Stop, Vehicle, solve
from optimizer.insertion import InsertionJob, InsertionRoute

DEFAULT_WEEK = "2026-W49"
DEFAULT_OUT = Path("benchmarks/out/quote")
JITTER_DEG = 0.009  # about 1 km of latitude
CORE = SolveParams(time_limit_s=None, solution_limit=1, restarts=0)


def core_route_travel(
    route: InsertionRoute, durations: Any, distances: Any
) -> tuple[int, int] | None:
    """(drive s, drive m) of ``route`` driven in its order by the core, or None if it cannot.

    Every stop is pinned to its position and the order is given as the warm start, so
    OR-Tools only times the route (windows, shift, lunch as its break): when the order fits,
    the warm start is its first solution; when it does not, no plan can serve every pinned
    stop. An independent check of :mod:`optimizer.insertion`'s timing.
    """
    jobs = tuple(
        Job(f"j{i}", s.location, s.service, (s.window,) if s.window else (),
            pinned_vehicle="v", pinned_position=i)
        for i, s in enumerate(route.stops)
    )  # fmt: skip
    vehicle = Vehicle("v", route.start, route.end, route.shift, lunch=route.lunch)
    order = tuple(Stop(job.id, 0, 0, 0, 0, 0, 0) for job in jobs)
    warm = Solution((Route("v", order, 0, 0, 0, 0, 0, 0),))
    result = solve(ProblemData(durations, distances, (vehicle,), jobs), CORE, initial=warm)
    if result.solution is None or result.solution.unassigned:
        return None
    routes = result.solution.routes
    if not routes:
        return 0, 0
    return routes[0].travel_duration, routes[0].travel_distance


def verify_insertion(
    route: InsertionRoute, position: int, job: InsertionJob, durations: Any, distances: Any
) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """(core drive without, core drive with the job at ``position``), each (s, m)."""
    before = core_route_travel(route, durations, distances)
    assert before is not None, "the published route itself does not fit"
    stops = (*route.stops[:position], job, *route.stops[position:])
    return before, core_route_travel(replace(route, stops=stops), durations, distances)


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(0, math.ceil(q / 100 * len(ordered)) - 1)  # nearest-rank
    return ordered[rank]


def _points(session: Session, count: int, seed: int) -> list[tuple[float, float]]:
    from crm.customers import Site

    sites = session.execute(
        select(Site.lat, Site.lon).where(Site.lat.is_not(None)).order_by(Site.id)
    ).all()
    rng = random.Random(seed)
    points = []
    for _ in range(count):
        lat, lon = rng.choice(sites)
        points.append((lat + rng.uniform(-JITTER_DEG, JITTER_DEG),
                       lon + rng.uniform(-JITTER_DEG, JITTER_DEG)))  # fmt: skip
    return points


def verify_slot(session: Session, lat: float, lon: float, service: Any, slot: Any) -> int:
    """Re-solve every day of ``slot`` with the core and check its quoted extra drive.

    Returns the number of crew-days checked; raises ``AssertionError`` on a difference.
    """
    from scheduling.quotes import price_week

    priced = price_week(session, lat=lat, lon=lon, service=service)
    drive = metres = 0
    for weekday in slot.days:
        day = priced.days[(slot.crew_id, weekday)]
        before, after = verify_insertion(day.route, day.insertion.position, priced.job,
                                         priced.durations, priced.distances)  # fmt: skip
        assert after is not None, f"the core cannot serve the quoted position on day {weekday}"
        drive += after[0] - before[0]
        metres += after[1] - before[1]
    assert (drive, metres) == (slot.extra_drive_s, slot.extra_distance_m), (drive, metres, slot)
    return len(slot.days)


def run(
    *, week: str, time_limit: float, quotes: int, seed: int, service_code: str, out: Path,
    verify: int, customers: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Load, plan, publish, time the quotes; write and return the summary."""
    from benchmarks.company import generate_company, load_company, machine_note
    from crm.services import ServiceType
    from dashboard.demo import DEFAULT_DATA_DIR
    from optimizer import SolveParams
    from scheduling.planning import parse_week, plan_week
    from scheduling.plans import load_plan, publish
    from scheduling.quotes import price_week, quote_site

    monday = parse_week(week)
    summary: dict[str, Any] = {"benchmark": "quote", "week": week, "machine": machine_note(),
                               "service": service_code, "quotes_per_run": quotes, "seed": seed}
    with tempfile.TemporaryDirectory(prefix="rounds-quote-") as tmp:
        data_dir = DEFAULT_DATA_DIR
        summary["company"] = "sample (data/sample)"
        if customers is not None:
            data_dir = Path(tmp) / "data"
            generate_company(customers, data_dir, seed=7)
            summary["company"] = f"generated: --customers {customers} --seed 7"
        factory: sessionmaker[Session] = load_company(data_dir, Path(tmp))
        t = time.perf_counter()
        plan_id = plan_week(factory, monday, SolveParams(time_limit_s=time_limit))
        with factory.begin() as session:
            publish(session, plan_id)
        with factory() as session:
            plan = load_plan(session, plan_id)
            summary["plan"] = {"visits": len(plan.visits), "unplaced": len(plan.unplaced),
                               "plan_s": round(time.perf_counter() - t, 1)}  # fmt: skip
            service = session.scalars(
                select(ServiceType).where(ServiceType.code == service_code)
            ).one()
            points = _points(session, quotes, seed)
            feasible: dict[tuple[int, int], bool] = {}
            for other in session.scalars(select(ServiceType)):  # every crew's routes
                priced = price_week(session, lat=points[0][0], lon=points[0][1], service=other)
                feasible |= {k: d.insertion.route_feasible for k, d in priced.days.items()}
            summary["published_crew_days"] = {
                "crew_days": len(feasible), "re_timed_feasible": sum(feasible.values())
            }
        print(f"published plan {plan_id}: {summary['plan']}, "
              f"{summary['published_crew_days']}")
        runs = []
        for per_week in (1, 2):
            with factory() as session:  # one warm-up call: imports, statement compilation
                t = time.perf_counter()
                quote_site(session, lat=points[0][0], lon=points[0][1], service_id=service.id,
                           visits_per_week=per_week)  # fmt: skip
                cold_ms = (time.perf_counter() - t) * 1000
            times, fitting, checked = [], 0, 0
            for i, (lat, lon) in enumerate(points):
                with factory() as session:  # a fresh session per quote, as a web request has
                    t = time.perf_counter()
                    quote = quote_site(session, lat=lat, lon=lon, service_id=service.id,
                                       visits_per_week=per_week)  # fmt: skip
                    times.append((time.perf_counter() - t) * 1000)
                    fitting += bool(quote.slots and quote.slots[0].fits)
                    if i < verify and quote.slots and quote.slots[0].fits:
                        checked += verify_slot(session, lat, lon, service, quote.slots[0])
            row = {
                "visits_per_week": per_week,
                "quotes": len(times),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(_percentile(times, 95), 1),
                "max_ms": round(max(times), 1),
                "first_call_ms": round(cold_ms, 1),
                "best_slot_fits": fitting,
                "crew_days_verified_with_core": checked,
            }
            print(json.dumps(row))
            runs.append(row)
        factory.kw["bind"].dispose()
    summary["runs"] = runs
    out.mkdir(parents=True, exist_ok=True)
    (out / "quote.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out / 'quote.json'} ({summary['machine']})")
    return summary


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quote",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("--week", default=DEFAULT_WEEK, help="ISO week to plan (2026-W49).")
    parser.add_argument("--time-limit", type=float, default=10.0, help="Planner seconds.")
    parser.add_argument("--quotes", type=int, default=50, help="Quotes per visits-per-week.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--service", default="pool_service", help="Service code to quote.")
    parser.add_argument("--verify", type=int, default=10,
                        help="Re-solve the best slot of the first N quotes with the core.")
    parser.add_argument("--customers", type=int, default=None,
                        help="Use a generated company of N customers (seed 7) instead.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    run(week=args.week, time_limit=args.time_limit, quotes=args.quotes, seed=args.seed,
        service_code=args.service, out=args.out, verify=args.verify,
        customers=args.customers)  # fmt: skip


if __name__ == "__main__":
    main()
