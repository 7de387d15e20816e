"""Typed parsing and canonical formatting of single CSV cells (see ``data/README.md``).

Every ``parse_*`` function takes the stripped text of one non-empty cell and either returns a
typed value or raises :class:`CellError` whose message is the reason a dispatcher reads after
"row 7, column lat: ". Every ``format_*`` function writes the canonical form back, so that
``parse(format(x)) == x``: export followed by import changes nothing.

These functions know nothing about files, rows or the database; that keeps them small enough
to test exhaustively (and by property) on their own.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from crm.agreements import FrequencyUnit
from crm.catalog import SKILLS, WEEKDAYS

E = TypeVar("E", bound=enum.Enum)

MAX_VISITS_PER_WEEK = 6
"""``Nx_weekly`` allows N = 2..6: a seventh visit would leave the week no day without work."""

MAX_WEEK_INTERVAL = 52
MAX_MONTH_INTERVAL = 12


class CellError(ValueError):
    """A cell that cannot be read; ``str(error)`` is the reason shown to the user."""


# --------------------------------------------------------------------------- plain values


def parse_text(text: str, max_len: int) -> str:
    """Free text up to the length of its database column (PostgreSQL would refuse more)."""
    if len(text) > max_len:
        raise CellError(f"is {len(text)} characters long, at most {max_len} are allowed")
    return text


def parse_int(text: str, lo: int | None = None, hi: int | None = None) -> int:
    """A whole number, optionally inside ``[lo, hi]``."""
    if not re.fullmatch(r"[+-]?\d+", text):
        raise CellError(f"{text!r} is not a whole number")
    value = int(text)
    if lo is not None and hi is not None and not lo <= value <= hi:
        raise CellError(f"{value} is out of range [{lo}, {hi}]")
    if lo is not None and value < lo:
        raise CellError(f"{value} must be at least {lo}")
    if hi is not None and value > hi:
        raise CellError(f"{value} must be at most {hi}")
    return value


def parse_positive_int(text: str, hi: int) -> int:
    """A count of minutes or similar: negative and zero values are typos, not data."""
    value = parse_int(text)
    if value <= 0:
        raise CellError(f"{value} must be positive")
    if value > hi:
        raise CellError(f"{value} must be at most {hi}")
    return value


def parse_coordinate(text: str, limit: float) -> float:
    """Decimal degrees inside ``[-limit, limit]`` (90 for latitude, 180 for longitude)."""
    try:
        value = float(text)
    except ValueError:
        raise CellError(f"{text!r} is not a number (use decimal degrees, e.g. 27.9506)") from None
    if not math.isfinite(value):
        raise CellError(f"{text!r} is not a number (use decimal degrees, e.g. 27.9506)")
    if not -limit <= value <= limit:
        raise CellError(f"{text} is out of range [-{limit:g}, {limit:g}]")
    return value


def parse_lat(text: str) -> float:
    return parse_coordinate(text, 90.0)


def parse_lon(text: str) -> float:
    return parse_coordinate(text, 180.0)


def format_float(value: float | None) -> str:
    """The shortest text that reads back as the same float."""
    return "" if value is None else repr(float(value))


_MONEY = re.compile(r"-?\d+(\.\d{1,2})?")
_MONEY_MAX = Decimal("9999999999.99")  # Numeric(12, 2)


def parse_money(text: str) -> Decimal:
    """A non-negative amount with at most two decimals (``45`` and ``45.00`` are the same)."""
    if not _MONEY.fullmatch(text):
        raise CellError(f"{text!r} is not an amount of money (use e.g. 45.00)")
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already rules this out
        raise CellError(f"{text!r} is not an amount of money (use e.g. 45.00)") from None
    if value < 0:
        raise CellError(f"{text} is negative")
    if value > _MONEY_MAX:
        raise CellError(f"{text} is too large (at most {_MONEY_MAX})")
    return value


def format_money(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"


def parse_choice(text: str, enum_cls: type[E]) -> E:
    """A member of a string-valued enum, case-insensitively by value."""
    wanted = text.lower()
    for member in enum_cls:
        if member.value == wanted:
            return member
    options = ", ".join(str(m.value) for m in enum_cls)
    raise CellError(f"{text!r} is not one of {options}")


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def parse_email(text: str, max_len: int) -> str:
    """Only the shape is checked (something@domain.tld): deliverability is the mail server's job."""
    if not _EMAIL.fullmatch(text):
        raise CellError(f"{text!r} is not an e-mail address")
    return parse_text(text, max_len)


_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def parse_colour(text: str) -> str:
    """``#rrggbb``, kept as written: changing its case would make a re-import an update."""
    if not _COLOUR.fullmatch(text):
        raise CellError(f"{text!r} is not a colour (use #rrggbb, e.g. #4c78a8)")
    return text


def parse_list(text: str) -> list[str]:
    """Values joined by ``;``; blanks around and between them are dropped."""
    return [part.strip() for part in text.split(";") if part.strip()]


