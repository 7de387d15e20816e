"""The independent checker: each rule in a pass/fail pair, then the published solutions."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from benchmarks.check import check, route_distance, route_schedule
from benchmarks.cordeau import read_res
from benchmarks.formats import read_instance
from benchmarks.manifest import read_manifest
from benchmarks.model import Customer, Depot, Instance, Route
from benchmarks.sintef import read_sintef

PVRP_FILES = [
    "p01",
    "p02",
    "p03",
    "p07",
    "p08",
    "p09",
    "p10",
    "p11",
    "p14",
    "p15",
    "p16",
    "p21",
    "p22",
    "p23",
    "pr01",
    "pr03",
    "pr05",
    "pr07",
    "pr09",
]
HOMBERGER = [
    "c1_2_1",
    "c1_2_2",
    "c2_2_1",
    "c2_2_2",
    "r1_2_1",
    "r1_2_2",
    "r2_2_1",
    "r2_2_2",
    "rc1_2_1",
    "rc1_2_2",
    "rc2_2_1",
    "rc2_2_2",
]


def day1(*routes: tuple[int, ...]) -> list[Route]:
    return [Route(1, k, r) for k, r in enumerate(routes, start=1)]


def test_distance_is_euclidean_depot_to_depot(line: Instance) -> None:
    """0-1-2-0 = 5 + 5 + 10 = 20; 0-3-4-0 = 5 + 10 + 5 = 20; empty routes cost nothing."""
    assert route_distance(line, (1, 2)) == 20
    result = check(line, day1((1, 2), (3, 4)) + [Route(1, 2, ())])
    assert result.feasible, result.violations
    assert (result.distance, result.routes) == (40, 2)


def test_capacity(line: Instance) -> None:
    """Loads 4+4+3 = 11 > 10 fail; 4+4 and 3+3 pass."""
    assert check(line, day1((1, 2), (3, 4))).feasible
    bad = check(line, day1((1, 2, 3), (4,)))
    assert any("load 11 exceeds capacity 10" in v for v in bad.violations)


def test_window_waiting_is_allowed_lateness_is_not(line: Instance) -> None:
    """Customer 1 is 5 away: opening at 8 makes the vehicle wait (fine); closing at 4 is late."""
    early = dataclasses.replace(line.customer(1), ready=8, due=20)
    late = dataclasses.replace(line.customer(1), ready=0, due=4)
    for c, ok in ((early, True), (late, False)):
        inst = dataclasses.replace(line, customers=(c, *line.customers[1:]))
        assert check(inst, day1((1, 2), (3, 4))).feasible is ok
    starts, back, _ = route_schedule(
        dataclasses.replace(line, customers=(early, *line.customers[1:])), (1, 2)
    )
    # start at 8 (waited 3), leave 9, customer 2 at 14, leave 15, back at 25
    assert starts == [8, 14] and back == 25


def test_depot_closing(line: Instance) -> None:
    """0-1-2-0 returns at 5+1+5+1+10 = 22; a depot closing at 21 makes it infeasible."""
    assert route_schedule(line, (1, 2))[1] == 22
    closed = dataclasses.replace(line, depot=Depot(0, 0, 0, 21))
    result = check(closed, day1((1, 2), (3, 4)))
    assert not result.feasible and "depot closes 21" in result.violations[0]


def test_duration_delays_departure_to_cut_waiting(line: Instance) -> None:
    """Customer 3 opens at 50: leaving at 45 instead of 0 removes the wait.

    0-3-4-0: travel 20, service 2, so the shortest duration is 22 although the vehicle
    returns at 50 + 1 + 10 + 1 + 5 = 67 when it leaves at 0.
    """
    c3 = dataclasses.replace(line.customer(3), ready=50, due=60)
    inst = dataclasses.replace(
        line, customers=(*line.customers[:2], c3, line.customer(4)), max_duration=22
    )
    _, back, duration = route_schedule(inst, (3, 4))
    assert (back, duration) == (67, 22)
    assert check(inst, day1((1, 2), (3, 4))).feasible
    tight = dataclasses.replace(inst, max_duration=21.5)
    assert any(
        "duration 22.0000 exceeds" in v for v in check(tight, day1((1, 2), (3, 4))).violations
    )


def test_duration_delay_is_bounded_by_an_earlier_window(line: Instance) -> None:
    """0-1-3-0 with customer 1 open [0, 6] and customer 3 open [20, 30].

    Leaving at 0: customer 1 at 5, leave 6, customer 3 at 6 + sqrt(10) = 9.16, wait until 20,
    leave 21, back at 26. Customer 1 closes at 6, so the departure can only move 1 later:
    the shortest duration is 26 - 1 = 25, not the 26 - 10.84 the waiting alone would allow.
    """
    c1 = dataclasses.replace(line.customer(1), ready=0, due=6)
    c3 = dataclasses.replace(line.customer(3), ready=20, due=30)
    inst = dataclasses.replace(line, customers=(c1, line.customer(2), c3, line.customer(4)))
    starts, back, duration = route_schedule(inst, (1, 3))
    assert starts == [5, 20] and back == 26
    assert duration == pytest.approx(25)


def test_fleet_limit_and_vehicle_numbers(line: Instance) -> None:
    """Two vehicles a day: a third route, vehicle 3, or vehicle 1 twice are violations."""
    three = check(line, day1((1,), (2,), (3, 4)))
    assert any("3 routes, fleet limit 2" in v for v in three.violations)
    twice = check(line, [Route(1, 1, (1, 2)), Route(1, 1, (3, 4))])
    assert any("two routes" in v for v in twice.violations)
    wrong_day = check(line, [Route(2, 1, (1, 2)), Route(1, 2, (3, 4))])
    assert any("day 2" in v for v in wrong_day.violations)


def test_every_customer_exactly_once(line: Instance) -> None:
    """Missing, duplicated and unknown customers are reported."""
    missing = check(line, day1((1, 2), (3,)))
    assert any(v.startswith("customer 4 visited on days []") for v in missing.violations)
    twice = check(line, day1((1, 2, 1), (3, 4)))
    assert any("customer 1 visited twice on one day" in v for v in twice.violations)
    unknown = check(line, day1((1, 2, 9), (3, 4)))
    assert any("unknown customers [9]" in v for v in unknown.violations)


@pytest.fixture
def periodic() -> Instance:
    """Two days, two vehicles a day, capacity 10.

    Customer 1 needs one visit on day 1 or on day 2; customer 2 two visits (days 1 and 2);
    customer 3 is a p01-style dummy at the depot (service 0, demand 10) fixed to day 2;
    customer 4 has frequency 0 like p11's customer 131.
    """
    return Instance(
        name="periodic",
        format="pvrp",
        days=2,
        vehicles_per_day=2,
        capacity=10,
        depot=Depot(0, 0),
        customers=(
            Customer(1, 3, 4, demand=1, service=0, combinations=(frozenset({1}), frozenset({2}))),
            Customer(2, 6, 8, demand=1, service=0, frequency=2, combinations=(frozenset({1, 2}),)),
            Customer(3, 0, 0, demand=10, service=0, combinations=(frozenset({2}),)),
            Customer(
                4,
                0,
                5,
                demand=1,
                service=0,
                frequency=0,
                combinations=(frozenset({1}), frozenset({2})),
            ),
        ),
    )


def test_periodic_visits_follow_a_combination(periodic: Instance) -> None:
    """Customer 2 on days 1 and 2 passes; only on day 1 (one visit of two) fails."""
    ok = [Route(1, 1, (1, 2)), Route(2, 1, (2,))]
    assert check(periodic, ok).feasible
    short = check(periodic, [Route(1, 1, (1, 2))])
    assert any("customer 2 visited on days [1], needs 2" in v for v in short.violations)


def test_periodic_visit_on_a_day_not_allowed(periodic: Instance) -> None:
    """Customer 1 twice (days 1 and 2) breaks its one-visit combinations."""
    result = check(periodic, [Route(1, 1, (1, 2)), Route(2, 1, (1, 2))])
    assert any("customer 1 visited on days [1, 2]" in v for v in result.violations)


def test_dummy_may_be_left_out_when_a_vehicle_is_spare(periodic: Instance) -> None:
    """The dummy's zero-length route needs a free vehicle on day 2 (fleet 2 a day)."""
    base = [Route(1, 1, (1, 2)), Route(2, 1, (2,))]
    assert check(periodic, base).feasible
    full_day2 = [Route(1, 1, (2,)), Route(2, 1, (2,)), Route(2, 2, (1,))]
    result = check(periodic, full_day2)
    assert any("no allowed day has a spare vehicle" in v for v in result.violations)
    visited = check(periodic, [*base, Route(2, 2, (3,))])
    # 0-1-2-0 = 5 + 5 + 10 and 0-2-0 = 20; the dummy's route 0-3-0 adds nothing
    assert visited.feasible and visited.distance == pytest.approx(40)


