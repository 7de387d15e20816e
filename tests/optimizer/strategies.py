"""Hypothesis strategies for small random routing problems."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from optimizer import Break, Job, ProblemData, TimeWindow, Vehicle

SKILLS = ("ladder", "pool")


@st.composite
def windows(draw: st.DrawFn) -> list[TimeWindow]:
    count = draw(st.integers(0, 2))
    cuts = sorted(draw(st.lists(st.integers(0, 400), min_size=2 * count, max_size=2 * count,
                                unique=True)))  # fmt: skip
    return [TimeWindow(cuts[2 * i], cuts[2 * i + 1]) for i in range(count)]


def _usable(vehicle: Vehicle, matrix: np.ndarray) -> bool:
    """Keep vehicles whose empty day fits (others are rejected by ProblemData, by design)."""
    travel = int(matrix[vehicle.start, vehicle.end])
    limit = vehicle.shift.end - vehicle.shift.start
    if vehicle.max_duration is not None:
        limit = min(limit, vehicle.max_duration)
    lunch = vehicle.lunch.duration if vehicle.lunch else 0
    return travel + lunch <= limit


@st.composite
def problems(draw: st.DrawFn, max_jobs: int = 7) -> ProblemData:
    """2-8 locations on a grid (Manhattan seconds), 1-3 vehicles, 0-``max_jobs`` jobs."""
    n_loc = draw(st.integers(2, 8))
    points = np.array(draw(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)),
                                    min_size=n_loc, max_size=n_loc)))  # fmt: skip
    matrix = np.abs(points[:, None, :] - points[None, :, :]).sum(axis=2)
    vehicles = []
    for k in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, 250))
        end = start + draw(st.integers(50, 300))
        lunch = None
        if draw(st.booleans()):
            at = draw(st.integers(start, end))
            lunch = Break(draw(st.integers(0, 20)), TimeWindow(at, at + draw(st.integers(0, 40))))
        vehicles.append(
            Vehicle(
                f"v{k}",
                draw(st.integers(0, n_loc - 1)),
                draw(st.integers(0, n_loc - 1)),
                TimeWindow(start, end),
                skills=draw(st.frozensets(st.sampled_from(SKILLS))),
                lunch=lunch,
                capacity=draw(st.none() | st.integers(0, 6)),
                max_duration=draw(st.none() | st.integers(20, 300)),
            )
        )
    vehicles = [v for v in vehicles if _usable(v, matrix)] or [
        Vehicle("v0", 0, 0, TimeWindow(0, 300))
    ]
    ids = [v.id for v in vehicles]
    jobs = []
    used_positions: set[tuple[str, int]] = set()
    for i in range(draw(st.integers(0, max_jobs))):
        skills = draw(st.frozensets(st.sampled_from(SKILLS), max_size=1))
        pinned = draw(st.none() | st.sampled_from(ids))
        if pinned is not None and not skills <= vehicles[ids.index(pinned)].skills:
            pinned = None
        position = None
        if pinned is not None and draw(st.booleans()):
            position = draw(st.integers(0, 2))
            if (pinned, position) in used_positions:
                position = None
            else:
                used_positions.add((pinned, position))
        jobs.append(
            Job(
                f"j{i}",
                draw(st.integers(0, n_loc - 1)),
                draw(st.integers(0, 30)),
                windows=draw(windows()),
                skills=skills,
                demand=draw(st.integers(0, 3)),
                priority=draw(st.integers(1, 5)),
                pinned_vehicle=pinned,
                pinned_position=position,
                allowed_vehicles=draw(st.none() | st.frozensets(st.sampled_from(ids), min_size=1)),
            )
        )
    return ProblemData(matrix, matrix * 7, tuple(vehicles), tuple(jobs))
