"""The rules of each import file: checks across columns, references, and the upsert.

Each kind has a ``check_*`` function that turns parsed rows into :class:`Item` s (what would be
created or updated, with every row error recorded on its row) without writing anything, and a
``write_*`` function that applies the items. :mod:`crm.importer` only calls ``write_*`` when
no row of the file has an error: that is the whole of the all-or-nothing rule.

Referenced rows are fetched in bulk (one query per 500 ids), never per row, so that a
10,000-row file imports in seconds.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import InstrumentedAttribute

from crm import parsing as p
from crm.agreements import Agreement, AgreementStatus
from crm.catalog import DEFAULT_SERVICES, WEEKDAYS
from crm.crews import Crew, CrewShift
from crm.csv_schema import Row
from crm.customers import Contact, Customer, CustomerStatus, GeocodeStatus, Site
from crm.geocode import Geocoder, GeocodeResult, GeocodingError, normalise_query
from crm.import_report import ImportReport
from crm.services import ServiceType, ensure_default_services

T = TypeVar("T")
CHUNK = 500
DEFAULT_COLOUR = "#4C78A8"
DEFAULT_LUNCH = (11 * 60 + 30, 13 * 60 + 30)
MAX_GEOCODE_FAILURES_IN_A_ROW = 3
"""After this many server failures in a row the geocoder is considered down for this file."""


@dataclass
class Item:
    """One valid row: the model values it sets, the row it updates (if any) and the outcome."""

    row: Row
    external_id: str
    existing: Any | None
    values: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
    status: str = ""


@dataclass
class Options:
    """How the caller wants rows without coordinates handled."""

    geocoder: Geocoder | None
    no_geocode: bool
    default_geocoder: Callable[[], Geocoder]
    used_results: list[GeocodeResult] = field(default_factory=list)

    def get_geocoder(self) -> Geocoder:
        if self.geocoder is None:
            self.geocoder = self.default_geocoder()
        return self.geocoder


# --------------------------------------------------------------------------- shared helpers


def fetch_by_external_id(
    session: Session, model: type[T], ids: Iterable[str], *options: Any
) -> dict[str, T]:
    """Rows of ``model`` whose ``external_id`` is in ``ids`` (pending ones included)."""
    column: InstrumentedAttribute[str] = model.external_id  # type: ignore[attr-defined]
    wanted = sorted(set(ids))
    found: dict[str, T] = {}
    for start in range(0, len(wanted), CHUNK):
        query = select(model).where(column.in_(wanted[start : start + CHUNK])).options(*options)
        found.update((obj.external_id, obj) for obj in session.scalars(query))  # type: ignore[attr-defined]
    return found


def flag_duplicates(rows: Sequence[Row], column: str) -> None:
    """An external id may appear once per file: a second row would silently win otherwise."""
    first: dict[str, int] = {}
    for row in rows:
        key = row.get(column)
        if key is None:
            continue
        if key in first:
            row.error(column, f"duplicate {column} {key!r} (first on row {first[key]})")
        else:
            first[key] = row.number


def differs(obj: Any, values: dict[str, Any]) -> bool:
    """True when setting ``values`` on ``obj`` would change it."""
    return any(getattr(obj, name) != value for name, value in values.items())


def apply(obj: Any, values: dict[str, Any]) -> None:
    """Set only what changed, so unchanged columns are not written (nor marked dirty)."""
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


def settle(item: Item, extra_differs: bool = False) -> None:
    if item.existing is None:
        item.status = "created"
    elif extra_differs or differs(item.existing, item.values):
        item.status = "updated"
    else:
        item.status = "unchanged"


def reference(row: Row, column: str, found: dict[str, T], what: str, file_hint: str) -> T | None:
    """The referenced row for ``row[column]``, or None with a row error if it is unknown."""
    key = row.get(column)
    if key is None:
        return None
    obj = found.get(key)
    if obj is None:
        row.error(column, f"unknown {what} {key!r}: not in the database ({file_hint})")
    return obj


def _suggest(word: str, options: Iterable[str]) -> str:
    choices = sorted(options)
    close = difflib.get_close_matches(word, choices, n=1)
    return f"did you mean {close[0]}?" if close else f"use {', '.join(choices)}"


# --------------------------------------------------------------------------- crews


def check_crews(session: Session, rows: Sequence[Row], opts: Options) -> list[Item]:
    """Skills, depot coordinates, shifts and lunch; shifts are compared as a whole."""
    flag_duplicates(rows, "crew_id")
    existing = fetch_by_external_id(
        session,
        Crew,
        (r.get("crew_id") for r in rows if r.get("crew_id")),
        selectinload(Crew.shifts),
    )
    items = []
    for row in rows:
        if row.ok("skills") and row.values["skills"] == []:
            row.error("skills", "at least one skill is required")
        row.both_or_neither("end_lat", "end_lon")
        if row.both_or_neither("lunch_start", "lunch_end"):
            start, end = row.get("lunch_start"), row.get("lunch_end")
            if start is not None and end <= start:
                row.error(
                    "lunch_end",
                    f"lunch window {p.format_time(start)}-{p.format_time(end)} is "
                    + ("empty" if start == end else "inverted"),
                )
        if row.errors:
            continue
        v = row.values
        lunch = (
            (v["lunch_start"], v["lunch_end"]) if v["lunch_start"] is not None else DEFAULT_LUNCH
        )
        values = {
            "name": v["name"],
            "skills": v["skills"],
            "start_lat": v["start_lat"],
            "start_lon": v["start_lon"],
            "end_lat": v["end_lat"] if v["end_lat"] is not None else v["start_lat"],
            "end_lon": v["end_lon"] if v["end_lon"] is not None else v["start_lon"],
            "lunch_min": v["lunch_min"] or 0,
            "lunch_start_min": lunch[0],
            "lunch_end_min": lunch[1],
            "hourly_cost": v["hourly_cost"],
            "colour": v["colour"] or DEFAULT_COLOUR,
            "region": v["region"],
        }
        item = Item(row, v["crew_id"], existing.get(v["crew_id"]), values, {"shifts": v["shifts"]})
        settle(item, item.existing is not None and shifts_of(item.existing) != v["shifts"])
        items.append(item)
    return items


def shifts_of(crew: Crew) -> p.Shifts:
    return {s.weekday: (s.start_min, s.end_min) for s in crew.shifts}


def write_crews(session: Session, items: Sequence[Item]) -> None:
    """New crews get their shifts; changed crews get theirs replaced (edited in place, so the
    unique (crew, weekday) constraint never sees two rows for one day)."""
    for item in items:
        shifts: p.Shifts = item.extra["shifts"]
        if item.status == "created":
            crew = Crew(external_id=item.external_id, **item.values)
            crew.shifts = [
                CrewShift(weekday=d, start_min=s, end_min=e) for d, (s, e) in shifts.items()
            ]
            session.add(crew)
        elif item.status == "updated":
            crew = item.existing
            apply(crew, item.values)
            by_day = {s.weekday: s for s in crew.shifts}
            for day, shift in by_day.items():
                if day not in shifts:
                    crew.shifts.remove(shift)
            for day, (start, end) in shifts.items():
                if day in by_day:
                    apply(by_day[day], {"start_min": start, "end_min": end})
                else:
                    crew.shifts.append(CrewShift(weekday=day, start_min=start, end_min=end))


# --------------------------------------------------------------------------- customers


def check_customers(session: Session, rows: Sequence[Row], opts: Options) -> list[Item]:
    """Customers and their primary contact (named after the customer unless given)."""
    flag_duplicates(rows, "customer_id")
    existing = fetch_by_external_id(
        session,
        Customer,
        (r.get("customer_id") for r in rows if r.get("customer_id")),
        selectinload(Customer.contacts),
    )
    items = []
    for row in rows:
        if row.errors:
            continue
        v = row.values
        values = {
            "name": v["name"],
            "status": v["status"] or CustomerStatus.ACTIVE,
            "email": v["email"],
            "phone": v["phone"],
            "tags": v["tags"] or [],
            "notes": v["notes"],
        }
        contact = {"name": v["contact_name"] or v["name"], "email": v["email"], "phone": v["phone"]}
        item = Item(row, v["customer_id"], existing.get(v["customer_id"]), values, contact)
        primary = primary_contact(item.existing) if item.existing is not None else None
        settle(item, item.existing is not None and (primary is None or differs(primary, contact)))
        items.append(item)
    return items


def primary_contact(customer: Customer) -> Contact | None:
    return next((c for c in customer.contacts if c.is_primary), None)


def bulk_insert(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """Core executemany INSERT on the model's table, RETURNING the new ids in row order.

    Building 10,000 ORM objects for the unit of work costs several times more; and the ORM's
    own bulk INSERT splits rows by which values are None, which made it slower still (one
    statement per handful of rows). Every dict in ``rows`` must have the same keys.
    """
    if not rows:
        return []
    table = model.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, rows))


def write_customers(session: Session, items: Sequence[Item]) -> None:
    created = [item for item in items if item.status == "created"]
    ids = bulk_insert(
        session, Customer, [{"external_id": i.external_id, **i.values} for i in created]
    )
    bulk_insert(
        session,
        Contact,
        [
            {"customer_id": cid, "is_primary": True, **i.extra}
            for cid, i in zip(ids, created, strict=True)
        ],
    )
    for item in items:
        if item.status == "updated":
            apply(item.existing, item.values)
            primary = primary_contact(item.existing)
            if primary is None:
                item.existing.contacts.append(Contact(is_primary=True, **item.extra))
            else:
                apply(primary, item.extra)


# --------------------------------------------------------------------------- sites


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def nearest_region(
    lat: float, lon: float, depots: Sequence[tuple[float, float, str]]
) -> str | None:
    """The region of the crew depot closest to (lat, lon); None when no crew has a region."""
    if not depots:
        return None
    return min(depots, key=lambda d: _haversine_km(lat, lon, d[0], d[1]))[2]


def check_sites(
    session: Session, rows: Sequence[Row], opts: Options, report: ImportReport
) -> list[Item]:
    """Customer references, coordinates (given, kept, or geocoded) and the depot region."""
    flag_duplicates(rows, "site_id")
    customers = fetch_by_external_id(
        session, Customer, (r.get("customer_id") for r in rows if r.get("customer_id"))
    )
    existing = fetch_by_external_id(
        session, Site, (r.get("site_id") for r in rows if r.get("site_id"))
    )
    items: list[Item] = []
    to_geocode: list[Item] = []
    for row in rows:
        customer = reference(
            row, "customer_id", customers, "customer", "import customers.csv first"
        )
        has_pair = row.both_or_neither("lat", "lon")
        if row.errors or customer is None:
            continue
        v = row.values
        site = existing.get(v["site_id"])
        values: dict[str, Any] = {
            "customer_id": customer.id,
            "address": v["address"],
            "access_notes": v["access_notes"],
            "required_skills": v["required_skills"] or [],
        }
        item = Item(row, v["site_id"], site, values, {"region": v["region"]})
        if has_pair and v["lat"] is not None:
            keep = (
                site is not None
                and site.geocode_status is GeocodeStatus.GEOCODED
                and (site.lat, site.lon) == (v["lat"], v["lon"])
            )
            status = GeocodeStatus.GEOCODED if keep else GeocodeStatus.PROVIDED
            values.update(lat=v["lat"], lon=v["lon"], geocode_status=status)
        elif (
            site is not None
            and site.geocode_status is GeocodeStatus.GEOCODED
            and site.lat is not None
            and site.lon is not None
            and normalise_query(site.address) == normalise_query(v["address"])
        ):
            # already geocoded for this very address: no need to ask anyone again
            values.update(lat=site.lat, lon=site.lon, geocode_status=GeocodeStatus.GEOCODED)
        elif opts.no_geocode:
            row.error("lat", "no coordinates and geocoding is off (--no-geocode)")
            continue
        else:
            to_geocode.append(item)
        items.append(item)

    if to_geocode:
        if any(row.errors for row in rows):
            report.warnings.append(
                f"{len(to_geocode)} address(es) were not geocoded because the file has errors"
            )
        else:
            _geocode(session, to_geocode, opts, report)

    depots = [
        (c.start_lat, c.start_lon, c.region)
        for c in session.scalars(select(Crew).where(Crew.region.is_not(None)).order_by(Crew.id))
        if c.region
    ]
    done = []
    for item in items:
        if item.row.errors or "lat" not in item.values:
            continue
        region = item.extra.pop("region")
        if region is None:
            region = nearest_region(item.values["lat"], item.values["lon"], depots)
        item.values["region"] = region
        settle(item)
        done.append(item)
    return done


def _geocode(session: Session, items: Sequence[Item], opts: Options, report: ImportReport) -> None:
    """Geocode the addresses of ``items``; failures become row errors on ``address``."""
    geocoder = opts.get_geocoder()
    geocoder.prefetch(session, (item.values["address"] for item in items))
    failures_in_a_row = 0
    last_failure = ""
    for item in items:
        address = item.values["address"]
        if failures_in_a_row >= MAX_GEOCODE_FAILURES_IN_A_ROW:
            item.row.error(
                "address",
                f"not geocoded: the geocoder failed {failures_in_a_row} times in a row "
                f"(last: {last_failure}); try again later or give lat and lon",
            )
            continue
        try:
            result = geocoder.lookup(session, address)
        except GeocodingError as exc:
            failures_in_a_row += 1
            last_failure = str(exc)
            item.row.error(
                "address",
                f"geocoding {address!r} failed ({exc}); try again later or give lat and lon",
            )
            continue
        failures_in_a_row = 0
        opts.used_results.append(result)
        if result.point is None:
            item.row.error(
                "address",
                f"the geocoder found no place for {address!r}; "
                "check the address or give lat and lon",
            )
            continue
        lat, lon = result.point
        item.values.update(lat=lat, lon=lon, geocode_status=GeocodeStatus.GEOCODED)
        report.geocoded += 1


def write_sites(session: Session, items: Sequence[Item]) -> None:
    bulk_insert(
        session,
        Site,
        [{"external_id": i.external_id, **i.values} for i in items if i.status == "created"],
    )
    for item in items:
        if item.status == "updated":
            apply(item.existing, item.values)


# --------------------------------------------------------------------------- agreements


@dataclass(frozen=True)
class ServiceInfo:
    """A catalog entry as the import sees it; ``id`` None until the defaults are written."""

    id: int | None
    duration_min: int
    price: Decimal


def service_catalog(session: Session) -> dict[str, ServiceInfo]:
    """The database's services plus the shipped defaults it lacks (without writing them)."""
    catalog = {d.code: ServiceInfo(None, d.duration_min, d.price) for d in DEFAULT_SERVICES}
    for s in session.scalars(select(ServiceType)):
        catalog[s.code] = ServiceInfo(s.id, s.default_duration_min, s.default_price)
    return catalog


