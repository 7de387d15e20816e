"""The sample week's visits, the capacity arithmetic and a check of the as-is routes.

The capacity figure is the one a planner would use: service hours of the week's visits, grossed
up by a drive share of 25 % (drive / (service + drive)), over the crews' working hours (shift
less lunch). The as-is check then times every crew-day of the as-is assignment in the order the
office booked it (see routes.py) and reports its drive time, its end time and any time window
it misses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import recurrence, routes
from .catalog import WEEKDAYS
from .crews import hhmm
from .model import Agreement, Crew

PLANNING_DRIVE_SHARE = 0.25


@dataclass(frozen=True)
class Visit:
    agreement: Agreement
    crew_id: str
    date: dt.date


def week_visits(agreements: list[Agreement], week: tuple[int, int] = recurrence.SAMPLE_WEEK):
    """Visits of the as-is plan in an ISO week, in date and agreement order."""
    monday = dt.date.fromisocalendar(*week, 1)
    out = []
    for a in agreements:
        if a.status != "active" or not a.current_crew_id:
            continue
        for d in a.current_days:
            day = monday + dt.timedelta(days=d)
            if recurrence.is_due(a, day, a.phase):
                out.append(Visit(a, a.current_crew_id, day))
    out.sort(key=lambda v: (v.date, v.agreement.agreement_id))
    return out


@dataclass
class DayRoute:
    crew_id: str
    date: dt.date
    visits: int
    service_min: float
    drive_min: float
    end: float
    shift_end: int
    late: int

    @property
    def overtime(self) -> float:
        return max(0.0, self.end - self.shift_end)


def day_routes(crews: list[Crew], visits: list[Visit], booked: dict) -> list[DayRoute]:
    """Time every crew-day of the sample week in the order the office booked its stops.

    `booked` maps (crew index, weekday) to stops in driving order; it must hold exactly the
    week's visits, which this checks.
    """
    monday = dt.date.fromisocalendar(*recurrence.SAMPLE_WEEK, 1)
    out = []
    for ci, c in enumerate(crews):
        for d in sorted(c.shifts):
            date = monday + dt.timedelta(days=d)
            stops = booked.get((ci, d), [])
            expected = sorted(
                v.agreement.agreement_id
                for v in visits
                if v.crew_id == c.crew_id and v.date == date
            )
            if sorted(a.agreement_id for a in stops) != expected:
                raise AssertionError(f"{c.crew_id} {date}: routes and agreements disagree")
            t = routes.simulate(c, d, stops)
            out.append(
                DayRoute(
                    c.crew_id, date, len(stops), t.service, t.drive, t.end, c.shifts[d][1], t.late
                )
            )
    return out


def summarise(
    crews: list[Crew], agreements: list[Agreement], booked: dict
) -> tuple[dict, list[DayRoute]]:
    """Numbers for the README and the generator's printout."""
    visits = week_visits(agreements)
    day_list = day_routes(crews, visits, booked)
    by_service: dict[str, list[int]] = {}
    for v in visits:
        row = by_service.setdefault(v.agreement.service, [0, 0])
        row[0] += 1
        row[1] += v.agreement.duration_min
    service_h = sum(r.service_min for r in day_list) / 60
    drive_h = sum(r.drive_min for r in day_list) / 60
    paid_h = sum(c.available_min(d) for c in crews for d in c.shifts) / 60
    planned_h = service_h / (1 - PLANNING_DRIVE_SHARE)
    stats = {
        "visits": len(visits),
        "by_service": dict(sorted(by_service.items())),
        "service_h": service_h,
        "paid_h": paid_h,
        "planned_h": planned_h,
        "utilisation": planned_h / paid_h,
        "asis_drive_h": drive_h,
        "asis_drive_share": drive_h / (drive_h + service_h) if visits else 0.0,
        "asis_utilisation": (service_h + drive_h) / paid_h,
        "overtime_days": sum(r.overtime > 0 for r in day_list),
        "late_visits": sum(r.late for r in day_list),
        "crews": len(crews),
    }
    return stats, day_list


def print_report(stats: dict, routes: list[DayRoute], crews: list[Crew], out=print) -> None:
    year, week = recurrence.SAMPLE_WEEK
    out(f"Sample week {year}-W{week:02d}: {stats['visits']} visits")
    for service, (n, minutes) in stats["by_service"].items():
        out(f"  {service:16s} {n:4d} visits {minutes / 60:7.1f} h")
    out(
        f"Service {stats['service_h']:.1f} h; with a {PLANNING_DRIVE_SHARE:.0%} drive share "
        f"{stats['planned_h']:.1f} h of {stats['paid_h']:.1f} crew working hours: "
        f"utilisation {stats['utilisation']:.0%}"
    )
    out(
        f"As-is routes: drive {stats['asis_drive_h']:.1f} h ({stats['asis_drive_share']:.0%} "
        f"of service + drive), utilisation {stats['asis_utilisation']:.0%}, "
        f"{stats['overtime_days']} crew-days over their shift, {stats['late_visits']} late visits"
    )
    names = {c.crew_id: c.name for c in crews}
    out("Per crew-day (visits / service h / drive h / back at depot):")
    for crew_id in names:
        cells = []
        for r in routes:
            if r.crew_id == crew_id:
                day = WEEKDAYS[r.date.weekday()]
                if r.visits == 0:
                    cells.append(f"{day}  -- no visits --  ")
                    continue
                cells.append(
                    f"{day} {r.visits:2d}/{r.service_min / 60:3.1f}/"
                    f"{r.drive_min / 60:3.1f}/{hhmm(round(r.end))}"
                )
        out(f"  {crew_id} {names[crew_id]:22s} " + "  ".join(cells))
