"""When an agreement is due, as the generator reads the frequency columns.

The generator needs this to size the crews and to keep the as-is assignment from overloading
any crew-day in any week of a year, not only in the sample week. Its reading of the columns:

* `weekly` and `Nx_weekly`: every week, on each day of the day set, inside the season.
* `every_N_weeks`: weeks whose distance in weeks from the anchor date's week is a multiple of N.
* `monthly` / `every_N_months`: in months N apart from the anchor's month, the week holding
  the anchor's day of month (as `scheduling/recurrence.py` reads it). Anchors fall on days
  1-28, so every month has that day.

For week-based frequencies a phase is a week offset; for month-based ones it is the anchor date
itself (a visit date on the visit weekday), chosen among the first dates after the agreement's
start.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from .model import Agreement, Frequency

# The sample week is ISO 2026-W49: Monday 2026-11-30 to Sunday 2026-12-06.
SAMPLE_WEEK = (2026, 49)
HORIZON_START = dt.date.fromisocalendar(*SAMPLE_WEEK, 1)
HORIZON_WEEKS = 52  # capacity is checked for a whole year of weeks from the sample week


def in_season(day: dt.date, season: tuple[str, str] | None) -> bool:
    """True if `day` is inside an `MM-DD`..`MM-DD` season (which may wrap the new year)."""
    if season is None:
        return True
    md = f"{day.month:02d}-{day.day:02d}"
    start, end = season
    if start <= end:
        return start <= md <= end
    return md >= start or md <= end


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def phases(a: Agreement, weekday: int) -> list[object]:
    """The possible phases of agreement `a` visited on `weekday`."""
    freq = a.frequency
    if freq.kind == "every_N_weeks":
        return list(range(freq.n))
    if freq.kind != "every_N_months":
        return [None]
    # anchor candidates: visit-weekday dates (day 1-28, in season) in the first N months
    day = a.start_date + dt.timedelta(days=(weekday - a.start_date.weekday()) % 7)
    out: list[object] = []
    while len(out) < 4 * freq.n and (day - a.start_date).days < 800:
        if (
            day.day <= 28
            and in_season(day, a.season)
            and (a.phase_months is None or day.month in a.phase_months)
        ):
            out.append(day)
        day += dt.timedelta(days=7)
    return out


def matches_phase(freq: Frequency, phase: object, day: dt.date) -> bool:
    if freq.kind == "every_N_weeks":
        return ((day - HORIZON_START).days // 7) % freq.n == phase
    if freq.kind == "every_N_months":
        anchor: dt.date = phase  # type: ignore[assignment]
        monday = week_start(day)
        for offset in range(7):
            d = monday + dt.timedelta(days=offset)
            months = (d.year - anchor.year) * 12 + (d.month - anchor.month)
            if months % freq.n == 0 and week_start(d.replace(day=anchor.day)) == monday:
                return True
        return False
    return True


def is_due(a: Agreement, day: dt.date, phase: object) -> bool:
    """Would agreement `a`, visited on `day`'s weekday with `phase`, have a visit on `day`?"""
    if a.status != "active" or day < a.start_date:
        return False
    if a.end_date is not None and day > a.end_date:
        return False
    return in_season(day, a.season) and matches_phase(a.frequency, phase, day)


def due_weeks(a: Agreement, weekday: int, phase: object) -> np.ndarray:
    """Boolean vector over the horizon's weeks: is there a visit on `weekday` of week w?"""
    weeks: range | list[int] = range(HORIZON_WEEKS)
    if a.frequency.kind == "every_N_months":  # the month's target weeks only: much faster
        anchor: dt.date = phase  # type: ignore[assignment]
        weeks = []
        for k in range(-1, HORIZON_WEEKS // 4 + 2):
            y, m = divmod(HORIZON_START.month - 1 + k, 12)
            target = dt.date(HORIZON_START.year + y, m + 1, anchor.day)
            w = (week_start(target) - HORIZON_START).days // 7
            if 0 <= w < HORIZON_WEEKS:
                weeks.append(w)
    vec = np.zeros(HORIZON_WEEKS, dtype=bool)
    for w in weeks:
        vec[w] = is_due(a, HORIZON_START + dt.timedelta(days=7 * w + weekday), phase)
    return vec


def anchor_date(a: Agreement) -> dt.date:
    """The first visit date on or after the agreement's start: what `anchor_date` records."""
    if a.frequency.kind == "every_N_months":
        return a.phase  # type: ignore[return-value]
    day = a.start_date
    weekday = a.current_days[0]
    day += dt.timedelta(days=(weekday - day.weekday()) % 7)
    for _ in range(800):
        if in_season(day, a.season) and matches_phase(a.frequency, a.phase, day):
            return day
        day += dt.timedelta(days=7)
    raise RuntimeError(f"no anchor date for {a.agreement_id}")
