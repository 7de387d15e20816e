"""Regional groups of crews, so that a big day is routed as several small core models.

One OR-Tools model of a whole day stops working somewhere between the 1,001-visit
week (~200 visits and 32 crews a day: routed well in one model) and the
5,152-visit week (~1,000 visits and up to 161 crews a day: a cold search dropped
every visit within 8 s, 254 of 5,152 visits placed at 60 s). Above a size rule
the crews of a day are split into regions by recursive bisection over their
yards, each visit goes to the region of the crew the planner gave it, and each
region is routed as its own model. Visits cannot move between regions inside
OR-Tools; the planner's pattern search still moves them between any crews.
"""

from __future__ import annotations

import math

import numpy as np

from optimizer.periodic.plan import Plan

SPLIT_DAY_VISITS = 400
"""A group is split when one of its days has more visits than this (the 1,001-visit week
has ~200 a day and routes well whole; a day of ~1,000 did not)."""

SPLIT_DAY_CREWS = 48
"""... or more working crews than this (32 a day route well whole; 161 did not)."""

REGION_CREWS = 14
"""Most crews in one region (a model of ~14 vehicles and ~100-150 visits finds its first
plan in well under a second)."""

REGION_DAY_VISITS = 150
"""Most visits a day in one region."""


def crew_regions(plan: Plan, days: list[int]) -> list[list[int]] | None:
    """Crew indices of each region of ``days``, or ``None`` when the group is routed whole.

    Deterministic: the bisection axis runs between the two crews whose yards
    are farthest apart (ties broken by crew order).
    """
    problem = plan.problem
    group = set(days)
    working = [c for c, crew in enumerate(problem.crews) if group & set(crew.shifts)]
    load = {c: 0 for c in working}
    per_day: dict[int, int] = {}
    for (day, c), route in plan.routes.items():
        if day in group and c in load:
            load[c] += len(route)
            per_day[day] = per_day.get(day, 0) + len(route)
    crews_a_day = max((sum(1 for c in working if d in problem.crews[c].shifts) for d in days),
                      default=0)  # fmt: skip
    if max(per_day.values(), default=0) <= SPLIT_DAY_VISITS and crews_a_day <= SPLIT_DAY_CREWS:
        return None
    return _bisect(plan, working, load, len(days))


def _bisect(plan: Plan, crews: list[int], load: dict[int, int], days: int) -> list[list[int]]:
    visits = sum(load[c] for c in crews) / days
    parts = max(math.ceil(len(crews) / REGION_CREWS), math.ceil(visits / REGION_DAY_VISITS))
    if parts <= 1 or len(crews) <= 1:
        return [crews]
    yard = [plan.problem.crews[c].start for c in crews]
    cost = plan.cost

    def apart(a: int, b: int) -> int:
        return int(cost[a, b]) + int(cost[b, a])

    a = max(range(len(crews)), key=lambda i: (apart(yard[0], yard[i]), -i))
    b = max(range(len(crews)), key=lambda i: (apart(yard[a], yard[i]), -i))
    along = [apart(yard[a], y) - apart(yard[b], y) for y in yard]
    order = sorted(range(len(crews)), key=lambda i: (along[i], i))
    weights = np.cumsum([load[crews[i]] + 1 for i in order])
    target = weights[-1] * (parts // 2) / parts  # the first half gets parts // 2 regions
    cut = int(np.searchsorted(weights, target)) + 1
    cut = min(max(cut, 1), len(order) - 1)
    left = sorted(crews[i] for i in order[:cut])
    right = sorted(crews[i] for i in order[cut:])
    return _bisect(plan, left, load, days) + _bisect(plan, right, load, days)
