"""Import rules of ``sites.csv``: a customer's address, geocoded when it has no
coordinates, and its region (the nearest crew depot's when the file leaves it blank)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.crews import Crew
from crm.csv_schema import Row
from crm.customers import Customer, GeocodeStatus, Site
from crm.geocode import GeocodingError, normalise_query
from crm.import_common import (
    Item,
    Options,
    apply,
    bulk_insert,
    fetch_by_external_id,
    flag_duplicates,
    reference,
    settle,
)
from crm.import_report import ImportReport

MAX_GEOCODE_FAILURES_IN_A_ROW = 3
"""After this many server failures in a row the geocoder is considered down for this file."""


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
