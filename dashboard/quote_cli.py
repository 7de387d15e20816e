"""``rounds quote``: the best crews and weekdays for a prospect's point, from a shell.

The same quote as the estimate page (:func:`scheduling.quotes.quote_site`): extra drive per
week against the published plan, and the margin per visit at the service's list price.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from crm.catalog import WEEKDAYS
from crm.services import ServiceType
from dashboard.cli_support import require_current_schema, user_errors
from dashboard.db import get_database

if TYPE_CHECKING:
    from scheduling.quotes import Quote

_WINDOW = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def _window(_ctx: click.Context, _param: click.Parameter, value: str | None):  # type: ignore[no-untyped-def]
    if value is None:
        return None
    match = _WINDOW.match(value.strip())
    if not match:
        raise click.BadParameter(f"{value!r} is not a window like 08:00-11:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60 and start < end):
        raise click.BadParameter(f"{value!r} is not a window like 08:00-11:00")
    return start, end


def _week(_ctx: click.Context, _param: click.Parameter, value: str | None):  # type: ignore[no-untyped-def]
    if value is None:
        return None
    from scheduling.planning import parse_week  # the solver's imports: not for --help

    try:
        return parse_week(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def format_quote(quote: Quote, service: ServiceType) -> list[str]:
    """The quote as a plain-text table, one line per slot, best first."""
    from scheduling.quotes import margin_per_visit
    plan = f"published plan {quote.plan_id}" if quote.plan_id else "no published plan (empty days)"
    lines = [
        f"{service.code} at {service.default_price} a visit, against the week of "
        f"{quote.week_start} ({plan}); crew cost {quote.drive_cost_per_hour}/h; "
        f"{quote.elapsed_s * 1000:.0f} ms",
    ]
    if not quote.slots:
        lines.append("no crew with the skill works on any day of this frequency")
        return lines
    header = f"{'#':>2}  {'crew':<24} {'days':<12} {'start':>5} {'+min/wk':>7} {'+km/wk':>7} "
    lines += [header + f"{'margin':>8}  note", "-" * (len(header) + 16)]
    service_s = service.default_duration_min * 60
    for rank, slot in enumerate(quote.slots, start=1):
        days = "+".join(WEEKDAYS[d] for d in slot.days)
        per_visit = slot.extra_drive_s // len(slot.days)
        margin = margin_per_visit(service.default_price, service_s, per_visit,
                                  quote.drive_cost_per_hour) if slot.fits else "-"  # fmt: skip
        start = _clock(slot.start_s) if slot.fits else "-"
        note = "fits" if slot.fits else f"no room: {slot.reason}"
        lines.append(
            f"{rank:>2}  {slot.crew_name[:24]:<24} {days:<12} {start:>5} "
            f"{slot.extra_drive_s / 60:>7.1f} {slot.extra_distance_m / 1000:>7.1f} "
            f"{margin:>8}  {note}"
        )
    return lines


@click.command("quote")
@click.option("--lat", required=True, type=click.FloatRange(-90, 90), help="Latitude, degrees.")
@click.option("--lon", required=True, type=click.FloatRange(-180, 180), help="Longitude, degrees.")
@click.option("--service", "code", required=True, help="Service code, e.g. pool_service.")
@click.option("--visits-per-week", default=1, show_default=True, type=click.IntRange(1, 7),
              help="Visits a week (patterns: any day; Mon+Thu, Tue+Fri, ...).")
@click.option("--window", callback=_window, default=None, metavar="HH:MM-HH:MM",
              help="Earliest and latest start of the visit (default: any time).")
@click.option("--week", "monday", callback=_week, default=None,
              help="Price against this week's published plan (default: the latest one).")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50),
              help="Slots to show.")
@with_appcontext
@user_errors
def quote_command(  # type: ignore[no-untyped-def]
    lat: float, lon: float, code: str, visits_per_week: int, window, monday, limit: int
) -> None:
    """Best crew and weekday slots for a new recurring visit at (LAT, LON)."""
    from scheduling.quotes import quote_site

    require_current_schema()
    with get_database().session_factory() as session:
        service = session.scalars(
            select(ServiceType).where(ServiceType.code == code.strip().lower())
        ).first()
        if service is None:
            known = ", ".join(session.scalars(select(ServiceType.code).order_by(ServiceType.code)))
            raise click.BadParameter(f"unknown service {code!r} (known: {known or 'none'})",
                                     param_hint="--service")  # fmt: skip
        week: dt.date | None = monday
        quote = quote_site(session, lat=lat, lon=lon, service_id=service.id,
                           visits_per_week=visits_per_week, window=window, week_start=week,
                           limit=limit)  # fmt: skip
        for line in format_quote(quote, service):
            click.echo(line)
