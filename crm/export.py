"""CSV export in exactly the import layout, so that export then import changes nothing.

Values are written in their canonical forms (``2x_weekly``, ``Mon+Thu|Tue+Fri``, ``07:30``,
``Mon-Fri 07:30-16:00;Sat 08:00-12:00``, money with two decimals, floats in their shortest
exact form) and rows in the order they were created. Defaults are written out explicitly
(durations, prices, lunch windows), so a file keeps its meaning in a database whose service
catalog differs.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm import parsing as p
from crm.agreements import Agreement
from crm.crews import Crew
from crm.csv_schema import SCHEMAS
from crm.customers import Customer, Site

Record = dict[str, str]


def _crews(session: Session) -> Iterator[Record]:
    crews = session.scalars(select(Crew).options(selectinload(Crew.shifts)).order_by(Crew.id))
    for c in crews:
        same_end = (c.end_lat, c.end_lon) == (c.start_lat, c.start_lon)
        yield {
            "crew_id": c.external_id,
            "name": c.name,
            "skills": p.format_list(c.skills),
            "start_lat": p.format_float(c.start_lat),
            "start_lon": p.format_float(c.start_lon),
            "end_lat": "" if same_end else p.format_float(c.end_lat),
            "end_lon": "" if same_end else p.format_float(c.end_lon),
            "shifts": p.format_shifts({s.weekday: (s.start_min, s.end_min) for s in c.shifts}),
            "lunch_min": str(c.lunch_min),
            "lunch_start": p.format_time(c.lunch_start_min),
            "lunch_end": p.format_time(c.lunch_end_min),
            "hourly_cost": p.format_money(c.hourly_cost),
            "colour": c.colour,
            "region": c.region or "",
        }


def _customers(session: Session) -> Iterator[Record]:
    customers = session.scalars(
        select(Customer).options(selectinload(Customer.contacts)).order_by(Customer.id)
    )
    for c in customers:
        primary = next((k for k in c.contacts if k.is_primary), None)
        contact_name = primary.name if primary is not None and primary.name != c.name else ""
        yield {
            "customer_id": c.external_id,
            "name": c.name,
            "status": c.status.value,
            "email": c.email or "",
            "phone": c.phone or "",
            "contact_name": contact_name,
            "tags": p.format_list(c.tags),
            "notes": c.notes or "",
        }


def _sites(session: Session) -> Iterator[Record]:
    rows = session.execute(select(Site, Customer.external_id).join(Site.customer).order_by(Site.id))
    for s, customer_id in rows:
        yield {
            "site_id": s.external_id,
            "customer_id": customer_id,
            "address": s.address,
            "lat": p.format_float(s.lat),
            "lon": p.format_float(s.lon),
            "access_notes": s.access_notes or "",
            "required_skills": p.format_list(s.required_skills),
            "region": s.region or "",
        }


def _agreements(session: Session) -> Iterator[Record]:
    crews = {i: ext for i, ext in session.execute(select(Crew.id, Crew.external_id))}
    agreements = session.scalars(
        select(Agreement)
        .options(selectinload(Agreement.site), selectinload(Agreement.service_type))
        .order_by(Agreement.id)
    )
    for a in agreements:
        freq = p.Frequency(a.frequency_unit, a.frequency_interval, a.visits_per_period)
        yield {
            "agreement_id": a.external_id,
            "site_id": a.site.external_id,
            "service": a.service_type.code,
            "frequency": p.format_frequency(freq),
            "day_patterns": p.format_patterns(a.day_patterns),
            "min_spacing_days": str(a.min_spacing_days)
            if a.visits_per_period > 1 or a.min_spacing_days
            else "",
            "tw_start": p.format_time(a.tw_start_min),
            "tw_end": p.format_time(a.tw_end_min),
            "duration_min": str(a.duration_min),
            "price": p.format_money(a.price),
            "season_start": a.season_start or "",
            "season_end": a.season_end or "",
            "preferred_crew_id": crews.get(a.preferred_crew_id, "") if a.preferred_crew_id else "",
            "preferred_weekday": p.format_weekday(a.preferred_weekday),
            "current_crew_id": crews.get(a.current_crew_id, "") if a.current_crew_id else "",
            "current_days": p.format_weekday_set(a.current_days),
            "anchor_date": p.format_date(a.anchor_date),
            "priority": str(a.priority),
            "start_date": p.format_date(a.start_date),
            "end_date": p.format_date(a.end_date),
            "status": a.status.value,
        }


_RECORDS: dict[str, Callable[[Session], Iterator[Record]]] = {
    "crews": _crews,
    "customers": _customers,
    "sites": _sites,
    "agreements": _agreements,
}


def export_csv(session: Session, kind: str, path: str | os.PathLike[str] | Any) -> int:
    """Write every row of ``kind`` to ``path`` (or an open text file); returns the row count.

    The file is UTF-8 with a header row and ``\\n`` line ends, columns in the order of
    ``data/README.md``; importing it again reports every row unchanged.
    """
    if kind not in _RECORDS:
        raise ValueError(f"unknown export kind {kind!r} (use {', '.join(_RECORDS)})")
    columns = [c.name for c in SCHEMAS[kind]]
    if isinstance(path, (str, os.PathLike)):
        with open(path, "w", encoding="utf-8", newline="") as handle:
            return _write(handle, columns, _RECORDS[kind](session))
    return _write(path, columns, _RECORDS[kind](session))


def _write(handle: Any, columns: list[str], records: Iterator[Record]) -> int:
    writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow(record)
        count += 1
    return count


def export_all(session: Session, directory: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``crews.csv``, ``customers.csv``, ``sites.csv`` and ``agreements.csv`` to
    ``directory`` (created if missing); returns the path of each kind."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind in SCHEMAS:
        paths[kind] = folder / f"{kind}.csv"
        export_csv(session, kind, paths[kind])
    return paths
