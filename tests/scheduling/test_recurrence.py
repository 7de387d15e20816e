"""Expansion of recurring agreements into weekly visit requests."""

from __future__ import annotations

import calendar
import datetime as dt
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.recurrence import (
    Calendar,
    RecurrenceRule,
    expand,
    expand_week,
    in_season,
    week_start,
)

MON = dt.date(2026, 11, 30)  # ISO week 2026-W49
THANKSGIVING_WEEK = dt.date(2026, 11, 23)
THANKSGIVING = dt.date(2026, 11, 26)

weekday_sets = st.frozensets(st.integers(0, 6), min_size=1, max_size=3)


@st.composite
def rules(draw: st.DrawFn) -> RecurrenceRule:
    unit = draw(st.sampled_from(["week", "month"]))
    if unit == "month":
        days = draw(st.lists(st.integers(0, 6), max_size=3, unique=True))
        return RecurrenceRule(
            unit="month",
            interval=draw(st.integers(1, 4)),
            day_patterns=tuple(frozenset({d}) for d in days),
            anchor=draw(st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31))),
        )
    k = draw(st.integers(1, 3))
    patterns = draw(
        st.lists(st.frozensets(st.integers(0, 6), min_size=k, max_size=k), max_size=3, unique=True)
    )
    season = draw(st.none() | st.tuples(st.sampled_from(["01-15", "03-01", "11-01"]),
                                        st.sampled_from(["02-28", "10-31", "12-15"])))
    return RecurrenceRule(
        unit="week",
        interval=draw(st.integers(1, 4)),
        visits_per_period=k,
        day_patterns=tuple(patterns),
        min_spacing_days=draw(st.integers(0, 2)),
        anchor=draw(st.none() | st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31))),
        season=season,
    )


@settings(max_examples=60, deadline=None)
@given(
    rule=rules(),
    weeks=st.integers(1, 8),
    first=st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)),
    workdays=st.frozensets(st.integers(0, 6), min_size=1),
    holidays=st.frozensets(st.dates(dt.date(2026, 1, 1), dt.date(2028, 3, 31)), max_size=20),
)
def test_expand_only_allowed_days_inside_the_week(rule, weeks, first, workdays, holidays):
    """Every date offered lies in its week, on a working day, in season, not on a holiday,
    with as many dates as visits and the required spacing; impossible weeks carry a reason."""
    cal = Calendar(workdays=workdays, holidays=holidays)
    monday = week_start(first)
    requests = expand("a1", rule, monday, weeks, cal)
    for req in requests:
        assert monday <= req.week_start < monday + dt.timedelta(weeks=weeks)
        assert req.count == rule.visits_per_period
        assert (req.reason is None) == bool(req.patterns)
        for pattern in req.patterns:
            assert len(pattern) == req.count == len(set(pattern))
            for day in pattern:
                assert req.week_start <= day < req.week_start + dt.timedelta(days=7)
                assert day.weekday() in workdays
                assert day not in holidays
                assert in_season(day, rule.season)
            if rule.day_patterns and req.note is None:
                assert frozenset(d.weekday() for d in pattern) in rule.day_patterns
            if not rule.day_patterns and rule.unit == "week":
                assert all((b - a).days >= rule.min_spacing_days for a, b in pairwise(pattern))


