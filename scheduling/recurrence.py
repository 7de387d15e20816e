"""Expand recurring agreements into the visits each week needs.

Pure functions over a small frozen rule, so the expansion can be property-tested without a
database. The result for one agreement and one week is a :class:`VisitRequest`: how many visits
are due and the sets of dates they may fall on (one date per visit). Choosing among those sets
is the planner's job; this module only says what is allowed.

A visit that is due but has no allowed date (say every allowed day is a holiday) is not
dropped: it comes back with no patterns and a ``reason`` the dispatcher sees.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

WEEK = dt.timedelta(days=7)
#: Phase origin for every-N-weeks work without an anchor date (a Monday).
EPOCH_MONDAY = dt.date(2001, 1, 1)
MONDAY_TO_FRIDAY = frozenset(range(5))


@dataclass(frozen=True)
class RecurrenceRule:
    """How often an agreement recurs, in calendar terms.

    Parameters
    ----------
    unit, interval
        ``("week", 1)`` weekly, ``("week", 2)`` every other week, ``("month", 3)`` quarterly.
    visits_per_period
        Visits in a due week (``2`` for twice-weekly pool service). Monthly work has one.
    day_patterns
        Allowed weekday sets (0 = Monday), each of ``visits_per_period`` days. Empty: any
        working days at least ``min_spacing_days`` apart.
    anchor
        A date with a visit. It fixes the phase of every-N-weeks work (the phase stays once
        chosen) and the week of the month of monthly work (the week holding that day of month).
    season
        ``("03-01", "11-30")``: visits only on these days of the year; may wrap the new year.
    """

    unit: Literal["week", "month"] = "week"
    interval: int = 1
    visits_per_period: int = 1
    day_patterns: tuple[frozenset[int], ...] = ()
    min_spacing_days: int = 0
    anchor: dt.date | None = None
    season: tuple[str, str] | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    def __post_init__(self) -> None:
        if self.unit not in ("week", "month"):
            raise ValueError(f"unit: {self.unit!r} is not 'week' or 'month'")
        if self.interval < 1:
            raise ValueError(f"interval: {self.interval} must be at least 1")
        if not 1 <= self.visits_per_period <= 7:
            raise ValueError(f"visits_per_period: {self.visits_per_period} is not in 1..7")
        if self.unit == "month" and self.visits_per_period != 1:
            raise ValueError("visits_per_period: monthly work has one visit per period")
        for pattern in self.day_patterns:
            if len(pattern) != self.visits_per_period:
                raise ValueError(
                    f"day_patterns: {sorted(pattern)} has {len(pattern)} days, "
                    f"expected {self.visits_per_period}"
                )
            if not pattern <= frozenset(range(7)):
                raise ValueError(f"day_patterns: {sorted(pattern)} holds a day outside 0..6")


@dataclass(frozen=True)
class VisitRequest:
    """The visits one agreement needs in one week.

    ``patterns`` are the allowed date sets, each with ``count`` dates in ascending order.
    Empty ``patterns`` with ``count > 0`` means due but impossible; ``reason`` says why.
    """

    agreement_id: str
    week_start: dt.date
    count: int
    patterns: tuple[tuple[dt.date, ...], ...]
    reason: str | None = None
    extra: bool = False
    note: str | None = None

    @property
    def dates(self) -> frozenset[dt.date]:
        """Every date that some allowed pattern uses."""
        return frozenset(d for p in self.patterns for d in p)


@dataclass(frozen=True)
class Calendar:
    """What the company works: weekdays with crews on shift, and holidays."""

    workdays: frozenset[int] = MONDAY_TO_FRIDAY
    holidays: frozenset[dt.date] = field(default_factory=frozenset)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def in_season(day: dt.date, season: tuple[str, str] | None) -> bool:
    """Whether ``day`` lies in a ``(MM-DD, MM-DD)`` season, which may wrap the new year."""
    if season is None:
        return True
    key = day.strftime("%m-%d")
    start, end = season
    return start <= key <= end if start <= end else key >= start or key <= end


def _monthly_target_week(rule: RecurrenceRule, monday: dt.date) -> bool:
    """Whether the monthly visit of some month falls in the week starting ``monday``.

    The visit of a month belongs to the week holding the anchor's day of month (clamped to the
    month's length), so every month gets exactly one due week however weeks straddle months.
    """
    anchor = rule.anchor or rule.start_date or EPOCH_MONDAY
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        months = (day.year - anchor.year) * 12 + (day.month - anchor.month)
        if months % rule.interval:
            continue
        last = calendar.monthrange(day.year, day.month)[1]
        target = dt.date(day.year, day.month, min(anchor.day, last))
        if week_start(target) == monday:
            return True
    return False


def is_due(rule: RecurrenceRule, monday: dt.date) -> bool:
    """Whether the week starting ``monday`` is one of the rule's weeks (before seasons)."""
    if rule.unit == "month":
        return _monthly_target_week(rule, monday)
    if rule.interval == 1:
        return True
    origin = week_start(rule.anchor) if rule.anchor else EPOCH_MONDAY
    return ((monday - origin).days // 7) % rule.interval == 0


def _weekday_sets(rule: RecurrenceRule, workdays: frozenset[int]) -> list[frozenset[int]]:
    """The rule's patterns, or every set of working days that keeps the spacing."""
    if rule.day_patterns:
        return list(rule.day_patterns)
    sets = []
    for combo in combinations(sorted(workdays), rule.visits_per_period):
        gaps = [b - a for a, b in zip(combo, combo[1:], strict=False)]
        if all(g >= rule.min_spacing_days for g in gaps):
            sets.append(frozenset(combo))
    return sets


def expand_week(
    agreement_id: str, rule: RecurrenceRule, monday: dt.date, cal: Calendar = Calendar()
) -> VisitRequest | None:
    """The visits ``rule`` needs in the week starting ``monday``, or None when none are due.

    A week is not due when the rule skips it (interval, month) or when the agreement is not in
    force or out of season on every working day of it. A due week whose patterns all hit a
    holiday keeps its count and gets a reason.
    """
    if monday.weekday() != 0:
        raise ValueError(f"monday: {monday} is a {monday:%A}")
    if not is_due(rule, monday):
        return None
    days = [monday + dt.timedelta(days=i) for i in range(7)]

    def in_force(day: dt.date) -> bool:
        return (
            (rule.start_date is None or day >= rule.start_date)
            and (rule.end_date is None or day <= rule.end_date)
            and in_season(day, rule.season)
        )

    if not any(in_force(d) and d.weekday() in cal.workdays for d in days):
        return None
    if rule.unit == "month":
        allowed_weekdays = {d for p in rule.day_patterns for d in p} or set(range(7))
        weekday_sets = [frozenset({wd}) for wd in sorted(allowed_weekdays & cal.workdays)]
    else:
        weekday_sets = _weekday_sets(rule, cal.workdays)

    patterns: set[tuple[dt.date, ...]] = set()
    blocked: list[tuple[dt.date, ...]] = []
    for weekdays in weekday_sets:
        dates = tuple(days[wd] for wd in sorted(weekdays))
        if not all(in_force(d) and d.weekday() in cal.workdays for d in dates):
            continue
        if any(d in cal.holidays for d in dates):
            blocked.append(dates)
            continue
        patterns.add(dates)
    reason = note = None
    if not patterns and blocked:
        workable = [d for d in days if in_force(d) and d.weekday() in cal.workdays]
        patterns = {m for p in blocked if (m := _move_off_holidays(p, workable, cal)) is not None}
        holidays = sorted({d for p in blocked for d in p if d in cal.holidays})
        listed = ", ".join(f"{d:%a %d %b}" for d in holidays)
        if patterns:
            note = f"moved off the holiday {listed}"
        else:
            reason = f"every allowed day of this week is a holiday ({listed})"
    elif not patterns:
        reason = "no allowed day pattern fits the working days of this week"
    return VisitRequest(
        agreement_id, monday, rule.visits_per_period, tuple(sorted(patterns)), reason, note=note
    )


def _move_off_holidays(
    pattern: tuple[dt.date, ...], workable: list[dt.date], cal: Calendar
) -> tuple[dt.date, ...] | None:
    """Replace each holiday in ``pattern`` by the nearest free working day of the same week.

    Ties go to the later day (work is rather done late than early); None when no day is free.
    """
    chosen = [d for d in pattern if d not in cal.holidays]
    for day in (d for d in pattern if d in cal.holidays):
        free = [w for w in workable if w not in cal.holidays and w not in chosen]
        if not free:
            return None
        chosen.append(min(free, key=lambda w: (abs((w - day).days), -w.toordinal())))
    return tuple(sorted(chosen))


def expand(
    agreement_id: str,
    rule: RecurrenceRule,
    first_monday: dt.date,
    weeks: int = 1,
    cal: Calendar = Calendar(),
    skipped_weeks: Iterable[dt.date] = (),
    extra_dates: Iterable[dt.date] = (),
) -> list[VisitRequest]:
    """Expand ``rule`` over ``weeks`` weeks from ``first_monday``.

    ``skipped_weeks`` (Mondays) are one-off skips or cancellations: that week's visits are not
    due. ``extra_dates`` are one-off extra visits on fixed dates inside the horizon.
    """
    skipped = set(skipped_weeks)
    horizon_end = first_monday + weeks * WEEK
    requests = []
    for i in range(weeks):
        monday = first_monday + i * WEEK
        if monday in skipped:
            continue
        request = expand_week(agreement_id, rule, monday, cal)
        if request is not None:
            requests.append(request)
    for day in sorted(extra_dates):
        if first_monday <= day < horizon_end:
            reason = "the extra visit falls on a holiday" if day in cal.holidays else None
            patterns = () if reason else ((day,),)
            requests.append(
                VisitRequest(agreement_id, week_start(day), 1, patterns, reason, extra=True)
            )
    return requests
