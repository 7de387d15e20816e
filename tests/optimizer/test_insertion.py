"""Exact cheapest insertion: hand-checked cases, brute force, and the core's own timing."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer import (
    Break,
    Job,
    ProblemData,
    Route,
    Solution,
    SolveParams,
    Stop,
    TimeWindow,
    Vehicle,
    solve,
)
from optimizer.exceptions import InvalidProblemError
from optimizer.insertion import (
    InsertionJob,
    InsertionRoute,
    RouteTimes,
    cheapest_insertions,
    insertion_table,
)
from optimizer.units import MAX_VALUE
from tests.optimizer.conftest import PROPERTY, line_matrix

# --- an independent re-timer: the whole route, every lunch placement, earliest times -------


def _retime(route: InsertionRoute, dur: np.ndarray) -> list[int] | None:
    """Service starts of the route's stops under the best lunch placement, or None.

    Tries the lunch before the start, in each leg and after the end, each with a plain
    earliest-time pass; keeps the placement with the earliest starts (all are compared
    stop by stop, so the earliest start of each stop over all placements is returned).
    """
    lunch = route.lunch
    placements: list[object] = ["none"] if lunch is None else ["before", "after"]
    if lunch is not None:
        placements += list(range(len(route.stops) + 1))
    best: list[int] | None = None
    for placement in placements:
        starts = _pass(route, dur, placement)
        if starts is not None and best is not None:
            best = [min(a, b) for a, b in zip(best, starts, strict=True)]
        elif starts is not None:
            best = starts
    return best


def _pass(route: InsertionRoute, dur: np.ndarray, placement: object) -> list[int] | None:
    lunch, shift = route.lunch, route.shift
    t = shift.start
    if placement == "before":
        assert lunch is not None
        if lunch.window.start > lunch.window.end:
            return None
        t = max(t, lunch.window.start + lunch.duration)
    here, finish, starts = route.start, t, []
    for i, stop in enumerate(route.stops):
        arrival = finish + int(dur[here, stop.location])
        if placement == i:
            assert lunch is not None
            begin = max(finish, lunch.window.start)
            if begin > lunch.window.end:
                return None
            arrival = max(arrival + lunch.duration, begin + lunch.duration)
        window = stop.window or TimeWindow(0, MAX_VALUE)
        start = max(arrival, window.start)
        if start > window.end:
            return None
        starts.append(start)
        finish, here = start + stop.service, stop.location
    end = finish + int(dur[here, route.end])
    if placement == len(route.stops):
        assert lunch is not None
        begin = max(finish, lunch.window.start)
        if begin > lunch.window.end:
            return None
        end = max(end + lunch.duration, begin + lunch.duration)
    if placement == "after":
        assert lunch is not None
        if max(end, lunch.window.start) > lunch.window.end:
            return None
    if end > shift.end:
        return None
    return starts


def _brute_force(route, job, dur, dist):  # type: ignore[no-untyped-def]
    """(feasible, position, added s, added m, start) by re-timing every candidate route."""
    locs = [route.start, *(s.location for s in route.stops), route.end]
    options = []
    for p in range(len(route.stops) + 1):
        a, b, u = locs[p], locs[p + 1], job.location
        added = int(dur[a, u] + dur[u, b] - dur[a, b])
        metres = int(dist[a, u] + dist[u, b] - dist[a, b])
        trial = replace(route, stops=(*route.stops[:p], job, *route.stops[p:]))
        starts = _retime(trial, dur)
        options.append((starts is None, added, metres, p, None if starts is None else starts[p]))
    infeasible, added, metres, p, start = min(options, key=lambda o: o[:4])
    return not infeasible, p, added, metres, start


# --- random small routes ---------------------------------------------------------------------


@st.composite
def _instances(draw):  # type: ignore[no-untyped-def]
    size = draw(st.integers(3, 9))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    points = rng.integers(0, 60, size=(size, 2))
    dist = np.abs(points[:, None, :] - points[None, :, :]).sum(axis=2) * 10
    dur = dist // 10 + rng.integers(0, 3, size=(size, size))  # slightly asymmetric
    np.fill_diagonal(dur, 0)
    routes = []
    for _ in range(draw(st.integers(1, 4))):
        stops = []
        for _ in range(draw(st.integers(0, 6))):
            window = None
            if draw(st.booleans()):
                open_ = draw(st.integers(0, 300))
                window = TimeWindow(open_, open_ + draw(st.integers(0, 200)))
            stops.append(InsertionJob(draw(st.integers(1, size - 1)), draw(st.integers(0, 40)),
                                      window))
        start = draw(st.integers(0, 60))
        shift = TimeWindow(start, start + draw(st.integers(50, 500)))
        lunch = None
        if draw(st.booleans()):
            open_ = draw(st.integers(shift.start, shift.end))
            window = TimeWindow(open_, open_ + draw(st.integers(0, 150)))
            lunch = Break(draw(st.integers(0, 60)), window)
        routes.append(InsertionRoute(0, draw(st.sampled_from([0, 1])), shift, tuple(stops), lunch))
    window = None
    if draw(st.booleans()):
        open_ = draw(st.integers(0, 300))
        window = TimeWindow(open_, open_ + draw(st.integers(0, 200)))
    job = InsertionJob(draw(st.integers(1, size - 1)), draw(st.integers(0, 40)), window)
    return routes, job, dur, dist


@settings(PROPERTY, max_examples=150)
@given(_instances())
def test_cheapest_insertion_equals_brute_force(instance) -> None:  # type: ignore[no-untyped-def]
    """Feasibility, position, added seconds and metres, and start equal re-timing every
    candidate route from scratch, on random small routes with windows and lunches."""
    routes, job, dur, dist = instance
    found = cheapest_insertions(routes, job, dur, dist)
    for route, got in zip(routes, found, strict=True):
        feasible, p, added, metres, start = _brute_force(route, job, dur, dist)
        assert got.route_feasible == (_retime(route, dur) is not None)
        assert (got.feasible, got.position, got.added_duration, got.added_distance, got.start) == (
            feasible, p, added, metres, start
        )


@PROPERTY
@given(_instances())
def test_insertion_table_every_position_matches_retiming(instance) -> None:  # type: ignore[no-untyped-def]
    """Not only the best: every position's feasibility equals re-timing that route."""
    routes, job, dur, dist = instance
    times = RouteTimes(routes, dur)
    table = insertion_table(times, job, dist)
    for k, route in enumerate(routes):
        for p in range(len(route.stops) + 1):
            trial = replace(route, stops=(*route.stops[:p], job, *route.stops[p:]))
            assert bool(table.feasible[k, p]) == (_retime(trial, dur) is not None), (k, p)
        assert not table.valid[k, len(route.stops) + 1 :].any()