def _check_frequency(row: Row, crew: Crew | None) -> tuple[int, list[list[int]]] | None:
    """Visits per week, spacing and patterns must fit in a week (and in the preferred crew's
    working days). Returns (min_spacing_days, patterns) when they do."""
    if not row.ok("frequency", "day_patterns", "min_spacing_days"):
        return None
    freq: p.Frequency = row.values["frequency"]
    n = freq.visits_per_week
    given_spacing = row.values["min_spacing_days"]
    min_spacing = given_spacing if given_spacing is not None else (2 if n > 1 else 0)
    spacing_column = "min_spacing_days" if given_spacing is not None else "frequency"
    patterns: list[list[int]] = row.values["day_patterns"] or []
    label = p.format_frequency(freq)
    ok = True
    for pattern in patterns:
        text = p.format_weekday_set(pattern)
        if len(pattern) != n:
            row.error(
                "day_patterns",
                f"pattern {text} has {len(pattern)} day(s), but {label} needs {n} a week",
            )
            ok = False
        elif n > 1 and p.spacing(pattern) < min_spacing:
            row.error(
                "day_patterns",
                f"pattern {text} has visits {p.spacing(pattern)} day(s) apart, "
                f"but min_spacing_days is {min_spacing}",
            )
            ok = False
    working = sorted(shifts_of(crew)) if crew is not None else list(range(7))
    if crew is not None and len(working) < n:
        days = ", ".join(WEEKDAYS[d] for d in working) or "no day"
        row.error(
            "preferred_crew_id",
            f"crew {crew.external_id!r} works {len(working)} day(s) a week ({days}), "
            f"fewer than the {n} visits of {label}",
        )
        return None
    if ok and not patterns and n > 1 and p.max_spaced_visits(working, min_spacing) < n:
        whose = f"of crew {crew.external_id!r}'s working days" if crew is not None else "of a week"
        row.error(
            spacing_column,
            f"no {n} days {whose} are at least {min_spacing} days apart, so {label} "
            f"cannot be planned (lower min_spacing_days or give day_patterns)",
        )
        return None
    return (min_spacing, patterns) if ok else None


