"""Export writes the import layout in canonical forms; export then import changes nothing."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.customers import Site
from crm.export import export_all
from crm.importer import IMPORT_KINDS, export_csv, import_csv
from tests.crm.conftest import SessionMaker
from tests.crm.import_helpers import BASELINE, assert_untouched, dump, import_all, write_csv


def test_export_writes_canonical_forms(session: Session, tmp_path: Path) -> None:
    """Free spellings in, canonical spellings out."""
    write_csv(
        tmp_path / "crews.csv",
        [
            {
                "crew_id": "C1",
                "name": "A",
                "skills": "Ladder",
                "start_lat": "28",
                "start_lon": "-82.5",
                "end_lat": "28.5",
                "end_lon": "-82",
                "shifts": "sat 8:00-12:00; Mon+Tue+Wed 07:30-16:00;Thu-Fri 07:30-16:00",
                "hourly_cost": "35",
            },
        ],
    )
    write_csv(
        tmp_path / "customers.csv", [{"customer_id": "K1", "name": "Ann", "tags": " a ; b ;"}]
    )
    write_csv(
        tmp_path / "sites.csv",
        [
            {
                "site_id": "S1",
                "customer_id": "K1",
                "address": "1 Main St",
                "lat": "27.950600",
                "lon": "-82.4572",
            }
        ],
    )
    write_csv(
        tmp_path / "agreements.csv",
        [
            {
                "agreement_id": "A1",
                "site_id": "S1",
                "service": "LAWN_MOW",
                "frequency": "Biweekly",
                "day_patterns": "thu|MON",
                "tw_start": "7:05",
                "tw_end": "9:00",
                "price": "45",
                "preferred_weekday": "thu",
                "current_crew_id": "C1",
            },
            {
                "agreement_id": "A2",
                "site_id": "S1",
                "service": "pool_service",
                "frequency": "2x_weekly",
                "day_patterns": "Thu+Mon|Fri+Tue",
                "current_days": "thu+mon",
            },
            {
                "agreement_id": "A3",
                "site_id": "S1",
                "service": "gutter_clean",
                "frequency": "quarterly",
            },
        ],
    )
    import_all(session, {k: tmp_path / f"{k}.csv" for k in IMPORT_KINDS}, no_geocode=True)
    out = export_all(session, tmp_path / "out")
    assert out["crews"].read_text().splitlines() == [
        "crew_id,name,skills,start_lat,start_lon,end_lat,end_lon,shifts,lunch_min,lunch_start,"
        "lunch_end,hourly_cost,colour,region",
        "C1,A,ladder,28.0,-82.5,28.5,-82.0,Mon-Fri 07:30-16:00;Sat 08:00-12:00,0,11:30,13:30,"
        "35.00,#4C78A8,",
    ]
    assert out["customers"].read_text().splitlines()[1] == "K1,Ann,active,,,,a;b,"
    assert out["sites"].read_text().splitlines()[1] == "S1,K1,1 Main St,27.9506,-82.4572,,,"
    assert out["agreements"].read_text().splitlines()[1:] == [
        "A1,S1,lawn_mow,every_2_weeks,Thu|Mon,,07:05,09:00,40,45.00,,,,Thu,C1,,,3,,,active",
        "A2,S1,pool_service,2x_weekly,Mon+Thu|Tue+Fri,2,,,30,40.00,,,,,,Mon+Thu,,3,,,active",
        "A3,S1,gutter_clean,every_3_months,,,,,60,95.00,,,,,,,,3,,,active",
    ]


def test_export_then_import_into_the_same_database_changes_nothing(
    seeded: Session, tmp_path: Path
) -> None:
    paths = export_all(seeded, tmp_path / "out")
    before = dump(seeded)
    reports = import_all(seeded, paths, no_geocode=True)
    assert [(r.created, r.updated) for r in reports] == [(0, 0)] * 4
    assert_untouched(seeded, before)


def test_round_trip_into_a_fresh_database_reproduces_the_rows(
    seeded: Session, new_session: SessionMaker, tmp_path: Path
) -> None:
    """Export, import into an empty database, export again: the same files, the same rows."""
    first = export_all(seeded, tmp_path / "first")
    fresh = new_session()
    reports = import_all(fresh, first, no_geocode=True)
    assert [r.created for r in reports] == [len(BASELINE[k]) for k in IMPORT_KINDS]
    second = export_all(fresh, tmp_path / "second")
    for kind in IMPORT_KINDS:
        assert second[kind].read_text() == first[kind].read_text(), kind
    assert _content(seeded) == _content(fresh)


def _content(session: Session) -> dict[str, list[tuple[object, ...]]]:
    """Table rows without surrogate ids and timestamps (they differ between databases)."""
    skip = {"id", "created_at"}
    data = dump(session)
    from crm.db import Base

    out = {}
    for table in Base.metadata.sorted_tables:
        keep = [i for i, c in enumerate(table.columns) if c.name not in skip]
        out[table.name] = sorted(
            (tuple(row[i] for i in keep) for row in data[table.name]), key=repr
        )
    return out


def test_geocoded_sites_are_exported_with_their_coordinates(seeded: Session) -> None:
    site = seeded.scalars(select(Site).where(Site.external_id == "S3")).one()
    site.lat, site.lon = 27.123456789, -82.987654321
    buffer = io.StringIO()
    assert export_csv(seeded, "sites", buffer) == 3
    assert "27.123456789,-82.987654321" in buffer.getvalue()


def test_export_of_an_empty_database_is_headers_only(session: Session, tmp_path: Path) -> None:
    paths = export_all(session, tmp_path)
    assert paths["customers"].read_text() == (
        "customer_id,name,status,email,phone,contact_name,tags,notes\n"
    )
    assert import_csv(session, "customers", paths["customers"]).ok