# --- hand-checked cases ----------------------------------------------------------------------


def test_cheapest_insertion_on_a_line_goes_between_neighbours() -> None:
    """Depot 0, stops at 10, 20, 30; a job at 15 costs 0 extra between 10 and 20 (position 1)."""
    dur = line_matrix([0, 10, 20, 30, 15])
    route = InsertionRoute(0, 0, TimeWindow(0, 1000), tuple(InsertionJob(i, 5) for i in (1, 2, 3)))
    (best,) = cheapest_insertions([route], InsertionJob(4, 5), dur, dur * 10)
    # leave 0 at 0, 10: 10-15, 15: arrive 20 (15 + 5 travel): start 20
    assert (best.feasible, best.position, best.added_duration, best.start) == (True, 1, 0, 20)


def test_cheapest_insertion_skips_a_position_that_breaks_a_later_window() -> None:
    """Depot 0 -> 10 -> 20 (window [0, 25]) -> end at 30. A job at 15 between 10 and 20 adds
    no travel but makes 20 start at 30 > 25, so it goes after 20: 5 + 15 - 10 = 10 s."""
    dur = line_matrix([0, 10, 20, 30, 15])
    stops = (InsertionJob(1, 5), InsertionJob(2, 5, TimeWindow(0, 25)))
    route = InsertionRoute(0, 3, TimeWindow(0, 1000), stops)
    (best,) = cheapest_insertions([route], InsertionJob(4, 5), dur, dur)
    # position 1: 10 (10-15) -> 15 (20-25) -> 20 at 30: too late; position 0: 20 at 40
    assert (best.feasible, best.position, best.added_duration, best.start) == (True, 2, 10, 35)


def test_cheapest_insertion_respects_the_lunch_window() -> None:
    """A 60 s lunch that must start in [10, 12] fits in the first leg only when the new job
    does not push the first service end past 12; the job then goes last."""
    dur = line_matrix([0, 10, 5])
    lunch = Break(60, TimeWindow(10, 12))
    route = InsertionRoute(0, 0, TimeWindow(0, 200), (InsertionJob(1, 30),), lunch)
    job = InsertionJob(2, 10)
    (best,) = cheapest_insertions([route], job, dur, dur)
    # position 0: 0 -> 5 (5-15) -> lunch at 15 > 12 unless taken in the leg 0->5 (start 10,
    # arrive 70): then 70-80, -> 10 at 85, done 115, back 125 <= 200: feasible, added 0.
    assert (best.feasible, best.position, best.added_duration, best.start) == (True, 0, 0, 70)
    short = replace(route, shift=TimeWindow(0, 120))
    (tight,) = cheapest_insertions([short], job, dur, dur)
    # position 1: 0 -> 10 (lunch in leg: 10..70, start 70, done 100) -> 5 at 105, done 115,
    # back at 120: fits exactly; position 0 ends at 125 > 120.
    assert (tight.feasible, tight.position, tight.start) == (True, 1, 105)


