"""Every kind of bad row is rejected with its row, column and reason, and writes nothing.

Each case imports a file made of the baseline rows with an update to the first row (so a
partial write would show) plus one spoiled row at row 5 (customers, sites, agreements) or
row 4 (crews); afterwards every table must hold exactly what it held before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from crm.importer import import_csv
from tests.crm.import_helpers import BASELINE, assert_untouched, dump, write_csv

NEW_ROW = {
    "crews": {
        "crew_id": "CR9",
        "name": "Spare",
        "skills": "ladder",
        "start_lat": "28.0",
        "start_lon": "-82.5",
        "shifts": "Mon-Fri 08:00-16:00",
    },
    "customers": {"customer_id": "K9", "name": "Dora Lee"},
    "sites": {
        "site_id": "S9",
        "customer_id": "K1",
        "address": "9 Elm St",
        "lat": "28.0",
        "lon": "-82.4",
    },
    "agreements": {
        "agreement_id": "A9",
        "site_id": "S1",
        "service": "gutter_clean",
        "frequency": "monthly",
    },
}
FIRST_ROW_EDIT = {
    "crews": {"name": "North windows (renamed)"},
    "customers": {"name": "Ann Smith-Jones"},
    "sites": {"address": "1 Main Street, Tampa"},
    "agreements": {"priority": "5"},
}

CASES = [
    # --- crews
    ("crews", {"name": ""}, "name", "is required but empty"),
    ("crews", {"skills": ""}, "skills", "is required but empty"),
    ("crews", {"skills": ";"}, "skills", "at least one skill is required"),
    ("crews", {"skills": "ladder;rope_access"}, "skills", "unknown skill 'rope_access'"),
    ("crews", {"start_lat": "95.2"}, "start_lat", "95.2 is out of range [-90, 90]"),
    ("crews", {"start_lon": "-182"}, "start_lon", "-182 is out of range [-180, 180]"),
    ("crews", {"start_lat": "27,95"}, "start_lat", "'27,95' is not a number"),
    ("crews", {"end_lat": "28.1"}, "end_lon", "end_lat is given, so end_lon is required too"),
    (
        "crews",
        {"shifts": "Mon-Fri 16:00-07:30"},
        "shifts",
        "ends at 07:30, not after it starts at 16:00",
    ),
    ("crews", {"shifts": "Mon-Fri 08:00-08:00"}, "shifts", "not after it starts"),
    ("crews", {"shifts": "Mon-Fri 08:00-16:00;Fri 17:00-19:00"}, "shifts", "Fri has two shifts"),
    ("crews", {"shifts": "Mon-Fr 08:00-16:00"}, "shifts", "'Fr' is not a weekday"),
    ("crews", {"shifts": "Sat-Mon 08:00-16:00"}, "shifts", "runs backwards"),
    ("crews", {"shifts": "weekdays"}, "shifts", "is not a shift"),
    ("crews", {"shifts": "Mon 25:00-26:00"}, "shifts", "'25:00' is not a time of day"),
    ("crews", {"colour": "red"}, "colour", "'red' is not a colour (use #rrggbb"),
    ("crews", {"colour": "#12345"}, "colour", "is not a colour"),
    ("crews", {"hourly_cost": "-30.00"}, "hourly_cost", "-30.00 is negative"),
    ("crews", {"hourly_cost": "30.005"}, "hourly_cost", "is not an amount of money"),
    ("crews", {"lunch_min": "-15"}, "lunch_min", "-15 is out of range [0, 240]"),
    (
        "crews",
        {"lunch_start": "13:00", "lunch_end": "12:00"},
        "lunch_end",
        "lunch window 13:00-12:00 is inverted",
    ),
    ("crews", {"crew_id": "CR1"}, "crew_id", "duplicate crew_id 'CR1' (first on row 2)"),
    ("crews", {"name": "x" * 101}, "name", "is 101 characters long, at most 100 are allowed"),
    # --- customers
    ("customers", {"customer_id": ""}, "customer_id", "is required but empty"),
    ("customers", {"name": ""}, "name", "is required but empty"),
    (
        "customers",
        {"customer_id": "K2"},
        "customer_id",
        "duplicate customer_id 'K2' (first on row 3)",
    ),
    ("customers", {"status": "gold"}, "status", "'gold' is not one of prospect, active, inactive"),
    ("customers", {"email": "ann at example"}, "email", "is not an e-mail address"),
    ("customers", {"customer_id": "K" * 65}, "customer_id", "at most 64 are allowed"),
    # --- sites
    (
        "sites",
        {"customer_id": "K404"},
        "customer_id",
        "unknown customer 'K404': not in the database (import customers.csv first)",
    ),
    ("sites", {"address": ""}, "address", "is required but empty"),
    ("sites", {"lat": "95.2"}, "lat", "95.2 is out of range [-90, 90]"),
    ("sites", {"lon": ""}, "lon", "lat is given, so lon is required too (both or neither)"),
    ("sites", {"lat": ""}, "lat", "lon is given, so lat is required too (both or neither)"),
    ("sites", {"lat": "", "lon": ""}, "lat", "no coordinates and geocoding is off (--no-geocode)"),
    ("sites", {"required_skills": "ladder;jetpack"}, "required_skills", "unknown skill 'jetpack'"),
    ("sites", {"site_id": "S1"}, "site_id", "duplicate site_id 'S1' (first on row 2)"),
    # --- agreements
    (
        "agreements",
        {"site_id": "S404"},
        "site_id",
        "unknown site 'S404': not in the database (import sites.csv first)",
    ),
    (
        "agreements",
        {"service": "window_cleaning"},
        "service",
        "unknown service 'window_cleaning' (did you mean window_clean?)",
    ),
    ("agreements", {"service": ""}, "service", "is required but empty"),
    ("agreements", {"frequency": "daily"}, "frequency", "'daily' is not a frequency"),
    ("agreements", {"frequency": "7x_weekly"}, "frequency", "a week cannot hold 7 visits"),
    (
        "agreements",
        {"frequency": "3x_weekly", "day_patterns": "Mon+Thu"},
        "day_patterns",
        "pattern Mon+Thu has 2 day(s), but 3x_weekly needs 3 a week",
    ),
    (
        "agreements",
        {"frequency": "weekly", "day_patterns": "Mon+Thu"},
        "day_patterns",
        "pattern Mon+Thu has 2 day(s), but weekly needs 1 a week",
    ),
    (
        "agreements",
        {"frequency": "2x_weekly", "day_patterns": "Mon+Tue"},
        "day_patterns",
        "pattern Mon+Tue has visits 1 day(s) apart, but min_spacing_days is 2",
    ),
    (
        "agreements",
        {"frequency": "4x_weekly", "min_spacing_days": "3"},
        "min_spacing_days",
        "no 4 days of a week are at least 3 days apart",
    ),
    (
        "agreements",
        {"frequency": "5x_weekly"},
        "frequency",
        "no 5 days of a week are at least 2 days apart",
    ),
    (
        "agreements",
        {"frequency": "3x_weekly", "preferred_crew_id": "CR2"},
        "preferred_crew_id",
        "crew 'CR2' works 2 day(s) a week (Mon, Thu), fewer than the 3 visits of 3x_weekly",
    ),
    (
        "agreements",
        {"frequency": "2x_weekly", "min_spacing_days": "4", "preferred_crew_id": "CR2"},
        "min_spacing_days",
        "no 2 days of crew 'CR2''s working days are at least 4 days apart",
    ),
    ("agreements", {"min_spacing_days": "9"}, "min_spacing_days", "9 is out of range [0, 6]"),
    ("agreements", {"day_patterns": "Mon|Thr"}, "day_patterns", "'Thr' is not a weekday"),
    ("agreements", {"day_patterns": "Mon||Tue"}, "day_patterns", "has an empty pattern"),
    (
        "agreements",
        {"frequency": "2x_weekly", "day_patterns": "Mon+Mon"},
        "day_patterns",
        "names Mon twice",
    ),
    (
        "agreements",
        {"preferred_weekday": "Funday"},
        "preferred_weekday",
        "'Funday' is not a weekday",
    ),
    (
        "agreements",
        {"tw_start": "12:00", "tw_end": "09:00"},
        "tw_end",
        "time window 12:00-09:00 is inverted",
    ),
    (
        "agreements",
        {"tw_start": "09:00", "tw_end": "09:00"},
        "tw_end",
        "time window 09:00-09:00 is empty",
    ),
    ("agreements", {"tw_start": "09:00"}, "tw_end", "tw_start is given, so tw_end is required too"),
    (
        "agreements",
        {"tw_start": "9am", "tw_end": "11:00"},
        "tw_start",
        "'9am' is not a time of day",
    ),
    ("agreements", {"duration_min": "-30"}, "duration_min", "-30 must be positive"),
    ("agreements", {"duration_min": "0"}, "duration_min", "0 must be positive"),
    ("agreements", {"duration_min": "45.5"}, "duration_min", "'45.5' is not a whole number"),
    ("agreements", {"price": "-10"}, "price", "-10 is negative"),
    ("agreements", {"price": "ten"}, "price", "'ten' is not an amount of money"),
    (
        "agreements",
        {"preferred_crew_id": "CR404"},
        "preferred_crew_id",
        "unknown crew 'CR404': not in the database (import crews.csv first)",
    ),
    ("agreements", {"current_crew_id": "CR404"}, "current_crew_id", "unknown crew 'CR404'"),
    (
        "agreements",
        {"current_days": "Mon+Thu"},
        "current_days",
        "Mon+Thu has 2 day(s), but monthly has 1 visit(s) a week",
    ),
    (
        "agreements",
        {"season_start": "02-30", "season_end": "10-01"},
        "season_start",
        "'02-30' is not a day of the year",
    ),
    (
        "agreements",
        {"season_start": "03-01"},
        "season_end",
        "season_start is given, so season_end is required too",
    ),
    (
        "agreements",
        {"anchor_date": "03/01/2026"},
        "anchor_date",
        "'03/01/2026' is not a date (use YYYY-MM-DD)",
    ),
    ("agreements", {"anchor_date": "2026-02-30"}, "anchor_date", "is not a date of the calendar"),
    (
        "agreements",
        {"start_date": "2026-06-01", "end_date": "2026-01-01"},
        "end_date",
        "2026-01-01 is before start_date 2026-06-01",
    ),
    ("agreements", {"priority": "9"}, "priority", "9 is out of range [1, 5]"),
    (
        "agreements",
        {"status": "cancelled"},
        "status",
        "'cancelled' is not one of active, paused, ended",
    ),
    (
        "agreements",
        {"agreement_id": "A1"},
        "agreement_id",
        "duplicate agreement_id 'A1' (first on row 2)",
    ),
]


def _case_id(case: tuple[str, dict[str, str], str, str]) -> str:
    kind, overrides, column, _ = case
    return f"{kind}-{column}-" + "-".join(f"{k}={v}"[:24] for k, v in overrides.items())


@pytest.mark.parametrize(("kind", "overrides", "column", "reason"), CASES, ids=map(_case_id, CASES))
def test_bad_row_is_rejected_and_nothing_is_written(
    seeded: Session, tmp_path: Path, kind: str, overrides: dict[str, str], column: str, reason: str
) -> None:
    rows = [dict(r) for r in BASELINE[kind]]
    rows[0].update(FIRST_ROW_EDIT[kind])
    rows.append({**NEW_ROW[kind], **overrides})
    bad_row = len(rows) + 1
    header = list(dict.fromkeys(k for row in rows for k in row))
    path = write_csv(tmp_path / f"{kind}.csv", rows, header)
    before = dump(seeded)

    report = import_csv(seeded, kind, path, no_geocode=True)

    assert len(report.errors) == 1, [str(e) for e in report.errors]
    error = report.errors[0]
    assert (error.row, error.column) == (bad_row, column)
    assert reason in error.reason
    assert str(error).startswith(f"row {bad_row}, column {column}: ")
    assert not report.ok
    assert_untouched(seeded, before)


def test_every_bad_row_is_reported_not_just_the_first(seeded: Session, tmp_path: Path) -> None:
    """A dispatcher fixes a file in one go: all problems of all rows come back at once."""
    rows = [
        {"customer_id": "K1", "name": "", "email": "nope"},
        {"customer_id": "K2", "name": "Bay Pools LLC", "email": ""},
        {"customer_id": "K2", "name": "Again", "email": ""},
    ]
    report = import_csv(seeded, "customers", write_csv(tmp_path / "c.csv", rows))
    assert [str(e) for e in report.errors] == [
        "row 2, column name: is required but empty",
        "row 2, column email: 'nope' is not an e-mail address",
        "row 4, column customer_id: duplicate customer_id 'K2' (first on row 3)",
    ]


def test_no_geocode_message_matches_the_cli_wording(seeded: Session, tmp_path: Path) -> None:
    rows = [dict(r) for r in BASELINE["sites"]] + [
        {"site_id": "S4", "customer_id": "K1", "address": "4 Bay St", "lat": "", "lon": ""}
    ]
    report = import_csv(seeded, "sites", write_csv(tmp_path / "s.csv", rows), no_geocode=True)
    assert [str(e) for e in report.errors] == [
        "row 5, column lat: no coordinates and geocoding is off (--no-geocode)"
    ]
