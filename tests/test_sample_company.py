"""The sample company: reproducible from its seed, and coherent as data/README.md describes it."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from data.sample_company import generate
from data.sample_company.catalog import CATALOG, SKILLS, WEEKDAYS
from data.sample_company.geography_box import BBOX_LAT, BBOX_LON
from data.sample_company.landmask import is_land
from data.sample_company.report import summarise
from data.sample_company.writer import write_all

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
FILES = ("customers.csv", "sites.csv", "agreements.csv", "crews.csv")


@pytest.fixture(scope="module")
def company():
    return generate(seed=7, n_customers=400)


@pytest.fixture(scope="module")
def rows() -> dict[str, list[dict[str, str]]]:
    out = {}
    for name in FILES:
        with (SAMPLE / name).open(encoding="utf-8", newline="") as fh:
            out[name] = list(csv.DictReader(fh))
    return out


def test_regenerating_reproduces_the_committed_files(company, tmp_path):
    write_all(tmp_path, company.customers, company.sites, company.agreements, company.crews)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_cli_help_exits_zero(capsys):
    from data.sample_company.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "--customers" in capsys.readouterr().out


def _readme_columns() -> dict[str, set[str]]:
    """Column names per file from the tables of data/README.md."""
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    out: dict[str, set[str]] = {}
    for name in FILES:
        section = text.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
        cols: set[str] = set()
        for cell in re.findall(r"^\| (`[^|]+`) \|", section, flags=re.M):
            cols.update(re.findall(r"`([a-z_]+)`", cell))
        out[name] = cols
    return out


def test_columns_are_those_of_the_readme(rows):
    for name, cols in _readme_columns().items():
        with (SAMPLE / name).open(encoding="utf-8") as fh:
            header = fh.readline().strip().split(",")
        assert set(header) <= cols, (name, set(header) - cols)
        assert len(header) == len(set(header))


def test_ids_unique_and_references_resolve(rows):
    for name, key in (
        ("customers.csv", "customer_id"),
        ("sites.csv", "site_id"),
        ("agreements.csv", "agreement_id"),
        ("crews.csv", "crew_id"),
    ):
        ids = [r[key] for r in rows[name]]
        assert len(ids) == len(set(ids)), name
    customers = {r["customer_id"] for r in rows["customers.csv"]}
    sites = {r["site_id"] for r in rows["sites.csv"]}
    crews = {r["crew_id"] for r in rows["crews.csv"]}
    assert all(r["customer_id"] in customers for r in rows["sites.csv"])
    for a in rows["agreements.csv"]:
        assert a["site_id"] in sites
        for col in ("current_crew_id", "preferred_crew_id"):
            assert a[col] == "" or a[col] in crews


def test_size_and_mix(rows):
    assert 380 <= len(rows["customers.csv"]) <= 420
    assert 400 <= len(rows["sites.csv"]) <= 440
    assert 6 <= len(rows["crews.csv"]) <= 8
    services = {a["service"] for a in rows["agreements.csv"]}
    assert services <= set(CATALOG)
    freqs = {a["frequency"] for a in rows["agreements.csv"]}
    assert {"weekly", "2x_weekly", "every_2_weeks", "monthly", "every_3_months"} <= freqs
    windowed = {
        s["customer_id"]
        for s in rows["sites.csv"]
        for a in rows["agreements.csv"]
        if a["site_id"] == s["site_id"] and a["tw_start"]
    }
    assert 0.08 <= len(windowed) / len(rows["customers.csv"]) <= 0.17
    gated = {
        s["access_notes"].split(" (gated)")[0]
        for s in rows["sites.csv"]
        if "(gated)" in s["access_notes"]
    }
    assert 3 <= len(gated) <= 4


def test_coordinates_in_tampa_and_on_land(rows):
    points = [(float(s["lat"]), float(s["lon"])) for s in rows["sites.csv"]]
    points += [(float(c["start_lat"]), float(c["start_lon"])) for c in rows["crews.csv"]]
    for lat, lon in points:
        assert BBOX_LAT[0] <= lat <= BBOX_LAT[1] and BBOX_LON[0] <= lon <= BBOX_LON[1]
        assert is_land(lat, lon), (lat, lon)


def test_address_zip_matches_a_tampa_zip(rows):
    for s in rows["sites.csv"]:
        assert re.fullmatch(r"\d+ .+, [A-Za-z ]+, FL 3\d{4}", s["address"]), s["address"]


def _shifts(text: str) -> set[int]:
    days: set[int] = set()
    for part in text.split(";"):
        span = part.split()[0]
        a, _, b = span.partition("-")
        lo, hi = WEEKDAYS.index(a), WEEKDAYS.index(b or a)
        days.update(range(lo, hi + 1))
    return days


def test_as_is_assignment_is_feasible(rows):
    crews = {c["crew_id"]: c for c in rows["crews.csv"]}
    sites = {s["site_id"]: s for s in rows["sites.csv"]}
    all_skills = [set(c["skills"].split(";")) for c in crews.values()]
    for c in crews.values():
        assert set(c["skills"].split(";")) <= set(SKILLS)
    for a in rows["agreements.csv"]:
        need = {CATALOG[a["service"]].skill}
        if sites[a["site_id"]]["required_skills"]:
            need |= set(sites[a["site_id"]]["required_skills"].split(";"))
        assert any(need <= s for s in all_skills), a["agreement_id"]
        if a["status"] != "active":
            assert a["current_crew_id"] == "" and a["current_days"] == ""
            continue
        crew = crews[a["current_crew_id"]]
        assert need <= set(crew["skills"].split(";")), a["agreement_id"]
        days = [WEEKDAYS.index(d) for d in a["current_days"].split("+")]
        assert set(days) <= _shifts(crew["shifts"]), a["agreement_id"]
        per_week = int(a["frequency"][0]) if a["frequency"].endswith("x_weekly") else 1
        assert len(days) == per_week
        if a["day_patterns"]:
            assert a["current_days"] in a["day_patterns"].split("|")
        if per_week > 1:
            gap = int(a["min_spacing_days"] or 2)
            assert all(b - x >= gap for x, b in zip(days, days[1:], strict=False))
        if a["frequency"].startswith("every_") or a["frequency"] == "monthly":
            assert a["anchor_date"], a["agreement_id"]


def test_sample_week_fits_the_shifts_and_fills_the_crews(company):
    stats, day_routes = summarise(company.crews, company.agreements, company.loads.routes)
    assert stats["overtime_days"] == 0
    assert stats["late_visits"] == 0
    assert 0.65 <= stats["utilisation"] <= 0.80
    assert 200 <= stats["visits"] <= 300
    assert not company.hired


def _rule(a: dict):
    """The scheduler's RecurrenceRule for an agreements.csv row."""
    from scheduling.recurrence import RecurrenceRule

    freq = a["frequency"]
    unit, interval, per = "week", 1, 1
    if freq.endswith("x_weekly"):
        per = int(freq[0])
    elif freq == "monthly":
        unit = "month"
    elif freq.startswith("every_"):
        interval = int(freq.split("_")[1])
        unit = "month" if freq.endswith("months") else "week"
    patterns = tuple(
        frozenset(WEEKDAYS.index(d) for d in p.split("+"))
        for p in a["day_patterns"].split("|")
        if p
    )
    date = dt.date.fromisoformat
    return RecurrenceRule(
        unit=unit,
        interval=interval,
        visits_per_period=per,
        day_patterns=patterns,
        min_spacing_days=int(a["min_spacing_days"] or (2 if per > 1 else 0)),
        anchor=date(a["anchor_date"]) if a["anchor_date"] else None,
        season=(a["season_start"], a["season_end"]) if a["season_start"] else None,
        start_date=date(a["start_date"]) if a["start_date"] else None,
        end_date=date(a["end_date"]) if a["end_date"] else None,
    )


def test_sample_week_agrees_with_the_scheduler(rows, company):
    """The generator's own recurrence reading gives the same sample week as scheduling's."""
    recurrence = pytest.importorskip("scheduling.recurrence")
    from data.sample_company.report import week_visits

    monday = dt.date(2026, 11, 30)  # ISO 2026-W49
    cal = recurrence.Calendar(workdays=frozenset(range(6)))
    ours = {(v.agreement.agreement_id, v.date) for v in week_visits(company.agreements)}
    theirs = set()
    for a in rows["agreements.csv"]:
        if a["status"] != "active":
            continue
        req = recurrence.expand_week(a["agreement_id"], _rule(a), monday, cal)
        if req is None or not req.patterns:
            continue
        days = tuple(
            monday + dt.timedelta(days=WEEKDAYS.index(d)) for d in a["current_days"].split("+")
        )
        assert days in req.patterns, a["agreement_id"]
        theirs.update((a["agreement_id"], d) for d in days)
    assert ours == theirs
