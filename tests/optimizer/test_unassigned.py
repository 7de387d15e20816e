"""Reasons for unassigned jobs, as a dispatcher reads them."""

from __future__ import annotations

from optimizer import Job, Penalties, ProblemData, SolveParams, TimeWindow, Vehicle, solve
from optimizer.explain import route_lateness
from tests.optimizer.conftest import EXACT, line_matrix

LINE = line_matrix([0, 600, 1200, 1800])  # depot, then sites 10, 20, 30 minutes out


def test_no_room_names_the_nearest_crew_and_the_missing_minutes() -> None:
    """Two 60-min jobs at 10 min from the depot, shift 0-100 min: only one fits.

    One job: 10 + 60 + 10 = 80 min. Both: 10 + 60 + 0 + 60 + 10 = 140 min, 40 min
    over the 100-min shift: the reason names v1 and 40 minutes.
    """
    data = ProblemData(
        LINE, LINE, (Vehicle("v1", 0, 0, TimeWindow(0, 6000)),),
        (Job("a", 1, 3600), Job("b", 1, 3600)),
    )  # fmt: skip
    result = solve(data, EXACT)
    assert result.solution is not None
    [item] = result.solution.unassigned
    assert item.code == "no_room"
    assert "v1" in item.reason and "40 more min" in item.reason


def test_no_room_picks_the_crew_closest_to_fitting() -> None:
    """v1 would be 40 min short, v2 (a longer shift, busy elsewhere) only 10: v2 is named."""
    vehicles = (
        Vehicle("v1", 0, 0, TimeWindow(0, 6000)),
        Vehicle("v2", 0, 0, TimeWindow(0, 7800)),
    )
    jobs = (
        Job("a", 1, 3600, allowed_vehicles={"v1"}),
        Job("b", 1, 3600, allowed_vehicles={"v2"}),
        Job("c", 1, 3600),
    )
    result = solve(ProblemData(LINE, LINE, vehicles, jobs), EXACT)
    assert result.solution is not None
    [item] = result.solution.unassigned
    assert item.job_id == "c"
    assert "v2" in item.reason and "10 more min" in item.reason  # 140 - 130 min


def test_route_lateness_is_zero_for_a_feasible_order() -> None:
    """The re-timing used for reasons agrees that a plain route fits."""
    data = ProblemData(LINE, LINE, (Vehicle("v1", 0, 0, TimeWindow(0, 9000)),),
                       (Job("a", 1, 60), Job("b", 2, 60)))  # fmt: skip
    assert route_lateness(data, data.vehicles[0], [0, 1]) == 0


def test_cheap_penalty_is_reported_as_too_costly() -> None:
    """Dropping costs 1, the 10-min round trip costs 1200 s: left out, and told so."""
    data = ProblemData(LINE, LINE, (Vehicle("v1", 0, 0, TimeWindow(0, 9000)),), (Job("a", 1, 60),))
    cheap = Penalties(drop_base=1, priority_factor=1, pinned_factor=1)
    params = SolveParams(time_limit_s=None, solution_limit=20, stall_limit=20_000, penalties=cheap)
    result = solve(data, params)
    assert result.solution is not None
    [item] = result.solution.unassigned
    assert item.code == "too_costly" and "v1" in item.reason
