"""Creating, updating and re-importing: counts, defaults, and what each row writes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.agreements import Agreement, AgreementStatus, FrequencyUnit
from crm.crews import Crew, CrewShift
from crm.customers import Customer, CustomerStatus, GeocodeStatus, Site
from crm.importer import IMPORT_KINDS, import_csv
from crm.services import ServiceType
from tests.crm.import_helpers import BASELINE, assert_untouched, dump, import_all, write_csv


def _counts(report) -> tuple[int, int, int]:
    return report.created, report.updated, report.unchanged


def test_first_import_creates_every_row(session: Session, baseline_paths: dict[str, Path]) -> None:
    reports = import_all(session, baseline_paths, no_geocode=True)
    assert [_counts(r) for r in reports] == [(2, 0, 0), (3, 0, 0), (3, 0, 0), (3, 0, 0)]


def test_second_import_of_the_same_files_changes_nothing(
    seeded: Session, baseline_paths: dict[str, Path]
) -> None:
    before = dump(seeded)
    reports = import_all(seeded, baseline_paths, no_geocode=True)
    assert [_counts(r) for r in reports] == [(0, 0, 2), (0, 0, 3), (0, 0, 3), (0, 0, 3)]
    assert_untouched(seeded, before)


def test_dry_run_counts_but_writes_nothing(
    session: Session, baseline_paths: dict[str, Path]
) -> None:
    before = dump(session)
    report = import_csv(session, "crews", baseline_paths["crews"], dry_run=True)
    assert report.ok and _counts(report) == (2, 0, 0) and report.dry_run
    assert "would be created" in report.summary()
    assert_untouched(session, before)


def test_dry_run_of_agreements_does_not_even_add_the_service_catalog(
    session: Session, baseline_paths: dict[str, Path]
) -> None:
    """The catalog defaults are written only by an import that writes."""
    for kind in ("crews", "customers", "sites"):
        assert import_csv(session, kind, baseline_paths[kind]).ok
    before = dump(session)
    assert before["service_type"] == []
    report = import_csv(session, "agreements", baseline_paths["agreements"], dry_run=True)
    assert report.ok and report.created == 3
    assert_untouched(session, before)


def test_changed_rows_are_updated_and_the_rest_left_alone(seeded: Session, tmp_path: Path) -> None:
    rows = [dict(r) for r in BASELINE["customers"]]
    rows[1]["email"] = "office@baypools.example"
    rows.append({"customer_id": "K4", "name": "Eve Park"})
    report = import_csv(seeded, "customers", write_csv(tmp_path / "c.csv", rows))
    assert _counts(report) == (1, 1, 2)
    k2 = seeded.scalars(select(Customer).where(Customer.external_id == "K2")).one()
    assert k2.email == "office@baypools.example"
    assert k2.contacts[0].email == "office@baypools.example"


def test_empty_cell_clears_an_optional_value(seeded: Session, tmp_path: Path) -> None:
    """The file row is the whole truth about its record: an emptied cell means "not given"."""
    rows = [dict(r) for r in BASELINE["customers"]]
    rows[0]["email"] = ""
    rows[0]["tags"] = ""
    import_csv(seeded, "customers", write_csv(tmp_path / "c.csv", rows))
    k1 = seeded.scalars(select(Customer).where(Customer.external_id == "K1")).one()
    assert (k1.email, k1.tags) == (None, [])


def test_customer_values_and_primary_contact(seeded: Session) -> None:
    customers = {c.external_id: c for c in seeded.scalars(select(Customer))}
    assert customers["K1"].tags == ["vip"] and customers["K1"].status is CustomerStatus.ACTIVE
    assert customers["K3"].status is CustomerStatus.PROSPECT
    assert [(c.name, c.is_primary) for c in customers["K1"].contacts] == [("Ann Smith", True)]
    assert customers["K2"].contacts[0].name == "Bob Bay"
    assert customers["K2"].contacts[0].phone == "+1 813 555 0100"


def test_crew_values_and_defaults(seeded: Session) -> None:
    cr1, cr2 = seeded.scalars(select(Crew).order_by(Crew.external_id)).all()
    assert (cr1.end_lat, cr1.end_lon) == (28.05, -82.45)  # default: the start
    assert (cr1.lunch_min, cr1.lunch_start_min, cr1.lunch_end_min) == (0, 690, 810)
    assert cr1.colour == "#1f77b4" and cr2.colour == "#4C78A8"
    assert cr2.hourly_cost == Decimal("42.50") and cr1.hourly_cost is None
    assert [(s.weekday, s.start_min, s.end_min) for s in cr1.shifts] == [
        *[(d, 450, 960) for d in range(5)],
        (5, 480, 720),
    ]


def test_crew_shifts_are_replaced(seeded: Session, tmp_path: Path) -> None:
    """New shifts replace the old ones: days dropped, days added, hours changed."""
    rows = [dict(r) for r in BASELINE["crews"]]
    rows[0]["shifts"] = "Tue-Thu 07:00-15:00;Sun 09:00-13:00"
    report = import_csv(seeded, "crews", write_csv(tmp_path / "crews.csv", rows))
    assert _counts(report) == (0, 1, 1)
    cr1 = seeded.scalars(select(Crew).where(Crew.external_id == "CR1")).one()
    assert [(s.weekday, s.start_min, s.end_min) for s in cr1.shifts] == [
        (1, 420, 900),
        (2, 420, 900),
        (3, 420, 900),
        (6, 540, 780),
    ]
    assert seeded.scalar(select(func.count()).select_from(CrewShift)) == 4 + 2


def test_sites_keep_provided_coordinates_and_get_a_region(seeded: Session) -> None:
    """Region: as given, else the nearest crew depot's (S1 is near CR1, S2 near CR2)."""
    sites = {s.external_id: s for s in seeded.scalars(select(Site))}
    assert {k: s.region for k, s in sites.items()} == {
        "S1": "north",
        "S2": "south",
        "S3": "central",
    }
    assert all(s.geocode_status is GeocodeStatus.PROVIDED for s in sites.values())
    assert sites["S1"].required_skills == ["ladder"]