def test_frequency_zero_is_optional(periodic: Instance) -> None:
    """Customer 4 (f = 0) may be skipped, or visited on one of its listed days (noted)."""
    base = [Route(1, 1, (1, 2)), Route(2, 1, (2,))]
    visited = check(periodic, [Route(1, 1, (1, 2, 4)), Route(2, 1, (2,))])
    assert check(periodic, base).feasible and visited.feasible
    assert any("frequency 0" in n for n in visited.notes)
    both_days = check(periodic, [Route(1, 1, (1, 2, 4)), Route(2, 1, (2, 4))])
    assert not both_days.feasible


@pytest.mark.parametrize("name", PVRP_FILES)
def test_cordeau_solutions_reproduce_their_cost(bench_dir: Path, name: str) -> None:
    """Cordeau's routes are feasible; cost, per-route durations and loads match to 0.01.

    The files print 2 decimals, so 0.005 is the rounding; the largest difference seen is
    0.004 (p21, pr07). p01 leaves out its dummy customer 51 (a zero-length route on day 1) and
    p11 visits its frequency-0 customer 131 once, on day 4.
    """
    inst = read_instance(bench_dir / "pvrp" / name)
    sol = read_res(bench_dir / "pvrp" / "solutions" / f"{name}.res")
    result = check(inst, [r.route for r in sol.routes])
    assert result.feasible, result.violations
    assert result.distance == pytest.approx(sol.cost, abs=0.01)
    for r in sol.routes:
        assert route_schedule(inst, r.route.customers)[2] == pytest.approx(r.duration, abs=0.01)
        assert sum(inst.customer(c).demand for c in r.route.customers) == r.load