def test_lunch_cannot_start_after_its_window_on_the_leg_into_the_new_job() -> None:
    """Lunch 10 s starting in [15, 16]. Depot 0 -> A at 10 (30 s) -> new job at 20 with
    window [0, 62]. The lunch must be taken on the way to A (waiting until 15): A 25-55, the
    new job at 65 > 62, so position 1 fails; taking the lunch after A (at 40) would start it
    too late. Position 0 fits: lunch 15-25 on the way, start 30."""
    dur = line_matrix([0, 10, -10])
    dur[0, 2] = dur[2, 0] = 20
    dur[1, 2] = dur[2, 1] = 10
    lunch = Break(10, TimeWindow(15, 16))
    route = InsertionRoute(0, 0, TimeWindow(0, 1000), (InsertionJob(1, 30),), lunch)
    job = InsertionJob(2, 5, TimeWindow(0, 62))
    times = RouteTimes([route], dur)
    table = insertion_table(times, job, dur)
    assert table.feasible[0].tolist() == [True, False]
    assert int(table.start[0, 0]) == 30


def test_cheapest_insertion_reports_a_full_route() -> None:
    """A shift that ends before the extra job could be done: nothing fits, the cheapest
    position is still named, and the route itself is fine."""
    dur = line_matrix([0, 10, 40])
    route = InsertionRoute(0, 0, TimeWindow(0, 40), (InsertionJob(1, 10),))
    (best,) = cheapest_insertions([route], InsertionJob(2, 10), dur, dur)
    assert (best.feasible, best.start, best.route_feasible) == (False, None, True)
    assert best.added_duration == 10 + 30 + 40 - 10 - 10 - 0  # 0->10->40->0 vs 0->10->0
    broken = replace(route, shift=TimeWindow(0, 20))
    assert not cheapest_insertions([broken], InsertionJob(2, 0), dur, dur)[0].route_feasible


def test_cheapest_insertions_rejects_unknown_locations() -> None:
    """A location outside the matrix is an input error naming the field."""
    dur = line_matrix([0, 10])
    with pytest.raises(InvalidProblemError, match="job.location"):
        cheapest_insertions([InsertionRoute(0, 0, TimeWindow(0, 9))], InsertionJob(5, 1), dur, dur)
    with pytest.raises(InvalidProblemError, match=r"routes\[0\].stops\[0\]"):
        route = InsertionRoute(0, 0, TimeWindow(0, 9), (InsertionJob(7, 1),))
        cheapest_insertions([route], InsertionJob(1, 1), dur, dur)


# --- the timing model against OR-Tools ------------------------------------------------------


def _core_feasible(route: InsertionRoute, dur: np.ndarray) -> bool:
    """Whether the core serves every stop of ``route`` in this order (pinned positions)."""
    jobs = tuple(
        Job(f"j{i}", s.location, s.service, (s.window,) if s.window else (),
            pinned_vehicle="v", pinned_position=i)
        for i, s in enumerate(route.stops)
    )  # fmt: skip
    vehicle = Vehicle("v", route.start, route.end, route.shift, lunch=route.lunch)
    data = ProblemData(dur, dur, (vehicle,), jobs)
    # The order as warm start: if it fits it is the first solution; if it does not, no plan
    # serves every pinned stop, so whatever the search returns leaves one out.
    order = Solution((Route("v", tuple(Stop(j.id, 0, 0, 0, 0, 0, 0) for j in jobs), 0, 0, 0, 0,
                            0, 0),))  # fmt: skip
    params = SolveParams(time_limit_s=None, solution_limit=1, restarts=0)
    result = solve(data, params, initial=order)
    assert result.solution is not None
    return not result.solution.unassigned


#: Seeds whose route fits without the lunch but not with it (the lunch decides).
LUNCH_DECIDES = (70, 151, 160, 195, 257)


@pytest.mark.parametrize("seed", [*range(30), *LUNCH_DECIDES])
def test_timing_model_agrees_with_the_core(seed: int) -> None:
    """On seeded random routes with windows and a lunch, a fixed visiting order is feasible
    for this module exactly when OR-Tools can serve it in that order."""
    rng = random.Random(seed)
    points = [rng.randrange(0, 80) for _ in range(6)]
    dur = line_matrix(points) + np.array(
        [[0 if i == j else rng.randrange(0, 4) for j in range(6)] for i in range(6)]
    )
    stops = []
    for _ in range(rng.randrange(1, 5)):
        window = None
        if rng.random() < 0.6:
            open_ = rng.randrange(0, 250)
            window = TimeWindow(open_, open_ + rng.randrange(0, 120))
        stops.append(InsertionJob(rng.randrange(1, 6), rng.randrange(0, 40), window))
    open_ = rng.randrange(0, 150)
    lunch = Break(rng.randrange(5, 60), TimeWindow(open_, open_ + rng.randrange(0, 80)))
    shift = TimeWindow(0, rng.randrange(150, 400))
    route = InsertionRoute(0, 0, shift, tuple(stops), lunch if rng.random() < 0.8 else None)
    ours = bool(RouteTimes([route], dur).route_feasible[0])
    assert ours == (_retime(route, dur) is not None)
    assert ours == _core_feasible(route, dur)
    if seed in LUNCH_DECIDES:
        assert not ours and RouteTimes([replace(route, lunch=None)], dur).route_feasible[0]
