"""Blueprint ``crm``: the customer and crew pages of the office, and a crew's own page."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from crm.crews import Crew
from crm.customers import CustomerStatus
from crm.users import Role
from dashboard import queries
from dashboard.auth import CurrentUser, roles_required
from dashboard.db import get_session

bp = Blueprint("crm", __name__)


@bp.get("/customers")
@roles_required(Role.DISPATCHER)
def customers() -> ResponseReturnValue:
    """Paged customer list; the search box matches name, id, e-mail, phone, address or tag."""
    search = request.args.get("q", "", type=str)[:200]
    status_value = request.args.get("status", "", type=str)
    status = next((s for s in CustomerStatus if s.value == status_value), None)
    page = request.args.get("page", 1, type=int) or 1
    result = queries.customer_page(
        get_session(),
        search=search,
        status=status,
        page=page,
        per_page=current_app.config["CUSTOMERS_PER_PAGE"],
    )
    return render_template(
        "crm/customers.html",
        result=result,
        search=search,
        status=status,
        statuses=list(CustomerStatus),
    )


@bp.get("/crews")
@roles_required(Role.DISPATCHER)
def crews() -> ResponseReturnValue:
    return render_template("crm/crews.html", crews=queries.crews_with_shifts(get_session()))


@bp.get("/crews/<int:crew_id>")
@login_required
def crew_detail(crew_id: int) -> ResponseReturnValue:
    """A crew and its round; crew users may only open their own crew."""
    user = cast(CurrentUser, current_user)
    if not user.has_role(Role.DISPATCHER) and user.crew_id != crew_id:
        abort(403)
    session = get_session()
    crew = session.get(Crew, crew_id)
    if crew is None:
        abort(404)
    agreements = queries.crew_agreements(session, crew_id)
    return render_template("crm/crew_detail.html", crew=crew, agreements=agreements)


@bp.get("/no-crew")
@login_required
def no_crew() -> ResponseReturnValue:
    """Landing page of a crew account that is not linked to a crew yet."""
    return render_template("crm/no_crew.html")
