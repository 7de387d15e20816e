"""Blueprint ``estimates``: estimates with catalog lines, status changes, scheduling, and the
route-aware quote panel.

The quote panel asks ``scheduling.quotes.quote_site`` for the best crew and weekday slots of
the estimate's first recurring line at its site, and prices each slot's extra drive into a
margin per visit with ``margin_per_visit``. When the quote module is missing or fails, the
panel says so and the rest of the page works.

A new site needs only its address: without latitude and longitude the view geocodes it with
``crm.geocode`` (the ``GEOCODER_URL`` server, answers cached in ``geocode_cache``). When the
address cannot be found the form comes back with the error on the address field and nothing
is saved.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm.agreements import FrequencyUnit
from crm.catalog import WEEKDAYS
from crm.clv import visits_per_year
from crm.completions import CompletionError
from crm.crews import Crew
from crm.customers import Customer, CustomerStatus, GeocodeStatus, Site
from crm.estimate_scheduling import SlotChoice, schedule_and_invoice, schedule_recurring
from crm.estimates import (
    MANUAL_TRANSITIONS,
    Estimate,
    EstimateError,
    EstimateLine,
    EstimateStatus,
    add_line,
    new_estimate,
    remove_line,
    set_status,
)
from crm.geocode import GeocodingError, Point, make_geocoder
from crm.services import ServiceType
from crm.users import Role
from dashboard import crm_forms
from dashboard.auth import roles_required
from dashboard.crm_forms import FormError
from dashboard.db import get_session

bp = Blueprint("estimates", __name__)
log = logging.getLogger(__name__)

#: The frequency choices of the line form: value -> (unit, interval, label).
FREQUENCIES: dict[str, tuple[FrequencyUnit | None, int, str]] = {
    "": (None, 1, "One-off job"),
    "week:1": (FrequencyUnit.WEEK, 1, "Weekly"),
    "week:2": (FrequencyUnit.WEEK, 2, "Every 2 weeks"),
    "week:4": (FrequencyUnit.WEEK, 4, "Every 4 weeks"),
    "month:1": (FrequencyUnit.MONTH, 1, "Monthly"),
}


def _estimate_or_404(estimate_id: int) -> Estimate:
    estimate = get_session().get(
        Estimate, estimate_id,
        options=[selectinload(Estimate.lines).selectinload(EstimateLine.service_type)],
    )
    if estimate is None:
        abort(404)
    return estimate


@bp.get("/estimates")
@roles_required(Role.DISPATCHER)
def index() -> ResponseReturnValue:
    status_value = request.args.get("status", "")
    status = next((s for s in EstimateStatus if s.value == status_value), None)
    query = (select(Estimate).options(selectinload(Estimate.lines), selectinload(Estimate.customer),
                                      selectinload(Estimate.site))
             .order_by(Estimate.id.desc()))
    if status is not None:
        query = query.where(Estimate.status == status)
    return render_template("estimates/index.html", estimates=get_session().scalars(query).all(),
                           status=status, statuses=list(EstimateStatus))


@bp.route("/estimates/new", methods=["GET", "POST"])
@roles_required(Role.DISPATCHER)
def new() -> ResponseReturnValue:
    """Pick a customer (prospects first), then a site or a new address; creates a draft."""
    session = get_session()
    source = request.form if request.method == "POST" else request.args
    customer = session.get(Customer, source.get("customer_id", 0, type=int) or 0)
    errors: dict[str, str] = {}
    if request.method == "POST" and customer is not None:
        try:
            site = _site_for_new_estimate(session, customer)
            estimate = new_estimate(
                session, customer_id=customer.id, site_id=site.id if site else None,
                created_by=crm_forms.author(), today=crm_forms.company_today(),
                notes=crm_forms.text("notes") or None,
            )
        except FormError as error:
            session.rollback()  # nothing half-saved: no site without its estimate
            if isinstance(error, AddressNotFound):
                errors["address"] = str(error)
            else:
                flash(str(error), "error")
        else:
            session.commit()
            flash(f"Estimate {estimate.number} created: add its lines.", "success")
            return redirect(url_for("estimates.detail", estimate_id=estimate.id))
    customers = session.scalars(
        select(Customer).where(Customer.status != CustomerStatus.INACTIVE)
        .order_by((Customer.status == CustomerStatus.PROSPECT).desc(), Customer.name)
    ).all()
    form = request.form if request.method == "POST" else {}
    return render_template("estimates/new.html", customer=customer, customers=customers,
                           form=form, errors=errors)


#: Shown on the address field when geocoding gives no coordinates.
ADDRESS_NOT_FOUND = (
    "could not find this address: enter its latitude and longitude, or check the spelling"
)
#: A person waits for the page: one try, not the importer's retry after a pause.
GEOCODER_TIMEOUT_S = 5.0


class AddressNotFound(FormError):
    """The geocoder found no such place or could not answer; the form asks for coordinates."""


def geocode_address(session: Session, address: str) -> Point:
    """``(lat, lon)`` of one typed address, its answer cached in ``session`` (not committed).

    One geocoder per request: a dispatcher types addresses one at a time, far below
    Nominatim's one request per second, and the cache table answers a known address.
    """
    try:
        geocoder = make_geocoder(str(current_app.config["GEOCODER_URL"]), max_retries=0,
                                 timeout_s=GEOCODER_TIMEOUT_S)
        point = geocoder.geocode(session, address)
    except (GeocodingError, ValueError) as error:
        log.warning("geocoding a new site's address failed: %s", error)
        raise AddressNotFound(ADDRESS_NOT_FOUND) from None
    if point is None:
        raise AddressNotFound(ADDRESS_NOT_FOUND)
    return point


def _site_for_new_estimate(session: Session, customer: Customer) -> Site | None:
    """The chosen site, or a new one from the address fields (geocoded without coordinates)."""
    site_id = request.form.get("site_id", "")
    if site_id and site_id != "new":
        site = session.get(Site, int(site_id))
        if site is None or site.customer_id != customer.id:
            raise FormError("that site belongs to another customer")
        return site
    address = crm_forms.text("address", max_len=300)
    if not address:
        return None
    lat, lon = crm_forms.decimal("lat"), crm_forms.decimal("lon")
    if (lat is None) != (lon is None):
        raise FormError("give both latitude and longitude, or neither")
    if lat is not None and lon is not None:
        point, status = (float(lat), float(lon)), GeocodeStatus.PROVIDED
    else:
        point, status = geocode_address(session, address), GeocodeStatus.GEOCODED
    count = len(customer.sites) + 1
    site = Site(
        external_id=f"{customer.external_id}-S{count}"[:64], customer=customer, address=address,
        lat=point[0], lon=point[1], geocode_status=status,
    )
    session.add(site)
    session.flush()
    return site


@bp.get("/estimates/<int:estimate_id>")
@roles_required(Role.DISPATCHER)
def detail(estimate_id: int) -> ResponseReturnValue:
    session = get_session()
    estimate = _estimate_or_404(estimate_id)
    services = session.scalars(select(ServiceType).order_by(ServiceType.category,
                                                            ServiceType.name)).all()
    crews = session.scalars(select(Crew).where(Crew.active.is_(True)).order_by(Crew.name)).all()
    yearly = sum(
        (line.amounts.amount * visits_per_year(line.frequency_unit, line.frequency_interval,
                                               line.visits_per_period)
         for line in estimate.recurring_lines if line.frequency_unit is not None),
        Decimal(0),
    )
    return render_template(
        "estimates/detail.html",
        estimate=estimate,
        services=services,
        crews=crews,
        frequencies=FREQUENCIES,
        transitions=MANUAL_TRANSITIONS[estimate.status],
        editable=estimate.status in (EstimateStatus.DRAFT, EstimateStatus.SENT),
        yearly=yearly.quantize(Decimal("0.01")),
        quote=quote_panel(session, estimate),
        today=crm_forms.company_today(),
        weekdays=WEEKDAYS,
    )


@bp.post("/estimates/<int:estimate_id>/lines")
@roles_required(Role.DISPATCHER)
def add_estimate_line(estimate_id: int) -> ResponseReturnValue:
    session = get_session()
    estimate = _estimate_or_404(estimate_id)
    try:
        service = session.get(ServiceType, crm_forms.integer("service_id") or 0)
        if service is None:
            raise FormError("choose a service from the catalog")
        unit, interval, _label = FREQUENCIES.get(request.form.get("frequency", ""),
                                                 FREQUENCIES[""])
        add_line(
            session, estimate, service,
            quantity=crm_forms.decimal("quantity", default=Decimal("1")) or Decimal("1"),
            unit_price=crm_forms.decimal("unit_price"),
            description=crm_forms.text("description", max_len=300) or None,
            frequency_unit=unit, frequency_interval=interval,
            visits_per_period=crm_forms.integer("visits_per_period", default=1, lo=1) or 1,
        )
    except (FormError, EstimateError) as error:
        flash(str(error), "error")
    else:
        session.commit()
    return redirect(url_for("estimates.detail", estimate_id=estimate.id))


@bp.post("/estimates/<int:estimate_id>/lines/<int:line_id>/delete")
@roles_required(Role.DISPATCHER)
def delete_line(estimate_id: int, line_id: int) -> ResponseReturnValue:
    session = get_session()
    estimate = _estimate_or_404(estimate_id)
    line = next((line for line in estimate.lines if line.id == line_id), None)
    if line is None:
        abort(404)
    try:
        remove_line(session, estimate, line)
    except EstimateError as error:
        flash(str(error), "error")
    else:
        session.commit()
    return redirect(url_for("estimates.detail", estimate_id=estimate.id))


@bp.post("/estimates/<int:estimate_id>/status")
@roles_required(Role.DISPATCHER)
def change_status(estimate_id: int) -> ResponseReturnValue:
    session = get_session()
    estimate = _estimate_or_404(estimate_id)
    status = next((s for s in EstimateStatus if s.value == request.form.get("status")), None)
    if status is None:
        abort(400)
    try:
        set_status(session, estimate, status)
    except EstimateError as error:
        flash(str(error), "error")
    else:
        session.commit()
        flash(f"Estimate {estimate.number} is {status.value}.", "success")
    return redirect(url_for("estimates.detail", estimate_id=estimate.id))


@bp.post("/estimates/<int:estimate_id>/schedule")
@roles_required(Role.DISPATCHER)
def schedule(estimate_id: int) -> ResponseReturnValue:
    """Recurring lines -> agreements (optionally on a slot picked from the quote)."""
    session = get_session()
    estimate = _estimate_or_404(estimate_id)
    try:
        start = crm_forms.date("start", default=crm_forms.company_today())
        days = tuple(sorted({int(d) for d in request.form.getlist("days") if d.isdigit()
                             and int(d) < 7}))
        choice = SlotChoice(crew_id=crm_forms.integer("crew_id"), days=days)
        agreements = schedule_recurring(session, estimate, start=start,
                                        author=crm_forms.author(), choice=choice)
    except (FormError, EstimateError) as error:
        flash(str(error), "error")
    else:
        session.commit()
        ids = ", ".join(a.external_id for a in agreements)
        flash(f"Scheduled from {start}: agreement(s) {ids}. The next plan includes them.",
              "success")
    return redirect(url_for("estimates.detail", estimate_id=estimate.id))


@bp.post("/estimates/<int:estimate_id>/schedule-invoice")
@roles_required(Role.DISPATCHER)
def schedule_invoice(estimate_id: int) -> ResponseReturnValue:
    """One-off lines: record the job as done and create its invoice, in one step."""
    session = get_session()
    estimate = _estimate_or_404(estimate_id)
    try:
        crew = session.get(Crew, crm_forms.integer("crew_id") or 0)
        if crew is None:
            raise FormError("choose the crew that does the job")
        day = crm_forms.date("date", default=crm_forms.company_today())
        tz = crm_forms.company_tz()
        started = dt.datetime.combine(day, crm_forms.clock("start"), tzinfo=tz)
        ended = dt.datetime.combine(day, crm_forms.clock("end"), tzinfo=tz)
        result = schedule_and_invoice(session, estimate, crew=crew, started_at=started,
                                      ended_at=ended, author=crm_forms.author())
    except (FormError, EstimateError, CompletionError) as error:
        flash(str(error), "error")
        return redirect(url_for("estimates.detail", estimate_id=estimate.id))
    session.commit()
    flash(f"Job recorded on {day} and invoice {result.invoice.number} created (draft).",
          "success")
    return redirect(url_for("billing.invoice_detail", invoice_id=result.invoice.id))


# --- the route-aware quote ---------------------------------------------------------------


@dataclass
class QuotePanel:
    """What the template shows: slots with margins, or why there are none."""

    shown: bool = False
    note: str | None = None
    line: EstimateLine | None = None
    visits_per_week: int = 1
    week_start: dt.date | None = None
    plan_id: int | None = None
    plan_status: str | None = None
    drive_cost_per_hour: Decimal | None = None
    elapsed_ms: float = 0.0
    rows: list[dict[str, Any]] = field(default_factory=list)


def quote_panel(session: Session, estimate: Estimate) -> QuotePanel:
    """Quote the first recurring line at the estimate's site; never raises."""
    line = next(iter(estimate.recurring_lines), None)
    site = estimate.site
    if line is None:
        return QuotePanel(note="Add a recurring line to see the best crews and weekdays.")
    if site is None or site.lat is None or site.lon is None:
        return QuotePanel(note="The site has no coordinates yet: no route-aware quote.")
    try:
        from scheduling import quotes
    except ImportError:
        return QuotePanel(note="Route-aware quotes are not available in this installation.")
    per_week = line.visits_per_period if line.frequency_unit is FrequencyUnit.WEEK else 1
    started = time.perf_counter()
    try:
        quote = quotes.quote_site(session, lat=site.lat, lon=site.lon,
                                  service_id=line.service_type_id, visits_per_week=per_week,
                                  limit=5)
    except Exception:  # the page must work even when quoting fails
        log.exception("quote for estimate %s failed", estimate.number)
        session.rollback()
        return QuotePanel(note="The quote could not be computed; the error was logged.")
    elapsed_ms = (time.perf_counter() - started) * 1000
    service = line.service_type
    price = line.amounts.amount
    crew_ids = {slot.crew_id for slot in quote.slots}
    hourly = {
        c.id: c.hourly_cost for c in session.scalars(select(Crew).where(Crew.id.in_(crew_ids)))
    }
    rows = []
    for slot in quote.slots:
        # Each crew's own hourly cost; the quote's cost (its best crew's) when it has none.
        cost = hourly.get(slot.crew_id) or quote.drive_cost_per_hour
        per_visit_s = slot.extra_drive_s // max(1, len(slot.days))
        margin = quotes.margin_per_visit(price, service.default_duration_min * 60, per_visit_s,
                                         cost)
        rows.append({
            "slot": slot,
            "days": "+".join(WEEKDAYS[d] for d in slot.days),
            "extra_min_week": round(slot.extra_drive_s / 60),
            "extra_km_week": slot.extra_distance_m / 1000,
            "start": f"{slot.start_s // 3600:02d}:{slot.start_s % 3600 // 60:02d}",
            "margin": margin,
            "cost_per_hour": cost,
            "margin_pct": (margin / price * 100) if price else None,
        })
    return QuotePanel(shown=True, line=line, visits_per_week=per_week,
                      week_start=quote.week_start, plan_id=quote.plan_id,
                      plan_status=quote.plan_status,
                      drive_cost_per_hour=quote.drive_cost_per_hour, elapsed_ms=elapsed_ms,
                      rows=rows)