def test_agreement_values_and_service_defaults(seeded: Session) -> None:
    """Duration and price default to the service's; frequency fields as the model keeps them."""
    agreements = {a.external_id: a for a in seeded.scalars(select(Agreement))}
    a1, a2, a3 = agreements["A1"], agreements["A2"], agreements["A3"]
    assert (a1.frequency_unit, a1.frequency_interval, a1.visits_per_period) == (
        FrequencyUnit.WEEK,
        4,
        1,
    )
    assert a1.day_patterns == [[0], [1]] and a1.current_days == [1]
    assert (a1.tw_start_min, a1.tw_end_min) == (480, 720)
    assert (a1.duration_min, a1.price) == (90, Decimal("120.00"))
    assert a1.preferred_crew.external_id == "CR1" and a1.current_crew.external_id == "CR1"
    assert (a2.visits_per_period, a2.min_spacing_days, a2.day_patterns) == (2, 2, [[0, 3]])
    assert (a2.duration_min, a2.price) == (30, Decimal("38.00"))
    assert (a3.season_start, a3.season_end, a3.priority) == ("03-01", "11-30", 4)
    assert a3.status is AgreementStatus.ACTIVE and a3.min_spacing_days == 0


def test_agreement_defaults_follow_an_edited_catalog(seeded: Session, tmp_path: Path) -> None:
    """A company that changed its gutter price gets its own price, not the shipped one."""
    gutter = seeded.scalars(select(ServiceType).where(ServiceType.code == "gutter_clean")).one()
    gutter.default_price = Decimal("99.00")
    gutter.default_duration_min = 75
    rows = [
        {"agreement_id": "A8", "site_id": "S1", "service": "Gutter_Clean", "frequency": "quarterly"}
    ]
    assert import_csv(seeded, "agreements", write_csv(tmp_path / "a.csv", rows)).ok
    a8 = seeded.scalars(select(Agreement).where(Agreement.external_id == "A8")).one()
    assert (a8.duration_min, a8.price) == (75, Decimal("99.00"))
    assert (a8.frequency_unit, a8.frequency_interval) == (FrequencyUnit.MONTH, 3)


def test_rows_refer_to_rows_imported_earlier_in_the_same_session(
    session: Session, baseline_paths: dict[str, Path]
) -> None:
    """Load order: nothing committed in between, the references still resolve."""
    for kind in IMPORT_KINDS:
        assert import_csv(session, kind, baseline_paths[kind], no_geocode=True).ok
    assert session.scalar(select(func.count()).select_from(Agreement)) == 3


def test_agreements_before_sites_report_unknown_sites(
    session: Session, baseline_paths: dict[str, Path]
) -> None:
    report = import_csv(session, "agreements", baseline_paths["agreements"])
    assert "row 2, column site_id: unknown site 'S1'" in str(report.errors[0])


def test_five_visits_a_week_fit_with_one_day_spacing(seeded: Session, tmp_path: Path) -> None:
    """The default spacing of 2 cannot hold 5 visits; an explicit 1 can."""
    rows = [
        {
            "agreement_id": "A5",
            "site_id": "S2",
            "service": "pool_service",
            "frequency": "5x_weekly",
            "min_spacing_days": "1",
        }
    ]
    report = import_csv(seeded, "agreements", write_csv(tmp_path / "a.csv", rows))
    assert report.ok, [str(e) for e in report.errors]


def test_import_on_the_migrated_schema(database_url: str, baseline_paths: dict[str, Path]) -> None:
    """The shared fixture's database is built by the migrations, not by create_all."""
    from crm.db import make_engine, make_session_factory

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            import_all(session, baseline_paths, no_geocode=True)
            session.commit()
            reports = import_all(session, baseline_paths, no_geocode=True)
            assert all(r.created == r.updated == 0 for r in reports)
    finally:
        engine.dispose()


def test_collections_loaded_before_an_import_see_the_new_rows(
    seeded: Session, tmp_path: Path
) -> None:
    """New rows are bulk-inserted; a customer's already-loaded sites still include them."""
    k1 = seeded.scalars(select(Customer).where(Customer.external_id == "K1")).one()
    assert [s.external_id for s in k1.sites] == ["S1"]
    rows = [
        {"site_id": "S5", "customer_id": "K1", "address": "5 Bay St", "lat": "28", "lon": "-82"}
    ]
    assert import_csv(seeded, "sites", write_csv(tmp_path / "s.csv", rows)).ok
    assert [s.external_id for s in k1.sites] == ["S1", "S5"]
