"""Writes the four CSV files in the column order of data/README.md.

Output is byte-for-byte reproducible: fixed column order, `\\n` line ends, fixed decimal
places, empty cells for values not given.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .catalog import WEEKDAYS
from .crews import format_shifts, hhmm
from .model import Agreement, Crew, Customer, Site

CUSTOMER_COLUMNS = [
    "customer_id",
    "name",
    "status",
    "email",
    "phone",
    "contact_name",
    "tags",
    "notes",
]
SITE_COLUMNS = [
    "site_id",
    "customer_id",
    "address",
    "lat",
    "lon",
    "access_notes",
    "required_skills",
    "region",
]
AGREEMENT_COLUMNS = [
    "agreement_id",
    "site_id",
    "service",
    "frequency",
    "day_patterns",
    "min_spacing_days",
    "tw_start",
    "tw_end",
    "duration_min",
    "price",
    "season_start",
    "season_end",
    "preferred_crew_id",
    "preferred_weekday",
    "current_crew_id",
    "current_days",
    "anchor_date",
    "priority",
    "start_date",
    "end_date",
    "status",
]
CREW_COLUMNS = [
    "crew_id",
    "name",
    "skills",
    "start_lat",
    "start_lon",
    "end_lat",
    "end_lon",
    "shifts",
    "lunch_min",
    "lunch_start",
    "lunch_end",
    "hourly_cost",
    "colour",
    "region",
]


def _days(days) -> str:
    return "+".join(WEEKDAYS[d] for d in days)


def customer_row(c: Customer) -> dict:
    return {
        "customer_id": c.customer_id,
        "name": c.name,
        "status": c.status,
        "email": c.email,
        "phone": c.phone,
        "contact_name": c.contact_name if c.contact_name != c.name else "",
        "tags": ";".join(c.tags),
        "notes": c.notes,
    }


def site_row(s: Site) -> dict:
    return {
        "site_id": s.site_id,
        "customer_id": s.customer_id,
        "address": s.address,
        "lat": f"{s.lat:.5f}",
        "lon": f"{s.lon:.5f}",
        "access_notes": s.access_notes,
        "required_skills": ";".join(s.required_skills),
        "region": s.region,
    }


def agreement_row(a: Agreement) -> dict:
    tw = a.time_window
    return {
        "agreement_id": a.agreement_id,
        "site_id": a.site_id,
        "service": a.service,
        "frequency": a.frequency.code,
        "day_patterns": "|".join(_days(p) for p in a.day_patterns),
        "min_spacing_days": "" if a.min_spacing_days is None else str(a.min_spacing_days),
        "tw_start": hhmm(tw[0]) if tw else "",
        "tw_end": hhmm(tw[1]) if tw else "",
        "duration_min": str(a.duration_min) if a.override else "",
        "price": f"{a.price:.2f}" if a.override else "",
        "season_start": a.season[0] if a.season else "",
        "season_end": a.season[1] if a.season else "",
        "preferred_crew_id": a.preferred_crew_id,
        "preferred_weekday": "" if a.preferred_weekday is None else WEEKDAYS[a.preferred_weekday],
        "current_crew_id": a.current_crew_id,
        "current_days": _days(a.current_days),
        "anchor_date": a.anchor_date.isoformat() if a.anchor_date else "",
        "priority": str(a.priority),
        "start_date": a.start_date.isoformat(),
        "end_date": a.end_date.isoformat() if a.end_date else "",
        "status": a.status,
    }


def crew_row(c: Crew) -> dict:
    return {
        "crew_id": c.crew_id,
        "name": c.name,
        "skills": ";".join(c.skills),
        "start_lat": f"{c.lat:.5f}",
        "start_lon": f"{c.lon:.5f}",
        "end_lat": "",
        "end_lon": "",
        "shifts": format_shifts(c),
        "lunch_min": str(c.lunch_min),
        "lunch_start": hhmm(c.lunch_window[0]),
        "lunch_end": hhmm(c.lunch_window[1]),
        "hourly_cost": f"{c.hourly_cost:.2f}",
        "colour": c.colour,
        "region": c.region,
    }


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write_all(out_dir: Path, customers, sites, agreements, crews) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = [
        (out_dir / "customers.csv", CUSTOMER_COLUMNS, [customer_row(c) for c in customers]),
        (out_dir / "sites.csv", SITE_COLUMNS, [site_row(s) for s in sites]),
        (out_dir / "agreements.csv", AGREEMENT_COLUMNS, [agreement_row(a) for a in agreements]),
        (out_dir / "crews.csv", CREW_COLUMNS, [crew_row(c) for c in crews]),
    ]
    for path, columns, rows in files:
        write_csv(path, columns, rows)
    return [f[0] for f in files]
