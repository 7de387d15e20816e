"""The JSON forms: strict problem parsing with JSON paths, and the output document."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from optimizer import InvalidProblemError, ProblemData, SolveResult, solve
from tests.optimizer.conftest import EXACT

DOCUMENT: dict[str, Any] = {
    "locations": [
        {"id": "depot", "lat": 27.95, "lon": -82.46},
        {"id": "smith", "lat": 27.96, "lon": -82.47},
        {"id": "jones", "lat": 27.94, "lon": -82.44},
    ],
    "vehicles": [
        {"id": "crew-1", "start": "depot", "end": 0, "shift": [28800, 61200],
         "skills": ["ladder"], "lunch": {"duration": 1800, "window": [41400, 46800]},
         "capacity": 10, "cost_per_hour": 4500},
    ],
    "jobs": [
        {"id": "smith-windows", "location": "smith", "service": 1800,
         "windows": [[32400, 43200]], "skills": ["ladder"], "priority": 4},
        {"id": "jones-pool", "location": 2, "service": 2700, "demand": 2},
    ],
}  # fmt: skip


def test_locations_without_matrices_get_haversine_matrices() -> None:
    """Matrices may be left out when locations are given; ids may replace indices."""
    data = ProblemData.from_dict(DOCUMENT)
    assert data.duration_matrix.shape == (3, 3)
    assert data.vehicles[0].start == 0 and data.jobs[0].location == 1
    assert data.duration_matrix[0, 1] > 0


def test_problem_round_trip_keeps_matrices() -> None:
    """to_dict writes the matrices, so from_dict(to_dict(x)) == x."""
    data = ProblemData.from_dict(DOCUMENT)
    assert ProblemData.from_dict(data.to_dict()) == data


def mutate(path: list[Any], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENT)
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["jobs", 1, "windows"], [[200, 100]], "jobs[1].windows[0]: end 100 before start 200"),
        (["jobs", 0, "service"], -60, "jobs[0].service: negative value -60"),
        (["jobs", 0, "service"], "30", "jobs[0].service: expected an integer, got '30'"),
        (["jobs", 0, "sevice"], 30, "jobs[0]: unknown field 'sevice'"),
        (["jobs", 1, "location"], "nowhere", "jobs[1].location: unknown location 'nowhere'"),
        (["jobs", 1, "pinned_vehicle"], "crew-9", "jobs[1].pinned_vehicle: unknown vehicle"),
        (["vehicles", 0, "shift"], [100], "vehicles[0].shift: expected [start, end]"),
        (["vehicles", 0, "lunch", "window"], [9, 1], "vehicles[0].lunch.window: end 1 before"),
        (["locations", 2, "lat"], float("nan"), "locations[2].lat: nan is not within"),
        (["vehicles"], {}, "vehicles: expected a list"),
    ],
)
def test_bad_documents_name_the_json_path(path: list[Any], value: Any, message: str) -> None:
    """Every error message starts with the JSON path of the bad value."""
    with pytest.raises(InvalidProblemError) as error:
        ProblemData.from_dict(mutate(path, value))
    assert message in str(error.value)


def test_wrong_matrix_shape_is_named() -> None:
    """A matrix row too short is a shape error naming the matrix."""
    document = {"duration_matrix": [[0, 1], [1]], "distance_matrix": [[0, 1], [1, 0]],
                "vehicles": [], "jobs": []}  # fmt: skip
    with pytest.raises(InvalidProblemError, match="duration_matrix"):
        ProblemData.from_dict(document)


def test_output_document_is_vroom_shaped() -> None:
    """status/code, summary, routes[].steps[] (start, jobs, break, end), unassigned[]."""
    data = ProblemData.from_dict(DOCUMENT)
    document = solve(data, EXACT).to_dict()
    assert document["status"] == "feasible" and document["code"] == 1
    assert document["summary"]["routes"] == 1
    steps = document["routes"][0]["steps"]
    assert steps[0]["type"] == "start" and steps[-1]["type"] in ("end", "break")
    assert {s["type"] for s in steps} == {"start", "job", "break", "end"}
    assert [s["job"] for s in steps if s["type"] == "job"] != []
    assert document["unassigned"] == []
    assert SolveResult.from_dict(document).to_dict() == document
