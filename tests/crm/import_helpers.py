"""Shared test data and checks for the CSV import and export tests.

``BASELINE`` is a tiny valid company (2 crews, 3 customers, 3 sites, 3 agreements) whose rows
tests copy and spoil one cell at a time. ``dump`` reads every table of the database, so that
"nothing was written" is checked on full contents, not on counts.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import crm.models  # noqa: F401 - every table on Base.metadata
from crm.db import Base
from crm.importer import IMPORT_KINDS, ImportReport, import_csv

BASELINE: dict[str, list[dict[str, str]]] = {
    "crews": [
        {
            "crew_id": "CR1",
            "name": "North windows",
            "skills": "ladder;water_fed_pole",
            "start_lat": "28.05",
            "start_lon": "-82.45",
            "shifts": "Mon-Fri 07:30-16:00;Sat 08:00-12:00",
            "region": "north",
            "colour": "#1f77b4",
        },
        {
            "crew_id": "CR2",
            "name": "South pools",
            "skills": "pool_chemicals",
            "start_lat": "27.85",
            "start_lon": "-82.55",
            "shifts": "Mon+Thu 08:00-17:00",
            "lunch_min": "30",
            "hourly_cost": "42.50",
            "region": "south",
        },
    ],
    "customers": [
        {"customer_id": "K1", "name": "Ann Smith", "email": "ann@example.com", "tags": "vip"},
        {
            "customer_id": "K2",
            "name": "Bay Pools LLC",
            "contact_name": "Bob Bay",
            "phone": "+1 813 555 0100",
        },
        {"customer_id": "K3", "name": "Carla Diaz", "status": "prospect"},
    ],
    "sites": [
        {
            "site_id": "S1",
            "customer_id": "K1",
            "address": "1 Main St, Tampa",
            "lat": "28.06",
            "lon": "-82.46",
            "required_skills": "ladder",
        },
        {
            "site_id": "S2",
            "customer_id": "K2",
            "address": "2 Bay Dr, Tampa",
            "lat": "27.86",
            "lon": "-82.56",
        },
        {
            "site_id": "S3",
            "customer_id": "K3",
            "address": "3 Oak Ave, Tampa",
            "lat": "27.95",
            "lon": "-82.46",
            "region": "central",
        },
    ],
    "agreements": [
        {
            "agreement_id": "A1",
            "site_id": "S1",
            "service": "window_clean",
            "frequency": "every_4_weeks",
            "day_patterns": "Mon|Tue",
            "tw_start": "08:00",
            "tw_end": "12:00",
            "preferred_crew_id": "CR1",
            "current_crew_id": "CR1",
            "current_days": "Tue",
            "anchor_date": "2026-03-03",
        },
        {
            "agreement_id": "A2",
            "site_id": "S2",
            "service": "pool_service",
            "frequency": "2x_weekly",
            "day_patterns": "Mon+Thu",
            "preferred_crew_id": "CR2",
            "current_days": "Mon+Thu",
            "price": "38.00",
        },
        {
            "agreement_id": "A3",
            "site_id": "S3",
            "service": "lawn_mow",
            "frequency": "weekly",
            "season_start": "03-01",
            "season_end": "11-30",
            "priority": "4",
        },
    ],
}


def write_csv(
    path: Path, rows: Sequence[Mapping[str, str]], header: Sequence[str] | None = None
) -> Path:
    """Write ``rows`` with ``header`` (default: every key in order of first appearance)."""
    if header is None:
        header = list(dict.fromkeys(k for row in rows for k in row))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(header), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_baseline(folder: Path) -> dict[str, Path]:
    return {kind: write_csv(folder / f"{kind}.csv", BASELINE[kind]) for kind in IMPORT_KINDS}


def import_all(session: Session, paths: Mapping[str, Path], **kwargs: Any) -> list[ImportReport]:
    """Import every kind in load order; fails the test on the first report with errors."""
    reports = []
    for kind in IMPORT_KINDS:
        report = import_csv(session, kind, paths[kind], **kwargs)
        assert report.ok, [str(e) for e in report.errors]
        reports.append(report)
    return reports


def dump(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered by primary key, as the session's transaction sees it."""
    session.flush()
    return {
        table.name: [
            tuple(row)
            for row in session.execute(select(table).order_by(*table.primary_key.columns))
        ]
        for table in Base.metadata.sorted_tables
    }


def assert_untouched(session: Session, before: dict[str, list[tuple[Any, ...]]]) -> None:
    """Nothing pending in the session, and every table exactly as ``before``."""
    assert not session.new and not session.dirty and not session.deleted
    assert dump(session) == before
