"""Narrowing a job's day patterns for a re-plan: pinned visits, days already gone, deferred work.

Pure functions over the planner's :class:`~optimizer.periodic.PeriodicJob`, used by the
builder (the one place that turns rows into planner data) when a re-solve keeps a
dispatcher's pins, a bad-day re-plan keeps the days already done, or last week's deferred
visits come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations

from optimizer.periodic import PeriodicJob


def with_extra_visits(job: PeriodicJob, extra: int, monday: int) -> PeriodicJob:
    """``job`` with ``extra`` more visits on other days of its week (deferred work)."""
    week = range(monday, monday + 7)
    patterns = {p | frozenset(c) for p in job.patterns
                for c in combinations([d for d in week if d not in p], extra)}  # fmt: skip
    if not patterns:
        return job
    return replace(job, patterns=tuple(sorted(patterns, key=sorted)))


def day_of(pin: tuple[int, str | None]) -> int:
    """The day of a (day, crew) pin: pins sort by day (a crew may be None)."""
    return pin[0]


def pinned_job(
    job: PeriodicJob,
    pins: Sequence[tuple[int, str | None]],
    first_free: int,
    monday: int,
    open_days: frozenset[int],
) -> tuple[PeriodicJob | None, int]:
    """``job`` with its pinned visits kept on their days and crew, and its other visits on
    ``open_days`` (days its crew, or any crew, works) from ``first_free`` (a day index) on;
    also how many of its visits found no day left.

    Patterns holding every pinned day are kept; when none does (the dispatcher moved a visit
    off its pattern, or the pattern's other day is lost), the pinned days are completed with
    the job's other allowed days, then with any day of its week. Without any, the job keeps
    only its pinned visits (None when it has none).
    """
    days = frozenset(d for d, _ in pins)
    count = max(job.visits, len(days))

    def usable(day: int) -> bool:
        return day in days or (day >= first_free and day in open_days)

    patterns = [p for p in job.patterns if days <= p and all(usable(d) for d in p)]
    if not patterns:
        allowed = sorted({d for p in job.patterns for d in p} - days)
        week = [d for d in range(monday, monday + 7) if d not in days and d not in allowed]
        for pool in (allowed, allowed + week):
            pool = [d for d in pool if usable(d)]
            patterns = [days | frozenset(c) for c in combinations(pool, count - len(days))]
            if patterns:
                break
    missing = 0
    if not patterns:
        if not days:
            return None, job.visits
        patterns, missing = [days], count - len(days)
    by_day = sorted(pins, key=day_of)
    crews = [c for _, c in by_day if c is not None]
    previous = {**dict(job.previous), **{d: c for d, c in by_day if c is not None}}
    pinned = replace(
        job,
        patterns=tuple(dict.fromkeys(patterns)),
        pinned_day_crew=(None, crews[0]) if crews else job.pinned_day_crew,
        previous=tuple(previous.items()),
    )
    return pinned, missing
