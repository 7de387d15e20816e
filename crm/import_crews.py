"""Import rules of ``crews.csv``: a crew, its depot and its weekly shifts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, selectinload

from crm import parsing as p
from crm.crews import Crew, CrewShift
from crm.csv_schema import Row
from crm.import_common import Item, Options, apply, fetch_by_external_id, flag_duplicates, settle

DEFAULT_COLOUR = "#4C78A8"
DEFAULT_LUNCH = (11 * 60 + 30, 13 * 60 + 30)


def check_crews(session: Session, rows: Sequence[Row], opts: Options) -> list[Item]:
    """Skills, depot coordinates, shifts and lunch; shifts are compared as a whole."""
    flag_duplicates(rows, "crew_id")
    existing = fetch_by_external_id(
        session,
        Crew,
        (r.get("crew_id") for r in rows if r.get("crew_id")),
        selectinload(Crew.shifts),
    )
    items = []
    for row in rows:
        if row.ok("skills") and row.values["skills"] == []:
            row.error("skills", "at least one skill is required")
        row.both_or_neither("end_lat", "end_lon")
        if row.both_or_neither("lunch_start", "lunch_end"):
            start, end = row.get("lunch_start"), row.get("lunch_end")
            if start is not None and end <= start:
                row.error(
                    "lunch_end",
                    f"lunch window {p.format_time(start)}-{p.format_time(end)} is "
                    + ("empty" if start == end else "inverted"),
                )
        if row.errors:
            continue
        v = row.values
        lunch = (
            (v["lunch_start"], v["lunch_end"]) if v["lunch_start"] is not None else DEFAULT_LUNCH
        )
        values = {
            "name": v["name"],
            "skills": v["skills"],
            "start_lat": v["start_lat"],
            "start_lon": v["start_lon"],
            "end_lat": v["end_lat"] if v["end_lat"] is not None else v["start_lat"],
            "end_lon": v["end_lon"] if v["end_lon"] is not None else v["start_lon"],
            "lunch_min": v["lunch_min"] or 0,
            "lunch_start_min": lunch[0],
            "lunch_end_min": lunch[1],
            "hourly_cost": v["hourly_cost"],
            "colour": v["colour"] or DEFAULT_COLOUR,
            "region": v["region"],
        }
        item = Item(row, v["crew_id"], existing.get(v["crew_id"]), values, {"shifts": v["shifts"]})
        settle(item, item.existing is not None and shifts_of(item.existing) != v["shifts"])
        items.append(item)
    return items


def shifts_of(crew: Crew) -> p.Shifts:
    return {s.weekday: (s.start_min, s.end_min) for s in crew.shifts}


def write_crews(session: Session, items: Sequence[Item]) -> None:
    """New crews get their shifts; changed crews get theirs replaced (edited in place, so the
    unique (crew, weekday) constraint never sees two rows for one day)."""
    for item in items:
        shifts: p.Shifts = item.extra["shifts"]
        if item.status == "created":
            crew = Crew(external_id=item.external_id, **item.values)
            crew.shifts = [
                CrewShift(weekday=d, start_min=s, end_min=e) for d, (s, e) in shifts.items()
            ]
            session.add(crew)
        elif item.status == "updated":
            crew = item.existing
            apply(crew, item.values)
            by_day = {s.weekday: s for s in crew.shifts}
            for day, shift in by_day.items():
                if day not in shifts:
                    crew.shifts.remove(shift)
            for day, (start, end) in shifts.items():
                if day in by_day:
                    apply(by_day[day], {"start_min": start, "end_min": end})
                else:
                    crew.shifts.append(CrewShift(weekday=day, start_min=start, end_min=end))
