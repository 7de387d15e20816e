"""Day routing alone: each day of a Cordeau solution file re-routed by the core and by PyVRP.

Why: the weekly planner's gap to the best-known values has two parts, the day
patterns it chooses and the routes of each day. Here the patterns are those of
Cordeau's own solution (``pvrp/solutions/<name>.res``), so only the routing
differs: every day's visits are routed from scratch by ``optimizer.solve``
(OR-Tools, the core) and by PyVRP's hybrid genetic search, with the same integer
data (the periodic adapter's mapping: capacity, the duration limit as PyVRP's
``shift_duration``), the same seconds per day, one process; and the whole week
by the planner (``optimizer.solve_periodic``: its descent, then OR-Tools) with
every job's pattern fixed to Cordeau's, for the seconds per day times the days.
Distances are recomputed in double precision from the routes.

    python -m benchmarks.fixed_patterns pr05 p23 --seconds-per-day 10

PyVRP comes with the benchmark extra (``pip install -e .[bench]``).
"""

from __future__ import annotations

import argparse
import csv
import math
import warnings
from dataclasses import replace

import numpy as np

from benchmarks.cordeau import read_cordeau, read_res
from benchmarks.model import Instance
from benchmarks.paths import instances_dir
from benchmarks.periodic_adapter import build_periodic, routes_from_periodic


def _length(instance: Instance, routes: list[list[int]]) -> float:
    """Double-precision length of depot-to-depot routes of customer numbers."""
    return sum(
        instance.distance(a, b)
        for route in routes
        for a, b in zip([0, *route], [*route, 0], strict=True)
    )


def _ours(problem, places: list[int], seconds: float) -> list[list[int]]:  # type: ignore[no-untyped-def]
    import optimizer as opt

    grid = np.ix_(places, places)
    crews = problem.crews
    shift = crews[0].shifts[0]
    vehicles = tuple(
        opt.Vehicle(f"v{k}", 0, 0, shift, capacity=c.capacity, max_duration=c.max_duration)
        for k, c in enumerate(crews)
    )
    jobs_by_location = {job.location: job for job in problem.jobs}
    jobs = tuple(
        opt.Job(str(p), i + 1, jobs_by_location[p].service, (), (), jobs_by_location[p].demand)
        for i, p in enumerate(places[1:])
    )
    data = opt.ProblemData(problem.duration_matrix[grid], problem.distance_matrix[grid],
                           vehicles, jobs)  # fmt: skip
    result = opt.solve(data, opt.SolveParams(time_limit_s=seconds, objective="distance"))
    assert result.solution is not None and not result.solution.unassigned
    return [[int(s.job_id) for s in r.stops] for r in result.solution.routes if r.stops]


