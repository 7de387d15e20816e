"""One pass/fail pair per constraint family, on a depot and jobs along a line.

Travel seconds are the distance on the line (``line_matrix``); every returned
plan is also run through the independent checker.
"""

from __future__ import annotations

from optimizer import Break, Job, ProblemData, SolveResult, TimeWindow, Vehicle, solve
from tests.optimizer.checker import check
from tests.optimizer.conftest import EXACT, line_matrix

LINE = line_matrix([0, 10, 20, 30])  # depot, then locations at 10, 20, 30 s


def run(vehicles: list[Vehicle], jobs: list[Job]) -> SolveResult:
    data = ProblemData(LINE, LINE, tuple(vehicles), tuple(jobs))
    result = solve(data, EXACT)
    assert result.solution is not None
    assert check(data, result.solution) == []
    return result


def served(result: SolveResult) -> dict[str, str]:
    """job id -> vehicle id for every served job."""
    assert result.solution is not None
    return {s.job_id: r.vehicle_id for r in result.solution.routes for s in r.stops}


def codes(result: SolveResult) -> dict[str, str]:
    assert result.solution is not None
    return {u.job_id: u.code for u in result.solution.unassigned}


def van(name: str = "v1", **kw) -> Vehicle:  # type: ignore[no-untyped-def]
    kw.setdefault("shift", TimeWindow(0, 1000))
    return Vehicle(name, 0, 0, **kw)


# skills ---------------------------------------------------------------------------------------
def test_skill_goes_to_the_crew_that_has_it() -> None:
    """Only v2 has a ladder, so the ladder job rides with v2."""
    result = run([van("v1"), van("v2", skills={"ladder"})], [Job("a", 1, 5, skills={"ladder"})])
    assert served(result) == {"a": "v2"}


def test_missing_skill_is_reported() -> None:
    """Nobody has a ladder: unassigned, naming the skill."""
    result = run([van("v1")], [Job("a", 1, 5, skills={"ladder"})])
    assert codes(result) == {"a": "no_skill"}
    assert result.solution is not None
    assert "ladder" in result.solution.unassigned[0].reason


# allowed vehicles -----------------------------------------------------------------------------
def test_allowed_vehicles_are_respected() -> None:
    """Allowed only on v2 (e.g. Tuesday's crew-day): served by v2."""
    result = run([van("v1"), van("v2")], [Job("a", 1, 5, allowed_vehicles={"v2"})])
    assert served(result) == {"a": "v2"}


def test_allowed_vehicle_without_skill_is_reported() -> None:
    """Allowed only on v1, but only v2 has the skill: not_allowed."""
    result = run(
        [van("v1"), van("v2", skills={"pool"})],
        [Job("a", 1, 5, skills={"pool"}, allowed_vehicles={"v1"})],
    )
    assert codes(result) == {"a": "not_allowed"}


# time windows ---------------------------------------------------------------------------------
def test_window_that_can_be_reached_is_kept() -> None:
    """Window [10, 12] at 10 s from the depot: leave at 0..2, start inside."""
    result = run([van()], [Job("a", 1, 5, windows=[(10, 12)])])
    assert result.solution is not None
    assert 10 <= result.solution.routes[0].stops[0].start <= 12


def test_window_that_cannot_be_reached_is_reported() -> None:
    """Window [0, 5] at 10 s from a depot the crew leaves at 0: unreachable."""
    result = run([van()], [Job("a", 1, 5, windows=[(0, 5)])])
    assert codes(result) == {"a": "unreachable"}


def test_second_window_is_used() -> None:
    """Windows [0, 5] (too early to reach) and [40, 50]: service starts in the second."""
    result = run([van()], [Job("a", 1, 5, windows=[(0, 5), (40, 50)])])
    assert result.solution is not None
    assert 40 <= result.solution.routes[0].stops[0].start <= 50


# shifts ---------------------------------------------------------------------------------------
def test_job_inside_shift_is_served() -> None:
    """Shift [100, 200], window [120, 150]: served."""
    result = run([van(shift=TimeWindow(100, 200))], [Job("a", 1, 5, windows=[(120, 150)])])
    assert served(result) == {"a": "v1"}


def test_window_outside_every_shift_is_reported() -> None:
    """Shift [100, 200], window [300, 400]: window_outside_shift."""
    result = run([van(shift=TimeWindow(100, 200))], [Job("a", 1, 5, windows=[(300, 400)])])
    assert codes(result) == {"a": "window_outside_shift"}


def test_route_ends_inside_shift() -> None:
    """Shift [0, 45]: 0 -> 10 -> 20 -> 0 with 5 s services is 40 + 10 = 50 > 45: one stays out."""
    result = run([van(shift=TimeWindow(0, 45))], [Job("a", 1, 5), Job("b", 2, 5)])
    assert len(served(result)) == 1
    assert set(codes(result).values()) == {"no_room"}


# breaks ---------------------------------------------------------------------------------------
def test_lunch_is_taken_inside_its_window_without_overlap() -> None:
    """Lunch 30 s starting in [20, 25]; two jobs of 10 s; the checker verifies no overlap."""
    lunch = Break(30, TimeWindow(20, 25))
    result = run([van(lunch=lunch)], [Job("a", 1, 10), Job("b", 2, 10)])
    assert result.solution is not None
    route = result.solution.routes[0]
    assert route.break_start is not None and 20 <= route.break_start <= 25
    assert len(route.stops) == 2


