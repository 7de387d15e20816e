"""Every column type survives a write and a fresh read, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from crm.db import make_engine, make_session_factory
from crm.models import (
    Agreement,
    AgreementStatus,
    Contact,
    Crew,
    CrewShift,
    Customer,
    CustomerStatus,
    FrequencyUnit,
    GeocodeCacheEntry,
    GeocodeStatus,
    Holiday,
    Role,
    ServiceType,
    Site,
    User,
)
from crm.services import ensure_default_services
from dashboard.migrate import upgrade_database


@pytest.fixture
def factory(each_backend_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a freshly migrated database of each backend."""
    upgrade_database(each_backend_url)
    engine = make_engine(each_backend_url)
    yield make_session_factory(engine)
    engine.dispose()


def _company(session: Session) -> None:
    """One of everything, with values that stress each type (nested JSON, money, dates)."""
    ensure_default_services(session)
    pool = session.scalars(select(ServiceType).where(ServiceType.code == "pool_service")).one()
    crew = Crew(
        external_id="C1",
        name="Blue Crew",
        skills=["ladder", "pool_chemicals"],
        start_lat=27.9506,
        start_lon=-82.4572,
        end_lat=27.96,
        end_lon=-82.46,
        lunch_min=30,
        hourly_cost=Decimal("42.55"),
        colour="#123456",
        region="Tampa",
        shifts=[CrewShift(weekday=0, start_min=450, end_min=960)],
    )
    customer = Customer(
        external_id="CU1",
        name="Ünïcode Ltd — Pools",
        status=CustomerStatus.PROSPECT,
        tags=["vip", "commercial"],
        notes="line one\nline two",
        contacts=[Contact(name="Ana", email="ana@example.com", is_primary=True)],
    )
    site = Site(
        external_id="S1",
        customer=customer,
        address="1 Main St",
        lat=27.1,
        lon=-82.2,
        geocode_status=GeocodeStatus.GEOCODED,
        required_skills=["ladder"],
    )
    agreement = Agreement(
        external_id="A1",
        site=site,
        service_type=pool,
        frequency_unit=FrequencyUnit.WEEK,
        frequency_interval=1,
        visits_per_period=2,
        day_patterns=[[0, 3], [1, 4]],
        min_spacing_days=2,
        tw_start_min=480,
        tw_end_min=720,
        duration_min=30,
        price=Decimal("1234567890.99"),
        season_start="03-15",
        season_end="11-30",
        preferred_crew=crew,
        preferred_weekday=3,
        current_crew=crew,
        current_days=[0, 3],
        anchor_date=dt.date(2026, 3, 2),
        priority=5,
        start_date=dt.date(2026, 1, 1),
        end_date=None,
        status=AgreementStatus.PAUSED,
    )
    user = User(email="crew@example.com", name="Crew", role=Role.CREW, crew=crew)
    user.set_password("s3cret-pass")
    session.add_all(
        [
            agreement,
            user,
            Holiday(date=dt.date(2026, 12, 25), name="Christmas", region=None),
            GeocodeCacheEntry(provider="test", query="1 main st", lat=None, lon=None),
        ]
    )


def test_everything_round_trips(factory: sessionmaker[Session]) -> None:
    """JSON lists (nested too), money, enums, dates, text and relationships read back equal."""
    with factory.begin() as session:
        _company(session)
    with factory() as session:
        agreement = session.scalars(select(Agreement)).one()
        assert agreement.day_patterns == [[0, 3], [1, 4]]
        assert agreement.current_days == [0, 3]
        assert agreement.price == Decimal("1234567890.99")
        assert isinstance(agreement.price, Decimal)
        assert agreement.frequency_unit is FrequencyUnit.WEEK
        assert agreement.status is AgreementStatus.PAUSED
        assert agreement.anchor_date == dt.date(2026, 3, 2)
        assert agreement.end_date is None
        assert agreement.created_at is not None
        assert agreement.service_type.code == "pool_service"
        assert agreement.preferred_crew is agreement.current_crew
        site = agreement.site
        assert site.geocode_status is GeocodeStatus.GEOCODED
        assert site.required_skills == ["ladder"]
        customer = site.customer
        assert customer.name == "Ünïcode Ltd — Pools"
        assert customer.status is CustomerStatus.PROSPECT
        assert customer.tags == ["vip", "commercial"]
        assert customer.notes == "line one\nline two"
        assert [c.email for c in customer.contacts] == ["ana@example.com"]
        crew = session.scalars(select(Crew)).one()
        assert crew.skills == ["ladder", "pool_chemicals"]
        assert crew.hourly_cost == Decimal("42.55")
        assert [(s.weekday, s.start_min, s.end_min) for s in crew.shifts] == [(0, 450, 960)]
        assert crew.active is True
        service = session.scalars(
            select(ServiceType).where(ServiceType.code == "pool_service")
        ).one()
        assert service.tax_rate == Decimal("0.0750")
        user = session.scalars(select(User)).one()
        assert user.role is Role.CREW and user.crew_id == crew.id
        assert user.check_password("s3cret-pass") and not user.check_password("wrong")
        assert session.scalars(select(Holiday)).one().date == dt.date(2026, 12, 25)
        assert session.scalars(select(GeocodeCacheEntry)).one().lat is None


def test_enum_columns_store_the_lower_case_value(factory: sessionmaker[Session]) -> None:
    """Enums are stored as their values (portable VARCHAR), so SQL and CSV read the same."""
    with factory.begin() as session:
        _company(session)
    with factory() as session:
        raw = session.connection().exec_driver_sql("SELECT status FROM customer").scalar()
    assert raw == "prospect"


def test_external_ids_are_unique(factory: sessionmaker[Session]) -> None:
    """A second customer with the same external id is refused by the database."""
    with factory() as session:
        session.add_all([Customer(external_id="X", name="a"), Customer(external_id="X", name="b")])
        with pytest.raises(IntegrityError):
            session.flush()


def test_foreign_keys_are_enforced(factory: sessionmaker[Session]) -> None:
    """A site pointing at a missing customer is refused (SQLite needs its pragma for this)."""
    with factory() as session:
        session.add(Site(external_id="S", customer_id=999, address="nowhere"))
        with pytest.raises(IntegrityError):
            session.flush()


def test_unknown_enum_string_is_rejected(factory: sessionmaker[Session]) -> None:
    """``validate_strings`` stops a typo before it reaches the table."""
    with factory() as session:
        session.add(Customer(external_id="X", name="a", status="gone"))  # type: ignore[arg-type]
        with pytest.raises(StatementError):
            session.flush()
