"""ProblemData validation: bad problems are rejected naming the field and the value."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer import Break, InvalidProblemError, Job, Location, ProblemData, TimeWindow, Vehicle
from optimizer.units import MAX_VALUE

M = np.array([[0, 5], [5, 0]])


def problem(**changes):  # type: ignore[no-untyped-def]
    """A valid two-location problem, with fields replaced by ``changes``."""
    fields = dict(
        duration_matrix=M,
        distance_matrix=M,
        vehicles=(Vehicle("v1", 0, 0, TimeWindow(0, 100), skills={"ladder"}),),
        jobs=(Job("a", 1, 10),),
    )
    fields.update(changes)
    return ProblemData(**fields)


def test_valid_problem_is_frozen_and_read_only() -> None:
    """Matrices are copied to read-only int64; containers become tuples and frozensets."""
    data = problem(vehicles=[Vehicle("v1", 0, 0, (0, 100), skills=["ladder"])])
    assert data.duration_matrix.dtype == np.int64
    assert not data.duration_matrix.flags.writeable
    assert isinstance(data.vehicles, tuple)
    assert data.vehicles[0].skills == frozenset({"ladder"})
    with pytest.raises(ValueError):
        data.duration_matrix[0, 1] = 3


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Job("a", 1, -5), "service: negative value -5"),
        (lambda: TimeWindow(200, 100), "end 100 before start 200"),
        (lambda: Job("a", 1, 5, windows=[(200, 100)]), "windows[0]: end 100 before start 200"),
        (lambda: Job("a", 1, 5, windows=[(0, 10), (5, 20)]), "windows[1]: overlaps windows[0]"),
        (lambda: Job("a", 1, 5, priority=9), "priority: 9 is above the maximum 5"),
        (lambda: Job("a", 1, 5, pinned_position=0), "pinned_position: 0 given without"),
        (lambda: Job("a", 1, 2.5), "service: expected an integer, got 2.5"),
        (lambda: Job("", 1, 5), "id: expected a non-empty string id"),
        (lambda: Location("x", float("nan"), 0.0), "lat: nan is not within"),
        (lambda: Location("x", 10.0, 181.0), "lon: 181.0 is not within"),
        (lambda: Vehicle("v", 0, 0, (0, 10), capacity=-1), "capacity: negative value -1"),
        (lambda: Vehicle("v", 0, 0, (0, 10), max_duration=0), "max_duration: 0 is below"),
        (
            lambda: Vehicle("v", 0, 0, (100, 200), lunch=Break(30, TimeWindow(300, 400))),
            "lunch.window: [300, 400] starts outside the shift [100, 200]",
        ),
        (lambda: TimeWindow(0, MAX_VALUE + 1), f"end: {MAX_VALUE + 1} is above the maximum"),
    ],
)
def test_bad_values_are_named(build, message: str) -> None:  # type: ignore[no-untyped-def]
    """Each bad value fails in its constructor, naming field and value."""
    with pytest.raises(InvalidProblemError) as error:
        build()
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"duration_matrix": np.zeros((2, 3))}, "duration_matrix: shape (2, 3) is not square"),
        ({"distance_matrix": np.zeros((3, 3))}, "distance_matrix: shape (3, 3) differs"),
        ({"duration_matrix": np.array([[0, -1], [1, 0]])}, "duration_matrix[0][1]: negative"),
        ({"duration_matrix": np.array([[0, 0.5], [1, 0]])}, "duration_matrix: holds fractions"),
        ({"duration_matrix": np.array([[0, np.nan], [1, 0]])}, "non-finite"),
        ({"jobs": (Job("a", 2, 10),)}, "jobs[0].location: location 2 out of range 0..1"),
        ({"jobs": (Job("a", 1, 1), Job("a", 1, 1))}, "jobs[1].id: duplicate id 'a'"),
        (
            {"vehicles": (Vehicle("v1", 0, 5, (0, 9)),)},
            "vehicles[0].end: location 5 out of range",
        ),
        (
            {"jobs": (Job("a", 1, 1, pinned_vehicle="v9"),)},
            "jobs[0].pinned_vehicle: unknown vehicle 'v9'",
        ),
        (
            {"jobs": (Job("a", 1, 1, skills={"pool"}, pinned_vehicle="v1"),)},
            "jobs[0].pinned_vehicle: vehicle 'v1' lacks skill(s) ['pool']",
        ),
        (
            {"jobs": (Job("a", 1, 1, allowed_vehicles={"v7"}),)},
            "jobs[0].allowed_vehicles: unknown 'v7'",
        ),
        (
            {
                "jobs": (
                    Job("a", 1, 1, pinned_vehicle="v1", pinned_position=0),
                    Job("b", 1, 1, pinned_vehicle="v1", pinned_position=0),
                )
            },
            "jobs[1].pinned_position: position 0 on 'v1' already taken by jobs[0]",
        ),
        ({"locations": (Location("d", 0, 0),)}, "locations: 1 entries for a 2x2 matrix"),
    ],
)
def test_bad_problems_are_named(changes: dict, message: str) -> None:  # type: ignore[type-arg]
    """Cross-field problems are caught by ProblemData and name the path."""
    with pytest.raises(InvalidProblemError) as error:
        problem(**changes)
    assert message in str(error.value)


def test_invalid_problem_error_is_a_value_error() -> None:
    """Callers that catch ValueError also catch bad problems."""
    assert issubclass(InvalidProblemError, ValueError)


def test_windows_are_sorted() -> None:
    """Windows given out of order are stored in time order."""
    job = Job("a", 1, 5, windows=[(50, 60), (0, 10)])
    assert job.windows == (TimeWindow(0, 10), TimeWindow(50, 60))


def test_equality_compares_matrices() -> None:
    """Two problems with equal content are equal even though they hold arrays."""
    assert problem() == problem()
    assert problem() != problem(duration_matrix=np.array([[0, 6], [5, 0]]))


def test_vehicle_that_cannot_drive_home_is_rejected() -> None:
    """Start 0, end 1, 5 s apart, max_duration 4: even an empty day is impossible."""
    with pytest.raises(InvalidProblemError) as error:
        problem(vehicles=(Vehicle("v1", 0, 1, (0, 100), max_duration=4),))
    assert "vehicles[0]: the drive from start to end (5 s)" in str(error.value)
