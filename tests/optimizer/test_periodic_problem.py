"""Validation of the weekly planner's input: bad values fail naming the field."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer import ConsistencyWeights, Crew, InvalidProblemError, PeriodicJob, PeriodicProblem

M = np.array([[0, 10], [10, 0]])
WEEK = {d: (8 * 3600, 16 * 3600) for d in range(5)}


def job(**kw: object) -> PeriodicJob:
    base: dict = {"id": "j", "location": 1, "service": 60, "patterns": (frozenset({0}),)}
    base.update(kw)
    return PeriodicJob(**base)


def problem(crews: tuple = (), jobs: tuple = (), **kw: object) -> PeriodicProblem:
    crews = crews or (Crew("A", 0, 0, shifts=WEEK),)
    return PeriodicProblem(M, M, crews, jobs, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: job(patterns=()), "patterns"),
        (lambda: job(patterns=(frozenset(),)), "patterns[0]"),
        (lambda: job(patterns=(frozenset({0}), frozenset({1, 2}))), "patterns[1]"),
        (lambda: job(patterns=(frozenset({0}), frozenset({0}))), "patterns[1]"),
        (lambda: job(patterns=(frozenset({29}),)), "patterns[0]"),
        (lambda: job(pinned_day_crew=(1, 2, 3)), "pinned_day_crew"),
        (lambda: job(previous=((0, "A"), (0, "B"))), "previous"),
        (lambda: job(service=-1), "service"),
        (lambda: Crew("A@1", 0, 0), "id"),
        (lambda: Crew("A", 0, 0, shifts={30: (0, 10)}), "shifts[30]"),
        (lambda: Crew("A", 0, 0, shifts={0: (10, 0)}), "shifts[0]"),
        (lambda: ConsistencyWeights(same_crew=-1), "same_crew"),
    ],
)
def test_bad_values_name_their_field(make, field: str) -> None:
    """Each malformed value raises InvalidProblemError whose field path is the value's."""
    with pytest.raises(InvalidProblemError) as error:
        make()
    assert error.value.field == field


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"jobs": (job(patterns=(frozenset({5}),)),)}, "jobs[0].patterns[0]"),
        ({"jobs": (job(), job())}, "jobs[1].id"),
        ({"jobs": (job(location=2),)}, "jobs[0].location"),
        ({"jobs": (job(pinned_day_crew=(None, "Z")),)}, "jobs[0].pinned_day_crew[1]"),
        ({"jobs": (job(pinned_day_crew=(3, None)),)}, "jobs[0].pinned_day_crew[0]"),
        ({"jobs": (job(preferred_crew="Z"),)}, "jobs[0].preferred_crew"),
        ({"crews": (Crew("A", 0, 0), Crew("A", 0, 0))}, "crews[1].id"),
        ({"crews": (Crew("A", 0, 0, shifts={6: (0, 9)}),)}, "crews[0].shifts[6]"),
        ({"days": 0}, "days"),
        ({"stability_budget": -1}, "stability_budget"),
    ],
)
def test_bad_references_name_their_path(kw: dict, field: str) -> None:
    """Cross-field errors carry the full path (jobs[i]..., crews[i]...)."""
    kw.setdefault("days", 5)
    with pytest.raises(InvalidProblemError) as error:
        problem(**kw)
    assert error.value.field == field


def test_visits_is_the_pattern_size() -> None:
    """A twice-a-week job has two visits; previous is stored sorted by day."""
    item = job(patterns=(frozenset({0, 3}), frozenset({1, 4})), previous=((4, "A"), (1, "A")))
    assert item.visits == 2
    assert item.previous == ((1, "A"), (4, "A"))
