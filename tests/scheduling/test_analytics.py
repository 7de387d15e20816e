"""Owner analytics arithmetic: paid, service and drive time, utilization, revenue per hour.

A fixed return leg makes every figure hand-computable; the arithmetic is in the comments.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from optimizer import Location
from scheduling.analytics import (
    CrewInfo,
    VisitFact,
    crew_day,
    crew_summaries,
    travel_return_leg,
)
from scheduling.builder import TravelModel

MONDAY = dt.date(2026, 11, 30)
TUESDAY, WEDNESDAY = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
H, MIN = 3600, 60

#: Shifts Monday and Wednesday 07:00-16:00 (9 h); no Tuesday shift.
CREW = CrewInfo(id=1, name="Blue", shifts={0: (7 * H, 16 * H), 2: (7 * H, 16 * H)})


def half_hour_home(_last: tuple[float, float], _depot: tuple[float, float]) -> int:
    return 30 * MIN


def visit(date: dt.date, seq: int, arrival: int, start: int, end: int, travel: int,
          price: str) -> VisitFact:
    return VisitFact(1, date, seq, arrival, start, end, travel, Decimal(price), 27.9, -82.4)


MONDAY_VISITS = [
    # leave 07:30, 30 min drive, 08:00-09:00 on site; 30 min drive, 09:30-11:00; home 11:30
    visit(MONDAY, 1, 9 * H + 30 * MIN, 9 * H + 30 * MIN, 11 * H, 30 * MIN, "70.00"),
    visit(MONDAY, 0, 8 * H, 8 * H, 9 * H, 30 * MIN, "50.00"),
]
TUESDAY_VISITS = [
    # no shift: leave 09:00, arrive and start 10:00 after 1 h, end 12:00, home 12:30
    # -> paid 3.5 h, all of it overtime
    visit(TUESDAY, 0, 10 * H, 10 * H, 12 * H, H, "80.00"),
]
WEDNESDAY_VISITS = [
    # arrive 15:00 after 10 min, work to 16:30, home 17:00: 1 h past the 16:00 shift end
    visit(WEDNESDAY, 0, 15 * H, 15 * H, 16 * H + 30 * MIN, 10 * MIN, "100.00"),
]


def test_crew_day_inside_the_shift_pays_the_shift() -> None:
    """Service 1 h + 1.5 h, drive 3 x 30 min, paid the 9 h shift, no overtime."""
    day = crew_day(MONDAY_VISITS, CREW, half_hour_home)
    assert (day.visits, day.service_s, day.drive_s) == (2, 150 * MIN, 90 * MIN)
    assert (day.leave_s, day.back_s) == (7 * H + 30 * MIN, 11 * H + 30 * MIN)
    assert (day.paid_s, day.overtime_s) == (9 * H, 0)
    assert day.revenue == Decimal("120.00")


def test_crew_day_past_the_shift_end_is_overtime() -> None:
    """Back at 17:00 on a 16:00 shift: 1 h overtime, paid 9 + 1 = 10 h."""
    day = crew_day(WEDNESDAY_VISITS, CREW, half_hour_home)
    assert (day.overtime_s, day.paid_s) == (H, 10 * H)
    assert day.drive_s == 40 * MIN


def test_crew_day_without_a_shift_is_all_overtime() -> None:
    """Leave 09:00, back 12:30: 3.5 h paid, all of it overtime."""
    day = crew_day(TUESDAY_VISITS, CREW, half_hour_home)
    assert (day.paid_s, day.overtime_s) == (3 * H + 30 * MIN, 3 * H + 30 * MIN)


def test_crew_day_without_coordinates_has_no_return_leg() -> None:
    """A last stop without a location adds no drive home (nothing to estimate from)."""
    no_place = [VisitFact(1, MONDAY, 0, 8 * H, 8 * H, 9 * H, 600, Decimal("10"), None, None)]
    assert crew_day(no_place, CREW, half_hour_home).drive_s == 600


def test_crew_summary_ratios() -> None:
    """Three days: service 6 h, drive 220 min, paid 9 + 3.5 + 10 = 22.5 h, revenue 300."""
    lines, total = crew_summaries(
        MONDAY_VISITS + TUESDAY_VISITS + WEDNESDAY_VISITS, {1: CREW}, half_hour_home
    )
    (line,) = lines
    assert (line.days, line.visits) == (3, 4)
    assert line.service_s == 6 * H
    assert line.drive_s == 90 * MIN + 90 * MIN + 40 * MIN
    assert line.paid_s == 22 * H + 30 * MIN
    assert line.overtime_s == 4 * H + 30 * MIN
    assert line.revenue == Decimal("300.00")
    assert line.utilization == pytest.approx(6 / 22.5)
    assert line.drive_share == pytest.approx((220 / 60) / 22.5)
    assert line.visits_per_day == pytest.approx(4 / 3)
    assert line.revenue_per_hour == pytest.approx(300 / 22.5)
    assert total.paid_s == line.paid_s and total.crew_id is None


def test_empty_summary_has_zero_ratios() -> None:
    """No visits: no lines, and a company line of zeros rather than a division by zero."""
    lines, total = crew_summaries([], {1: CREW}, half_hour_home)
    assert lines == ()
    assert (total.utilization, total.drive_share, total.revenue_per_hour) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("last", "depot"),
    [
        ((27.95, -82.46), (27.99, -82.50)),
        ((27.70, -82.30), (28.10, -82.70)),
        ((1.0, 2.0), (1.0, 2.0)),
    ],
)
def test_return_leg_matches_the_planner_matrix(
    last: tuple[float, float], depot: tuple[float, float]
) -> None:
    """The one-pair estimate equals the planner's matrix entry, to the second."""
    durations, _ = TravelModel().provider().matrices(
        [Location("last", *last), Location("depot", *depot)]
    )
    assert travel_return_leg()(last, depot) == int(durations[0, 1])