@pytest.mark.parametrize("name", HOMBERGER)
def test_homberger_best_known_routes_reproduce_the_listed_value(bench_dir: Path, name: str) -> None:
    """The SINTEF routes are feasible with the listed vehicles and distance (to 0.01)."""
    rows = {r.instance: r for r in read_manifest(bench_dir / "homberger" / "manifest.csv")}
    inst = read_instance(bench_dir / "homberger" / f"{name}.txt")
    sol = read_sintef(bench_dir / "homberger" / "solutions" / f"{name}.sol.txt")
    result = check(inst, sol.routes)
    assert result.feasible, result.violations
    assert result.routes == rows[name].vehicles
    assert result.distance == pytest.approx(rows[name].distance, abs=0.01)


def test_cordeau_solution_moved_to_a_wrong_day_fails(bench_dir: Path) -> None:
    """p02 with one route moved from day 1 to day 2 breaks day-combinations and fleet size."""
    inst = read_instance(bench_dir / "pvrp" / "p02")
    routes = [r.route for r in read_res(bench_dir / "pvrp" / "solutions" / "p02.res").routes]
    moved = [dataclasses.replace(routes[0], day=2, vehicle=4), *routes[1:]]
    result = check(inst, moved)
    assert not result.feasible
    assert any("visited on days" in v for v in result.violations)


def test_hand_made_infeasible_solomon_route(bench_dir: Path) -> None:
    """C101 customers 1..100 in file order on one vehicle: load 1810 > 200 and windows missed."""
    inst = read_instance(bench_dir / "solomon" / "C101.txt")
    result = check(inst, day1(tuple(range(1, 101))))
    assert not result.feasible
    assert any("load 1810 exceeds capacity 200" in v for v in result.violations)
    assert any("window closes" in v for v in result.violations)
    assert math.isfinite(result.distance) and result.routes == 1