def test_lunch_pushes_a_job_out_of_the_shift() -> None:
    """Shift [0, 60]: 0 -> 10 (service 20) -> 0 takes 40 s; a 30 s lunch makes 70 > 60."""
    lunch = Break(30, TimeWindow(0, 30))
    result = run([van(shift=TimeWindow(0, 60), lunch=lunch)], [Job("a", 1, 20)])
    assert codes(result) == {"a": "no_room"}
    assert result.solution is not None
    assert "v1" in result.solution.unassigned[0].reason
    assert "1 more min" in result.solution.unassigned[0].reason  # 10 s short, rounded up


# pins -----------------------------------------------------------------------------------------
def test_pinned_vehicle_is_kept() -> None:
    """Pinned to v2 although v1 could take it just as well."""
    result = run([van("v1"), van("v2")], [Job("a", 1, 5, pinned_vehicle="v2")])
    assert served(result) == {"a": "v2"}


def test_pinned_position_is_kept() -> None:
    """The job at 30 pinned first: 0 -> 30 -> 10 -> 20 ... whatever the order after it."""
    jobs = [Job("a", 1, 5), Job("b", 2, 5), Job("c", 3, 5, pinned_vehicle="v1", pinned_position=0)]
    result = run([van()], jobs)
    assert result.solution is not None
    assert result.solution.routes[0].stops[0].job_id == "c"
    assert result.objective == 60  # 0 -> 30 -> 20 -> 10 -> 0


def test_pinned_vehicle_that_cannot_make_it_is_reported() -> None:
    """Pinned to v1 whose shift ends at 15: cannot reach 10, serve 5 and return (25 s)."""
    result = run(
        [van("v1", shift=TimeWindow(0, 15)), van("v2")], [Job("a", 1, 5, pinned_vehicle="v1")]
    )
    assert codes(result) == {"a": "unreachable"}


def test_impossible_pinned_position_is_reported() -> None:
    """Position 5 on a route that can hold at most 2 stops: pin_conflict, not an error."""
    jobs = [Job("a", 1, 5), Job("b", 2, 5, pinned_vehicle="v1", pinned_position=5)]
    result = run([van()], jobs)
    assert codes(result) == {"b": "pin_conflict"}


# drop penalty ---------------------------------------------------------------------------------
def test_higher_priority_wins_the_last_slot() -> None:
    """Room for one of two jobs (shift 30): priority 5 at 10 beats priority 1 at 10... swapped."""
    low_near = [Job("near", 1, 5, priority=1), Job("far", 1, 5, priority=5)]
    result = run([van(shift=TimeWindow(0, 29))], low_near)
    assert set(served(result)) == {"far"}


def test_lower_priority_is_dropped_first() -> None:
    """The same pair with priorities swapped keeps the other job."""
    jobs = [Job("near", 1, 5, priority=5), Job("far", 1, 5, priority=1)]
    result = run([van(shift=TimeWindow(0, 29))], jobs)
    assert set(served(result)) == {"near"}


# capacity -------------------------------------------------------------------------------------
def test_capacity_holds_when_demand_fits() -> None:
    """Capacity 2, demands 1 + 1: both on one vehicle."""
    result = run([van(capacity=2)], [Job("a", 1, 5, demand=1), Job("b", 2, 5, demand=1)])
    assert len(served(result)) == 2


def test_capacity_limits_the_load() -> None:
    """Capacity 2, demands 2 + 1: one stays out, and the reason names the missing capacity."""
    result = run([van(capacity=2)], [Job("a", 1, 5, demand=2), Job("b", 2, 5, demand=1)])
    assert len(served(result)) == 1
    assert result.solution is not None
    assert "capacity" in result.solution.unassigned[0].reason


def test_demand_above_every_capacity_is_reported() -> None:
    """Demand 3 with capacity 2: over_capacity."""
    result = run([van(capacity=2)], [Job("a", 1, 5, demand=3)])
    assert codes(result) == {"a": "over_capacity"}


# maximum duration -----------------------------------------------------------------------------
def test_max_duration_allows_a_short_route() -> None:
    """0 -> 10 (5 s) -> 0 takes 25 s <= 30."""
    result = run([van(max_duration=30)], [Job("a", 1, 5)])
    assert served(result) == {"a": "v1"}


def test_max_duration_cuts_a_long_route() -> None:
    """0 -> 30 (5 s) -> 0 takes 65 s > 30: too_long."""
    result = run([van(max_duration=30)], [Job("a", 3, 5)])
    assert codes(result) == {"a": "too_long"}


def test_max_duration_counts_waiting_after_leaving() -> None:
    """Two jobs with windows 200 s apart cannot share a 60 s route: one is left out."""
    jobs = [Job("a", 1, 5, windows=[(10, 10)]), Job("b", 1, 5, windows=[(210, 210)])]
    result = run([van(max_duration=60)], jobs)
    assert len(served(result)) == 1


def test_day_starts_at_shift_start_without_windows() -> None:
    """No windows: leave at the shift start (0) and be back as early as possible (25)."""
    result = run([van()], [Job("a", 1, 5)])
    assert result.solution is not None
    route = result.solution.routes[0]
    assert (route.start_time, route.end_time) == (0, 25)


def test_forced_wait_is_cut_at_the_depot() -> None:
    """Window [500, 600] at 10 s: leave at 490, no waiting on site, back at 515."""
    result = run([van()], [Job("a", 1, 5, windows=[(500, 600)])])
    assert result.solution is not None
    route = result.solution.routes[0]
    assert (route.start_time, route.end_time, route.waiting_duration) == (490, 515, 0)