@settings(max_examples=40, deadline=None)
@given(rule=rules(), first=st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
def test_expand_interval_gives_one_due_week_in_n(rule, first):
    """Every-N-weeks work is due in exactly one week of any N consecutive weeks."""
    if rule.unit != "week" or rule.season is not None:
        return
    monday = week_start(first)
    due = expand("a1", rule, monday, rule.interval, Calendar(workdays=frozenset(range(7))))
    assert len(due) == 1


@settings(max_examples=40, deadline=None)
@given(
    anchor=st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    interval=st.sampled_from([1, 2, 3, 6]),
    year=st.integers(2026, 2028),
)
def test_expand_monthly_due_in_the_week_of_the_anchor_day(anchor, interval, year):
    """Monthly work is due once per due month: in the week holding the anchor's day of month
    (clamped to the month's length), so a year of weeks holds 12 / interval visits."""
    rule = RecurrenceRule(unit="month", interval=interval, anchor=anchor)
    first = week_start(dt.date(year, 1, 1))
    weeks = 53
    got = [r.week_start for r in expand("m", rule, first, weeks, Calendar(frozenset(range(7))))]
    expected = set()
    for y, m in [(y, m) for y in (year - 1, year, year + 1) for m in range(1, 13)]:
        if ((y - anchor.year) * 12 + m - anchor.month) % interval:
            continue
        last = calendar.monthrange(y, m)[1]
        monday = week_start(dt.date(y, m, min(anchor.day, last)))
        if first <= monday < first + dt.timedelta(weeks=weeks):
            expected.add(monday)
    assert len(got) == len(set(got))
    assert set(got) == expected


def test_expand_week_twice_weekly_avoids_holiday_pattern():
    """Mon+Thu is impossible in Thanksgiving week, so only Tue+Fri is offered."""
    rule = RecurrenceRule(
        visits_per_period=2, day_patterns=(frozenset({0, 3}), frozenset({1, 4})), min_spacing_days=2
    )
    req = expand_week("pool", rule, THANKSGIVING_WEEK, Calendar(holidays=frozenset({THANKSGIVING})))
    assert req.patterns == ((dt.date(2026, 11, 24), dt.date(2026, 11, 27)),)
    assert req.reason is None and req.note is None


def test_expand_week_moves_single_day_off_holiday():
    """A Thursday-only visit moves to the nearest free day (Friday wins the tie) with a note."""
    rule = RecurrenceRule(day_patterns=(frozenset({3}),))
    req = expand_week("lawn", rule, THANKSGIVING_WEEK, Calendar(holidays=frozenset({THANKSGIVING})))
    assert req.patterns == ((dt.date(2026, 11, 27),),)
    assert "holiday Thu 26 Nov" in req.note


def test_expand_week_all_holidays_keeps_the_visit_with_reason():
    """A visit due in a week of holidays is never dropped silently."""
    rule = RecurrenceRule()
    holidays = frozenset(MON + dt.timedelta(days=i) for i in range(5))
    req = expand_week("w", rule, MON, Calendar(holidays=holidays))
    assert req.count == 1 and req.patterns == ()
    assert "holiday" in req.reason


def test_expand_week_out_of_season_is_not_due():
    """Mowing with a March-October season has no visit in December."""
    rule = RecurrenceRule(season=("03-01", "10-31"))
    assert expand_week("m", rule, MON) is None


def test_in_season_wraps_the_new_year():
    """A November-February season includes January and excludes June."""
    assert in_season(dt.date(2027, 1, 10), ("11-01", "02-28"))
    assert not in_season(dt.date(2027, 6, 10), ("11-01", "02-28"))


def test_expand_biweekly_phase_follows_anchor():
    """Every-2-weeks work anchored on W49 is due in W49 and W51, not W50."""
    rule = RecurrenceRule(interval=2, anchor=dt.date(2026, 12, 2))
    weeks = [r.week_start for r in expand("b", rule, MON, 3)]
    assert weeks == [MON, MON + dt.timedelta(weeks=2)]


def test_expand_skips_and_extras():
    """A skipped week yields nothing; an extra date yields a fixed one-off visit."""
    rule = RecurrenceRule()
    extra = MON + dt.timedelta(days=9)
    requests = expand("x", rule, MON, 2, skipped_weeks=[MON], extra_dates=[extra])
    assert [(r.week_start, r.extra) for r in requests] == [
        (MON + dt.timedelta(weeks=1), False),
        (MON + dt.timedelta(weeks=1), True),
    ]
    assert requests[1].patterns == ((extra,),)


def test_rule_rejects_pattern_of_wrong_size():
    """A twice-weekly rule with a one-day pattern is rejected naming the field."""
    with pytest.raises(ValueError, match="day_patterns"):
        RecurrenceRule(visits_per_period=2, day_patterns=(frozenset({1}),))


def test_expand_week_rejects_non_monday():
    """Weeks start on Monday."""
    with pytest.raises(ValueError, match="monday"):
        expand_week("x", RecurrenceRule(), MON + dt.timedelta(days=1))
