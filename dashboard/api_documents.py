"""The JSON documents of the API: plans, crews and visits, as ``/api/openapi.json`` describes.

Visits are read as plain rows (no ORM objects): a week has a thousand or more of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import url_for
from sqlalchemy import Select

from crm.agreements import Agreement
from crm.crews import Crew
from crm.customers import Customer, Site
from crm.services import ServiceType
from dashboard.formatting import hhmm
from dashboard.plan_rows import plan_visits_query
from scheduling.analytics_report import plan_mode
from scheduling.models import Plan, PlannedVisit


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def plan_document(plan: Plan, *, with_kpis: bool) -> dict[str, Any]:
    """A plan's summary; ``kpis`` only for the office."""
    document: dict[str, Any] = {
        "id": plan.id,
        "week_start": plan.week_start.isoformat(),
        "days": plan.days,
        "version": plan.version,
        "status": plan.status.value,
        "mode": plan_mode(plan),
        "based_on_id": plan.based_on_id,
        "note": plan.note,
        "created_by": plan.created_by,
        "created_at": _iso(plan.created_at),
        "published_at": _iso(plan.published_at),
        "lock_version": plan.lock_version,
        "links": {
            "self": url_for("api.get_plan", plan_id=plan.id),
            "visits": url_for("api.plan_visits", plan_id=plan.id),
        },
    }
    if with_kpis:
        document["kpis"] = plan.kpis or {}
    return document


def crew_document(crew: Crew, *, with_cost: bool) -> dict[str, Any]:
    """A crew with its weekly shifts; the hourly cost only for the office."""
    document: dict[str, Any] = {
        "id": crew.id,
        "external_id": crew.external_id,
        "name": crew.name,
        "colour": crew.colour,
        "skills": sorted(crew.skills),
        "region": crew.region,
        "active": crew.active,
        "start": {"lat": crew.start_lat, "lon": crew.start_lon},
        "end": {"lat": crew.end_lat, "lon": crew.end_lon},
        "shifts": [
            {"weekday": s.weekday, "start": hhmm(s.start_min), "end": hhmm(s.end_min)}
            for s in crew.shifts
        ],
        "lunch_min": crew.lunch_min,
        "links": {"self": url_for("api.get_crew", crew_id=crew.id)},
    }
    if with_cost:
        document["hourly_cost"] = str(crew.hourly_cost) if crew.hourly_cost is not None else None
    return document


#: Columns of a visit document, in its order.
_VISIT_COLUMNS = (
    PlannedVisit.id,
    PlannedVisit.date,
    PlannedVisit.crew_id,
    Crew.name.label("crew"),
    PlannedVisit.sequence,
    PlannedVisit.arrival_s,
    PlannedVisit.start_s,
    PlannedVisit.end_s,
    PlannedVisit.travel_s,
    PlannedVisit.distance_m,
    PlannedVisit.pinned,
    PlannedVisit.agreement_id,
    Agreement.external_id.label("agreement"),
    PlannedVisit.visit_index,
    ServiceType.code.label("service"),
    Customer.name.label("customer"),
    Site.id.label("site_id"),
    Site.address,
    Site.lat,
    Site.lon,
)


def visits_query(plan_id: int) -> Select[Any]:
    return plan_visits_query(plan_id, *_VISIT_COLUMNS).join(Crew, PlannedVisit.crew_id == Crew.id)


_VISIT_KEYS = tuple(c.key for c in _VISIT_COLUMNS)


def visit_document(row: Any) -> dict[str, Any]:
    document = dict(zip(_VISIT_KEYS, row, strict=True))
    document["date"] = row.date.isoformat()
    document["site"] = {
        "id": document.pop("site_id"),
        "address": document.pop("address"),
        "lat": document.pop("lat"),
        "lon": document.pop("lon"),
    }
    return document
