"""Route sheets from the published plan: the day's data, the CSV and the iCalendar builder."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import func, select

from crm.crews import Crew
from scheduling.models import PlannedVisit
from scheduling.planning import plan_week
from scheduling.plans import publish
from scheduling.sheet_exports import CSV_COLUMNS, _cell, sheet_csv, sheets_calendar
from scheduling.sheets import (
    RouteSheet,
    SheetStop,
    crew_sheets,
    directions_url,
    hhmm_s,
    route_sheet,
)
from tests.scheduling.test_plans import PARAMS, WEEK_49, small_company  # noqa: F401

TZ = ZoneInfo("America/New_York")


def _busiest(session) -> tuple[Crew, dt.date]:  # type: ignore[no-untyped-def]
    """The crew-day of the published plan with the most visits (ties: lowest crew, date)."""
    crew_id, date, _ = session.execute(
        select(PlannedVisit.crew_id, PlannedVisit.date, func.count())
        .group_by(PlannedVisit.crew_id, PlannedVisit.date)
        .order_by(func.count().desc(), PlannedVisit.crew_id, PlannedVisit.date)
    ).first()
    return session.get(Crew, crew_id), date


@pytest.fixture
def published(small_company):  # type: ignore[no-untyped-def]  # noqa: F811
    """The small company with week 49 planned and published; returns the session factory."""
    plan_id = plan_week(small_company, WEEK_49, PARAMS)
    with small_company.begin() as session:
        publish(session, plan_id, now=dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC))
    return small_company


def test_route_sheet_follows_the_published_route(published) -> None:  # type: ignore[no-untyped-def]
    """Stops come in the planned order with the planned times, site data and a map link; the
    day starts at the depot before the first arrival and ends after the last visit."""
    with published() as session:
        crew, date = _busiest(session)
        sheet = route_sheet(session, crew, date)
        assert sheet is not None and sheet.crew_name == crew.name and sheet.plan_version == 1
        planned = session.scalars(
            select(PlannedVisit)
            .where(PlannedVisit.crew_id == crew.id, PlannedVisit.date == date)
            .order_by(PlannedVisit.sequence)
        ).all()
        assert [s.order for s in sheet.stops] == list(range(1, len(planned) + 1))
        for stop, visit in zip(sheet.stops, planned, strict=True):
            site = visit.agreement.site
            assert (stop.arrival_s, stop.start_s, stop.end_s) == (
                visit.arrival_s, visit.start_s, visit.end_s,
            )
            assert stop.address == site.address and stop.customer == site.customer.name
            assert stop.service == visit.agreement.service_type.name
            assert stop.duration_min == visit.agreement.duration_min
            assert stop.uid == (
                f"visit-{visit.agreement.external_id}-{date.isoformat()}-{visit.visit_index}@rounds"
            )
            assert stop.map_url.startswith("https://www.openstreetmap.org/directions?")
            assert stop.geo_url == f"geo:{site.lat:.6f},{site.lon:.6f}"
        assert sheet.leave_depot_s <= sheet.stops[0].arrival_s
        assert sheet.back_at_depot_s > sheet.stops[-1].end_s
        assert sheet.total_travel_s == sum(v.travel_s for v in planned) + sheet.return_travel_s


def test_no_published_plan_means_no_sheet(small_company) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """A draft is not what crews work from; a day outside every published plan has no sheet,
    while a published day without visits for the crew is an empty sheet."""
    plan_id = plan_week(small_company, WEEK_49, PARAMS)
    with small_company() as session:
        crew = session.scalars(select(Crew).order_by(Crew.id)).first()
        assert route_sheet(session, crew, WEEK_49 + dt.timedelta(days=1)) is None
    with small_company.begin() as session:
        publish(session, plan_id)
    with small_company() as session:
        crew = session.scalars(select(Crew).order_by(Crew.id)).first()
        assert route_sheet(session, crew, WEEK_49 + dt.timedelta(days=7)) is None
        sunday = route_sheet(session, crew, WEEK_49 + dt.timedelta(days=6))
        assert sunday is not None and sunday.stops == ()
        assert sunday.leave_depot_s is None and sunday.total_travel_s == 0


def test_csv_and_calendar_round_trip(published) -> None:  # type: ignore[no-untyped-def]
    """The CSV has the header and one row per stop; the calendar parses back with one event
    per visit of the crew's published days, in the company's zone, with a VTIMEZONE."""
    with published() as session:
        crew, date = _busiest(session)
        sheet = route_sheet(session, crew, date)
        rows = list(csv.DictReader(io.StringIO(sheet_csv(sheet))))
        assert tuple(rows[0].keys()) == CSV_COLUMNS
        assert [r["order"] for r in rows] == [str(s.order) for s in sheet.stops]
        assert rows[0]["arrival"] == hhmm_s(sheet.stops[0].arrival_s)
        assert rows[0]["customer"] == sheet.stops[0].customer

        sheets = crew_sheets(session, crew, WEEK_49)
        assert date in {s.date for s in sheets}
        visits = session.scalar(
            select(func.count()).select_from(PlannedVisit).where(PlannedVisit.crew_id == crew.id)
        )
        ics = sheets_calendar(sheets, TZ, name=crew.name).to_ical()
    parsed = icalendar.Calendar.from_ical(ics)
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["America/New_York"]
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    assert len(events) == visits
    for stop in sheet.stops:
        event = events[stop.uid]
        start = event.decoded("DTSTART")
        assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(hours=-5)
        assert start.replace(tzinfo=None) == dt.datetime.combine(date, dt.time()) + dt.timedelta(
            seconds=stop.start_s
        )
        assert event.decoded("DTEND") - start == dt.timedelta(seconds=stop.end_s - stop.start_s)
        assert str(event["SUMMARY"]) == f"{stop.service} – {stop.customer}"
        assert str(event["LOCATION"]) == stop.address
        if stop.access_notes:
            assert stop.access_notes in str(event["DESCRIPTION"])


def test_republishing_an_unchanged_plan_keeps_uids(small_company) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """UIDs come from agreements and dates, not row ids: a new version of the same routes
    gives the calendar the same events, so phones update instead of duplicating."""
    first = plan_week(small_company, WEEK_49, PARAMS)
    with small_company.begin() as session:
        publish(session, first)
    with small_company() as session:
        crew, _ = _busiest(session)
        before = {s.uid for sheet in crew_sheets(session, crew, WEEK_49) for s in sheet.stops}
    second = plan_week(small_company, WEEK_49, PARAMS)
    with small_company.begin() as session:
        publish(session, second)
    with small_company() as session:
        crew = session.get(Crew, crew.id)
        sheets = crew_sheets(session, crew, WEEK_49)
        assert {s.plan_version for s in sheets} == {2}
        assert {s.uid for sheet in sheets for s in sheet.stops} == before


# --- pure helpers --------------------------------------------------------------------------


def _stop(**changes: object) -> SheetStop:
    values: dict[str, object] = dict(
        order=1, agreement_external_id="A-1", visit_index=0, date=dt.date(2026, 12, 1),
        arrival_s=8 * 3600, start_s=8 * 3600 + 600, end_s=9 * 3600, travel_s=900,
        distance_m=10_000, customer="=HYPERLINK(\"x\")", address="1 Main St", lat=27.95,
        lon=-82.46, window_start_min=8 * 60, window_end_min=12 * 60,
        access_notes="Gate code 1234", service="Window cleaning", duration_min=45,
        map_url=None, geo_url=None,
    )
    values.update(changes)
    return SheetStop(**values)  # type: ignore[arg-type]


def _sheet(*stops: SheetStop, date: dt.date = dt.date(2026, 12, 1)) -> RouteSheet:
    return RouteSheet(
        crew_id=1, crew_name="Blue", crew_external_id="C1", date=date, plan_id=1, plan_version=1,
        published_at=None, depot_start=(27.9, -82.4), depot_end=(27.9, -82.4), stops=stops,
        return_travel_s=600, return_distance_m=5000,
    )


def test_helpers_format_times_links_and_cells() -> None:
    assert hhmm_s(None) == "" and hhmm_s(0) == "00:00"
    assert hhmm_s(7 * 3600 + 59 * 60 + 59) == "07:59"
    assert hhmm_s(25 * 3600 + 600) == "25:10"
    assert directions_url((27.9, -82.4), (28.0, -82.5)) == (
        "https://www.openstreetmap.org/directions?engine=fossgis_osrm_car"
        "&route=27.900000%2C-82.400000%3B28.000000%2C-82.500000"
    )
    assert directions_url(None, (28.0, -82.5)).endswith("?to=28.000000%2C-82.500000")
    assert _cell("=1+1") == "'=1+1" and _cell("-5") == "'-5" and _cell("Alice") == "Alice"
    assert _cell(None) == ""


def test_csv_escapes_formulas_and_writes_a_header_for_an_empty_day() -> None:
    rows = list(csv.DictReader(io.StringIO(sheet_csv(_sheet(_stop())))))
    assert rows[0]["customer"].startswith("'=")
    assert (rows[0]["window_start"], rows[0]["window_end"]) == ("08:00", "12:00")
    assert rows[0]["drive_min"] == "15" and rows[0]["distance_km"] == "10.0"
    assert sheet_csv(_sheet()).splitlines() == [",".join(CSV_COLUMNS)]


def test_calendar_uses_the_wall_clock_across_daylight_saving() -> None:
    """Seconds after midnight are wall-clock time: 08:10 stays 08:10 in summer and winter."""
    summer = _sheet(_stop(date=dt.date(2026, 7, 1)), date=dt.date(2026, 7, 1))
    winter = _sheet(_stop())
    parsed = icalendar.Calendar.from_ical(sheets_calendar([summer, winter], TZ, name="x").to_ical())
    starts = sorted(e.decoded("DTSTART") for e in parsed.walk("VEVENT"))
    assert [s.strftime("%H:%M") for s in starts] == ["08:10", "08:10"]
    assert [s.utcoffset() for s in starts] == [dt.timedelta(hours=-4), dt.timedelta(hours=-5)]
    assert all(str(e["DTSTAMP"].to_ical(), "ascii").endswith("Z") for e in parsed.walk("VEVENT"))