def format_list(values: Iterable[str]) -> str:
    return ";".join(values)


def parse_skills(text: str) -> list[str]:
    """A ``;`` list from the fixed skill vocabulary, in the given order, without repeats."""
    skills: list[str] = []
    for part in parse_list(text):
        skill = part.lower()
        if skill not in SKILLS:
            raise CellError(f"unknown skill {part!r} (use {', '.join(sorted(SKILLS))})")
        if skill not in skills:
            skills.append(skill)
    return skills


# --------------------------------------------------------------------------- dates and times

_TIME = re.compile(r"(\d{1,2}):(\d{2})")


def parse_time(text: str) -> int:
    """``HH:MM`` (24-hour) -> minutes after midnight."""
    match = _TIME.fullmatch(text)
    if not match:
        raise CellError(f"{text!r} is not a time of day (use HH:MM, e.g. 07:30)")
    hours, minutes = int(match[1]), int(match[2])
    if hours > 23 or minutes > 59:
        raise CellError(f"{text!r} is not a time of day (use HH:MM from 00:00 to 23:59)")
    return hours * 60 + minutes


def format_time(minutes: int | None) -> str:
    return "" if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` only: other spellings (``01/03/2026``) are ambiguous across countries."""
    if not _DATE.fullmatch(text):
        raise CellError(f"{text!r} is not a date (use YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CellError(f"{text!r} is not a date of the calendar") from None


def format_date(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


_DAY_OF_YEAR = re.compile(r"(\d{2})-(\d{2})")


def parse_day_of_year(text: str) -> str:
    """``MM-DD``; checked against a leap year so that ``02-29`` is accepted."""
    match = _DAY_OF_YEAR.fullmatch(text)
    if not match:
        raise CellError(f"{text!r} is not a day of the year (use MM-DD, e.g. 03-15)")
    try:
        dt.date(2000, int(match[1]), int(match[2]))
    except ValueError:
        raise CellError(f"{text!r} is not a day of the year") from None
    return text


# --------------------------------------------------------------------------- weekdays


def parse_weekday(text: str) -> int:
    """``Thu`` (any case) -> 3."""
    for i, day in enumerate(WEEKDAYS):
        if text.strip().lower() == day.lower():
            return i
    raise CellError(f"{text!r} is not a weekday (use {', '.join(WEEKDAYS)})")


def format_weekday(day: int | None) -> str:
    return "" if day is None else WEEKDAYS[day]


def parse_weekday_set(text: str) -> list[int]:
    """``Thu+Mon`` -> ``[0, 3]``: sorted, because a set of days has no order."""
    days: list[int] = []
    for part in text.split("+"):
        if not part.strip():
            raise CellError(f"{text!r} has an empty weekday (join days with +, e.g. Mon+Thu)")
        day = parse_weekday(part)
        if day in days:
            raise CellError(f"{text!r} names {WEEKDAYS[day]} twice")
        days.append(day)
    return sorted(days)


def format_weekday_set(days: Sequence[int]) -> str:
    return "+".join(WEEKDAYS[d] for d in sorted(days))


def parse_patterns(text: str) -> list[list[int]]:
    """``Mon+Thu|Tue+Fri`` -> ``[[0, 3], [1, 4]]``; the order of patterns is kept."""
    patterns: list[list[int]] = []
    for part in text.split("|"):
        if not part.strip():
            raise CellError(f"{text!r} has an empty pattern (join patterns with |)")
        pattern = parse_weekday_set(part.strip())
        if pattern in patterns:
            raise CellError(f"{text!r} lists the pattern {format_weekday_set(pattern)} twice")
        patterns.append(pattern)
    return patterns


def format_patterns(patterns: Sequence[Sequence[int]]) -> str:
    return "|".join(format_weekday_set(p) for p in patterns)


def spacing(days: Sequence[int]) -> int:
    """Least number of days between two visits of the same week (7 for a single visit)."""
    ordered = sorted(days)
    return min((b - a for a, b in zip(ordered, ordered[1:], strict=False)), default=7)


def max_spaced_visits(working_days: Iterable[int], min_spacing: int) -> int:
    """How many visits fit into ``working_days`` at least ``min_spacing`` days apart (greedy)."""
    count, last = 0, None
    for day in sorted(set(working_days)):
        if last is None or day - last >= min_spacing:
            count, last = count + 1, day
    return count


# --------------------------------------------------------------------------- frequency


@dataclass(frozen=True)
class Frequency:
    """``unit``/``interval``/``visits_per_week`` as stored on :class:`crm.agreements.Agreement`."""

    unit: FrequencyUnit
    interval: int = 1
    visits_per_week: int = 1


_FREQUENCY_ALIASES = {
    "weekly": Frequency(FrequencyUnit.WEEK),
    "biweekly": Frequency(FrequencyUnit.WEEK, 2),
    "fortnightly": Frequency(FrequencyUnit.WEEK, 2),
    "monthly": Frequency(FrequencyUnit.MONTH),
    "quarterly": Frequency(FrequencyUnit.MONTH, 3),
}
_FREQUENCY_FORMS = "weekly, Nx_weekly, every_N_weeks, biweekly, monthly, every_N_months, quarterly"


def parse_frequency(text: str) -> Frequency:
    """``2x_weekly``, ``every_2_weeks``, ``quarterly``... (case-insensitive)."""
    key = text.strip().lower()
    if key in _FREQUENCY_ALIASES:
        return _FREQUENCY_ALIASES[key]
    if match := re.fullmatch(r"(\d+)x_weekly", key):
        n = int(match[1])
        if n == 1:
            return Frequency(FrequencyUnit.WEEK)
        if not 2 <= n <= MAX_VISITS_PER_WEEK:
            raise CellError(
                f"{text!r}: a week cannot hold {n} visits of one agreement "
                f"(Nx_weekly takes N = 2..{MAX_VISITS_PER_WEEK})"
            )
        return Frequency(FrequencyUnit.WEEK, 1, n)
    if match := re.fullmatch(r"every_(\d+)_weeks?", key):
        n = int(match[1])
        if not 1 <= n <= MAX_WEEK_INTERVAL:
            raise CellError(f"{text!r}: N must be 1..{MAX_WEEK_INTERVAL}")
        return Frequency(FrequencyUnit.WEEK, n)
    if match := re.fullmatch(r"every_(\d+)_months?", key):
        n = int(match[1])
        if not 1 <= n <= MAX_MONTH_INTERVAL:
            raise CellError(f"{text!r}: N must be 1..{MAX_MONTH_INTERVAL}")
        return Frequency(FrequencyUnit.MONTH, n)
    raise CellError(f"{text!r} is not a frequency (use {_FREQUENCY_FORMS})")


def format_frequency(freq: Frequency) -> str:
    """The canonical spelling: ``weekly``, ``2x_weekly``, ``every_2_weeks``, ``monthly``..."""
    if freq.unit is FrequencyUnit.MONTH:
        return "monthly" if freq.interval == 1 else f"every_{freq.interval}_months"
    if freq.interval > 1:
        return f"every_{freq.interval}_weeks"
    return "weekly" if freq.visits_per_week == 1 else f"{freq.visits_per_week}x_weekly"


# --------------------------------------------------------------------------- shifts

Shifts = dict[int, tuple[int, int]]
"""weekday -> (start, end) in minutes after midnight."""

_SHIFT = re.compile(r"(?P<days>[A-Za-z+\- ]+?)\s+(?P<start>\S+?)\s*-\s*(?P<end>\S+)")


def _parse_shift_days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.replace(" ", "").split("+"):
        if "-" in part:
            first, _, last = part.partition("-")
            a, b = parse_weekday(first), parse_weekday(last)
            if b < a:
                raise CellError(
                    f"day range {part!r} runs backwards (write it as two parts, e.g. Mon-Fri;Sun)"
                )
            days.extend(range(a, b + 1))
        else:
            days.append(parse_weekday(part))
    return days


def parse_shifts(text: str) -> Shifts:
    """``Mon-Fri 07:30-16:00;Sat 08:00-12:00`` -> ``{0: (450, 960), ..., 5: (480, 720)}``."""
    shifts: Shifts = {}
    for part in parse_list(text):
        match = _SHIFT.fullmatch(part)
        if not match:
            raise CellError(
                f"{part!r} is not a shift (use e.g. Mon-Fri 07:30-16:00;Sat 08:00-12:00)"
            )
        days = _parse_shift_days(match["days"])
        start, end = parse_time(match["start"]), parse_time(match["end"])
        if end <= start:
            raise CellError(
                f"shift {part!r} ends at {format_time(end)}, not after it starts "
                f"at {format_time(start)}"
            )
        for day in days:
            if day in shifts:
                raise CellError(f"{WEEKDAYS[day]} has two shifts in {text!r}")
            shifts[day] = (start, end)
    if not shifts:
        raise CellError("no working day given")
    return dict(sorted(shifts.items()))


def format_shifts(shifts: Shifts) -> str:
    """Consecutive days with the same hours collapse into a range: ``Mon-Fri 07:30-16:00``."""
    parts: list[str] = []
    days = sorted(shifts)
    i = 0
    while i < len(days):
        j = i
        while (
            j + 1 < len(days)
            and days[j + 1] == days[j] + 1
            and shifts[days[j + 1]] == shifts[days[i]]
        ):
            j += 1
        label = WEEKDAYS[days[i]] if i == j else f"{WEEKDAYS[days[i]]}-{WEEKDAYS[days[j]]}"
        start, end = shifts[days[i]]
        parts.append(f"{label} {format_time(start)}-{format_time(end)}")
        i = j + 1
    return ";".join(parts)
