"""Sites without coordinates are geocoded during the import, over HTTP to a fake Nominatim."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.customers import GeocodeStatus, Site
from crm.geocache import GeocodeCacheEntry
from crm.geocode import make_geocoder
from crm.importer import import_csv
from tests.crm.fake_nominatim import FakeNominatim
from tests.crm.import_helpers import BASELINE, assert_untouched, dump, write_csv

FAST = {"min_delay_s": 0.0, "max_retries": 0, "timeout_s": 5.0}


def _sites_file(tmp_path: Path, addresses: list[str]) -> Path:
    rows = [dict(r) for r in BASELINE["sites"]] + [
        {"site_id": f"G{i}", "customer_id": "K1", "address": a, "lat": "", "lon": ""}
        for i, a in enumerate(addresses, start=1)
    ]
    return write_csv(tmp_path / "sites.csv", rows)


def test_sites_without_coordinates_are_geocoded_and_cached(
    seeded: Session, nominatim: FakeNominatim, tmp_path: Path
) -> None:
    path = _sites_file(tmp_path, ["10 Palm Ave, Tampa", "20 Pine St, Tampa"])
    report = import_csv(seeded, "sites", path, geocoder=make_geocoder(nominatim.url, **FAST))
    assert report.ok and (report.created, report.unchanged, report.geocoded) == (2, 3, 2)
    g1 = seeded.scalars(select(Site).where(Site.external_id == "G1")).one()
    assert (g1.lat, g1.lon, g1.geocode_status) == (27.9601, -82.4512, GeocodeStatus.GEOCODED)
    assert g1.region == "north"  # nearest depot: CR1 at 28.05, -82.45 (10 km, CR2 15 km)
    cached = seeded.scalars(select(GeocodeCacheEntry.query).order_by(GeocodeCacheEntry.id)).all()
    assert cached == ["10 palm ave, tampa", "20 pine st, tampa"]


def test_second_import_makes_no_request(
    seeded: Session, nominatim: FakeNominatim, tmp_path: Path
) -> None:
    """Same file again, with a new geocoder (nothing in memory): the server sees nothing."""
    path = _sites_file(tmp_path, ["10 Palm Ave, Tampa", "20 Pine St, Tampa"])
    import_csv(seeded, "sites", path, geocoder=make_geocoder(nominatim.url, **FAST))
    assert len(nominatim.requests) == 2
    before = dump(seeded)
    report = import_csv(seeded, "sites", path, geocoder=make_geocoder(nominatim.url, **FAST))
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert len(nominatim.requests) == 2
    assert_untouched(seeded, before)


def test_cache_table_answers_a_new_site_at_a_known_address(
    seeded: Session, nominatim: FakeNominatim, tmp_path: Path
) -> None:
    import_csv(
        seeded,
        "sites",
        _sites_file(tmp_path, ["10 Palm Ave, Tampa"]),
        geocoder=make_geocoder(nominatim.url, **FAST),
    )
    rows = [{"site_id": "G9", "customer_id": "K2", "address": "10 palm ave,  TAMPA"}]
    report = import_csv(
        seeded,
        "sites",
        write_csv(tmp_path / "more.csv", rows),
        geocoder=make_geocoder(nominatim.url, **FAST),
    )
    assert report.ok and report.geocoded == 1 and len(nominatim.requests) == 1


def test_rate_limit_holds_during_an_import(
    seeded: Session, nominatim: FakeNominatim, tmp_path: Path
) -> None:
    path = _sites_file(tmp_path, list(nominatim.places))
    geocoder = make_geocoder(nominatim.url, min_delay_s=0.2, max_retries=0)
    assert import_csv(seeded, "sites", path, geocoder=geocoder).ok
    times = nominatim.arrival_times()
    assert len(times) == 4
    assert min(b - a for a, b in pairwise(times)) >= 0.2 - 0.01


def test_not_found_and_server_errors_are_row_errors(
    seeded: Session, nominatim: FakeNominatim, tmp_path: Path
) -> None:
    """[] for one address, HTTP 500 for another: both rows reported, nothing written."""
    nominatim.failing.add("50 Broken Rd, Tampa")
    path = _sites_file(tmp_path, ["10 Palm Ave, Tampa", "99 Nowhere Lane", "50 Broken Rd, Tampa"])
    before = dump(seeded)
    report = import_csv(seeded, "sites", path, geocoder=make_geocoder(nominatim.url, **FAST))
    assert [(e.row, e.column) for e in report.errors] == [(6, "address"), (7, "address")]
    assert report.errors[0].reason == (
        "the geocoder found no place for '99 Nowhere Lane'; check the address or give lat and lon"
    )
    assert report.errors[1].reason.startswith("geocoding '50 Broken Rd, Tampa' failed (")
    assert "500" in report.errors[1].reason
    assert_untouched(seeded, before)


def test_rejected_import_is_not_geocoded_twice_by_the_same_geocoder(
    seeded: Session, nominatim: FakeNominatim, tmp_path: Path
) -> None:
    """Answers of a rejected import stay in memory; the fixed file asks only what is new."""
    geocoder = make_geocoder(nominatim.url, **FAST)
    path = _sites_file(tmp_path, ["10 Palm Ave, Tampa", "99 Nowhere Lane"])
    assert not import_csv(seeded, "sites", path, geocoder=geocoder).ok
    fixed = _sites_file(tmp_path, ["10 Palm Ave, Tampa", "20 Pine St, Tampa"])
    assert import_csv(seeded, "sites", fixed, geocoder=geocoder).ok
    assert nominatim.queries() == ["10 Palm Ave, Tampa", "99 Nowhere Lane", "20 Pine St, Tampa"]


def test_geocoding_stops_when_the_server_keeps_failing(
    seeded: Session, nominatim: FakeNominatim, tmp_path: Path
) -> None:
    addresses = [f"{n} Down St" for n in range(1, 6)]
    nominatim.failing.update(addresses)
    report = import_csv(
        seeded,
        "sites",
        _sites_file(tmp_path, addresses),
        geocoder=make_geocoder(nominatim.url, **FAST),
    )
    assert len(report.errors) == 5 and len(nominatim.requests) == 3
    assert "failed 3 times in a row" in report.errors[3].reason


def test_no_geocoding_when_other_rows_are_bad(
    seeded: Session, nominatim: FakeNominatim, tmp_path: Path
) -> None:
    """The file will be rejected anyway: the geocoder is not bothered, and says so."""
    rows = [dict(r) for r in BASELINE["sites"]]
    rows[0]["lat"] = "123"
    rows.append({"site_id": "G1", "customer_id": "K1", "address": "10 Palm Ave, Tampa"})
    report = import_csv(
        seeded,
        "sites",
        write_csv(tmp_path / "s.csv", rows),
        geocoder=make_geocoder(nominatim.url, **FAST),
    )
    assert [e.column for e in report.errors] == ["lat"]
    assert report.warnings == ["1 address(es) were not geocoded because the file has errors"]
    assert nominatim.requests == []


def test_dry_run_geocodes_but_writes_no_cache(
    seeded: Session, nominatim: FakeNominatim, tmp_path: Path
) -> None:
    path = _sites_file(tmp_path, ["10 Palm Ave, Tampa"])
    geocoder = make_geocoder(nominatim.url, **FAST)
    before = dump(seeded)
    report = import_csv(seeded, "sites", path, geocoder=geocoder, dry_run=True)
    assert report.ok and report.created == 1 and report.geocoded == 1
    assert_untouched(seeded, before)
    assert import_csv(seeded, "sites", path, geocoder=geocoder).ok
    assert len(nominatim.requests) == 1


def test_geocoded_site_keeps_its_status_when_exported_coordinates_come_back(
    seeded: Session, nominatim: FakeNominatim, tmp_path: Path
) -> None:
    """Export writes the geocoded lat/lon; importing that file leaves the site unchanged."""
    geocoder = make_geocoder(nominatim.url, **FAST)
    import_csv(seeded, "sites", _sites_file(tmp_path, ["10 Palm Ave, Tampa"]), geocoder=geocoder)
    rows = [dict(r) for r in BASELINE["sites"]] + [
        {
            "site_id": "G1",
            "customer_id": "K1",
            "address": "10 Palm Ave, Tampa",
            "lat": "27.9601",
            "lon": "-82.4512",
            "region": "north",
        }
    ]
    report = import_csv(seeded, "sites", write_csv(tmp_path / "back.csv", rows), no_geocode=True)
    assert report.ok and report.unchanged == 4
    g1 = seeded.scalars(select(Site).where(Site.external_id == "G1")).one()
    assert g1.geocode_status is GeocodeStatus.GEOCODED


def test_changed_address_is_geocoded_again(
    seeded: Session, nominatim: FakeNominatim, tmp_path: Path
) -> None:
    geocoder = make_geocoder(nominatim.url, **FAST)
    import_csv(seeded, "sites", _sites_file(tmp_path, ["10 Palm Ave, Tampa"]), geocoder=geocoder)
    report = import_csv(
        seeded, "sites", _sites_file(tmp_path, ["30 Elm Rd, Tampa"]), geocoder=geocoder
    )
    assert report.ok and report.updated == 1
    g1 = seeded.scalars(select(Site).where(Site.external_id == "G1")).one()
    assert (g1.lat, g1.lon) == (27.9003, -82.5104)