def _pyvrp(problem, places: list[int], seconds: float) -> list[list[int]]:  # type: ignore[no-untyped-def]
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    crew = problem.crews[0]
    model = Model()
    locations = [model.add_location(0, 0) for _ in places]
    model.add_depot(locations[0])
    longest = np.iinfo(np.int64).max if crew.max_duration is None else crew.max_duration
    model.add_vehicle_type(len(problem.crews), capacity=[crew.capacity or 0],
                           shift_duration=longest)  # fmt: skip
    jobs_by_location = {job.location: job for job in problem.jobs}
    for place, location in zip(places[1:], locations[1:], strict=True):
        job = jobs_by_location[place]
        model.add_client(location, delivery=[job.demand], service_duration=job.service)
    distance, duration = problem.distance_matrix, problem.duration_matrix
    for i, frm in enumerate(locations):
        for k, to in enumerate(locations):
            if i != k:
                a, b = places[i], places[k]
                model.add_edge(frm, to, int(distance[a, b]), int(duration[a, b]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = model.solve(stop=MaxRuntime(seconds), seed=1, display=False)
    assert result.is_feasible()
    # a visit's idx counts clients from 0 (the depot is not one of them)
    return [[places[v.idx + 1] for v in route if v.is_client()] for route in result.best.routes()]


def _planner(problem, instance: Instance, days: dict[int, list[list[int]]],  # type: ignore[no-untyped-def]
             seconds: float) -> float:
    """Length of the planner's week with every job on its days in Cordeau's solution."""
    import optimizer as opt

    on_days: dict[str, frozenset[int]] = {}
    for day, routes in days.items():
        for c in (c for route in routes for c in route):
            on_days[str(c)] = on_days.get(str(c), frozenset()) | {day - 1}
    jobs = tuple(replace(job, patterns=(on_days[job.id],)) if job.id in on_days else job
                 for job in problem.jobs)  # fmt: skip
    fixed = replace(problem, jobs=jobs)
    params = opt.SolveParams(time_limit_s=seconds * len(days), objective="distance")
    result = opt.solve_periodic(fixed, params)
    assert not [u for u in result.unassigned if u.job_id in on_days]
    found = routes_from_periodic(result)
    for day, routes in days.items():  # every visit on Cordeau's day, once
        served = sorted(c for r in found if r.day == day for c in r.customers)
        assert [c for c in served if str(c) in on_days] == sorted(c for r in routes for c in r)
    return _length(instance, [list(r.customers) for r in found if any(
        str(c) in on_days for c in r.customers)])  # fmt: skip


def cordeau_days(name: str):  # type: ignore[no-untyped-def]
    """The instance, its periodic problem and Cordeau's routes by day (1-based)."""
    root = instances_dir() / "pvrp"
    instance = read_cordeau(root / name)
    solution = read_res(root / "solutions" / f"{name}.res")
    days: dict[int, list[list[int]]] = {}
    for reported in solution.routes:
        days.setdefault(reported.route.day, []).append(list(reported.route.customers))
    return instance, build_periodic(instance), days


def compare(name: str, seconds: float) -> dict[str, float]:
    """Per instance: Cordeau's routes, ours and PyVRP's on Cordeau's patterns, and the BKS."""
    instance, problem, days = cordeau_days(name)
    totals = {"cordeau": 0.0, "rounds": 0.0, "pyvrp": 0.0}
    totals["planner"] = _planner(problem, instance, days, seconds)
    for day, routes in sorted(days.items()):
        places = [0, *sorted(c for route in routes for c in route)]
        cordeau = _length(instance, routes)
        ours_routes = _ours(problem, places, seconds)
        peer_routes = _pyvrp(problem, places, seconds)
        for routes_found in (ours_routes, peer_routes):  # every visit of the day, once
            assert sorted(c for r in routes_found for c in r) == places[1:]
        ours, peer = _length(instance, ours_routes), _length(instance, peer_routes)
        print(f"{name} day {day}: {len(places) - 1} visits, Cordeau {cordeau:.2f}, "
              f"rounds {ours:.2f} ({100 * (ours / cordeau - 1):+.2f} %), "
              f"PyVRP {peer:.2f} ({100 * (peer / cordeau - 1):+.2f} %)", flush=True)  # fmt: skip
        totals["cordeau"] += cordeau
        totals["rounds"] += ours
        totals["pyvrp"] += peer
    with (instances_dir() / "pvrp" / "manifest.csv").open() as f:
        bks = {row["instance"]: float(row["bks_distance"]) for row in csv.DictReader(f)}
    totals["bks"] = bks.get(name, math.nan)
    return totals


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="+", help="PVRP instance names (p01 ... pr10)")
    parser.add_argument("--seconds-per-day", type=float, default=10.0)
    args = parser.parse_args(argv)
    for name in args.names:
        t = compare(name, args.seconds_per_day)
        gaps = ", ".join(f"{k} {t[k]:.2f} ({100 * (t[k] / t['bks'] - 1):+.2f} % to BKS)"
                         for k in ("cordeau", "rounds", "pyvrp", "planner"))  # fmt: skip
        print(f"{name} total: {gaps}; best known {t['bks']:.2f}", flush=True)


if __name__ == "__main__":
    main()