def check_agreements(session: Session, rows: Sequence[Row], opts: Options) -> list[Item]:
    """Services, references, frequency against the week, windows, seasons and dates."""
    flag_duplicates(rows, "agreement_id")
    catalog = service_catalog(session)
    sites = fetch_by_external_id(
        session, Site, (r.get("site_id") for r in rows if r.get("site_id"))
    )
    crew_ids = {r.get(c) for r in rows for c in ("preferred_crew_id", "current_crew_id")} - {None}
    crews = fetch_by_external_id(session, Crew, crew_ids, selectinload(Crew.shifts))
    existing = fetch_by_external_id(
        session, Agreement, (r.get("agreement_id") for r in rows if r.get("agreement_id"))
    )
    items = []
    for row in rows:
        site = reference(row, "site_id", sites, "site", "import sites.csv first")
        preferred = reference(row, "preferred_crew_id", crews, "crew", "import crews.csv first")
        current = reference(row, "current_crew_id", crews, "crew", "import crews.csv first")
        service = None
        code = row.get("service")
        if code is not None:
            service = catalog.get(code.lower())
            if service is None:
                row.error(
                    "service", f"unknown service {code!r} ({_suggest(code.lower(), catalog)})"
                )
        frequency = _check_frequency(row, preferred if row.ok("preferred_crew_id") else None)
        freq: p.Frequency | None = row.get("frequency")
        if row.both_or_neither("tw_start", "tw_end") and row.get("tw_start") is not None:
            start, end = row.values["tw_start"], row.values["tw_end"]
            if end <= start:
                row.error(
                    "tw_end",
                    f"time window {p.format_time(start)}-{p.format_time(end)} is "
                    + ("empty" if start == end else "inverted (tw_start must be before tw_end)"),
                )
        row.both_or_neither("season_start", "season_end")
        start_date, end_date = row.get("start_date"), row.get("end_date")
        if start_date is not None and end_date is not None and end_date < start_date:
            row.error("end_date", f"{end_date} is before start_date {start_date}")
        current_days = row.get("current_days")
        if (
            freq is not None
            and current_days is not None
            and len(current_days) != freq.visits_per_week
        ):
            row.error(
                "current_days",
                f"{p.format_weekday_set(current_days)} has {len(current_days)} day(s), but "
                f"{p.format_frequency(freq)} has {freq.visits_per_week} visit(s) a week",
            )
        if row.errors or site is None or service is None or frequency is None or freq is None:
            continue
        v = row.values
        min_spacing, patterns = frequency
        values = {
            "site_id": site.id,
            "frequency_unit": freq.unit,
            "frequency_interval": freq.interval,
            "visits_per_period": freq.visits_per_week,
            "day_patterns": patterns,
            "min_spacing_days": min_spacing,
            "tw_start_min": v["tw_start"],
            "tw_end_min": v["tw_end"],
            "duration_min": v["duration_min"]
            if v["duration_min"] is not None
            else service.duration_min,
            "price": v["price"] if v["price"] is not None else service.price,
            "season_start": v["season_start"],
            "season_end": v["season_end"],
            "preferred_crew_id": preferred.id if preferred is not None else None,
            "preferred_weekday": v["preferred_weekday"],
            "current_crew_id": current.id if current is not None else None,
            "current_days": current_days or [],
            "anchor_date": v["anchor_date"],
            "priority": v["priority"] if v["priority"] is not None else 3,
            "start_date": start_date,
            "end_date": end_date,
            "status": v["status"] or AgreementStatus.ACTIVE,
        }
        item = Item(
            row,
            v["agreement_id"],
            existing.get(v["agreement_id"]),
            values,
            {"service": code.lower()},
        )
        settle(item, item.existing is not None and item.existing.service_type_id != service.id)
        items.append(item)
    return items


def write_agreements(session: Session, items: Sequence[Item]) -> None:
    """Writes the catalog defaults first (``ensure_default_services``) for their ids."""
    if not any(item.status in ("created", "updated") for item in items):
        return
    ensure_default_services(session)
    service_ids = {s.code: s.id for s in session.scalars(select(ServiceType))}
    new = []
    for item in items:
        values = {**item.values, "service_type_id": service_ids[item.extra["service"]]}
        if item.status == "created":
            new.append({"external_id": item.external_id, **values})
        elif item.status == "updated":
            apply(item.existing, values)
    bulk_insert(session, Agreement, new)
