"""Import rules of ``agreements.csv``: a site's recurring service, its frequency and the
crews it prefers or has today."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm import parsing as p
from crm.agreements import Agreement, AgreementStatus
from crm.catalog import DEFAULT_SERVICES, WEEKDAYS
from crm.crews import Crew
from crm.csv_schema import Row
from crm.customers import Site
from crm.import_common import (
    Item,
    Options,
    apply,
    bulk_insert,
    fetch_by_external_id,
    flag_duplicates,
    reference,
    settle,
    suggest,
)
from crm.import_crews import shifts_of
from crm.services import ServiceType, ensure_default_services


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
                row.error("service", f"unknown service {code!r} ({suggest(code.lower(), catalog)})")
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
