"""Blueprint ``api`` (``/api``): plans, visits and crews as JSON; publish with a bearer token.

Who may call it:

- Reads (GET) take a signed-in session (the dashboard's own pages) or a bearer token
  (``Authorization: Bearer rnd_...``, made with ``rounds token create``). A token acts as its
  user: same role, same crew.
- Writes (POST) take a bearer token only. The blueprint is exempt from CSRF, which is safe
  because a browser cannot attach an ``Authorization`` header to a cross-site form post, and
  session-cookie POSTs are refused outright.
- Crew users see published plans only, and only their own crew's visits and crew record.

Errors are ``{"error": {"status", "message"}}`` (``dashboard.errors``). Times of a visit are
seconds after midnight of its ``date`` on the company's clock; the document at
``/api/openapi.json`` describes every route.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

from flask import Blueprint, abort, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from crm.crews import Crew
from crm.users import Role
from dashboard import csrf
from dashboard.api_documents import crew_document, plan_document, visit_document, visits_query
from dashboard.api_tokens import user_for_token
from dashboard.auth import CurrentUser
from dashboard.db import get_session
from dashboard.errors import error_response
from dashboard.migrate import head_revision, revision_of
from dashboard.openapi import openapi_document
from scheduling.models import Plan, PlannedVisit, PlanStatus
from scheduling.planning import parse_week
from scheduling.plans import PlanError, publish

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)

#: Endpoints anyone may call: monitoring and the API's own description.
PUBLIC_ENDPOINTS = frozenset({"api.health", "api.openapi"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# --- who is calling ------------------------------------------------------------------------


def _unauthorized(message: str) -> ResponseReturnValue:
    body, status = cast(tuple[Any, int], error_response(401, message))
    body.headers["WWW-Authenticate"] = 'Bearer realm="rounds"'
    return body, status


@bp.before_request
def authenticate() -> ResponseReturnValue | None:
    """Resolve the caller into ``g.api_user``, or answer 401."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _unauthorized("the Authorization header must be 'Bearer <token>'")
        session = get_session()
        user = user_for_token(session, token.strip())
        if user is None:
            session.rollback()
            return _unauthorized("the API token is unknown or revoked")
        g.api_user = CurrentUser.from_row(user)
        session.commit()  # the token's last_used_at
        return None
    if request.method not in SAFE_METHODS:
        return _unauthorized("changes through the API need a bearer token (rounds token create)")
    if current_user.is_authenticated:
        g.api_user = cast(CurrentUser, current_user)
        return None
    return _unauthorized("sign in, or send a bearer token")


def _caller() -> CurrentUser:
    return cast(CurrentUser, g.api_user)


def _is_office(user: CurrentUser) -> bool:
    """Owners and dispatchers see every plan and crew; crews their own."""
    return user.has_role(Role.DISPATCHER)


# --- lookups -------------------------------------------------------------------------------


def _readable_plan(plan_id: int) -> Plan:
    """The plan, if the caller may read it: crews only published plans (404 otherwise)."""
    plan = get_session().get(Plan, plan_id)
    if plan is None or (not _is_office(_caller()) and plan.status is not PlanStatus.PUBLISHED):
        abort(404, description=f"there is no plan {plan_id}")
    return plan


def _int_arg(name: str) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        abort(400, description=f"{name}: {value!r} is not a whole number")


def _date_arg(name: str) -> dt.date | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        abort(400, description=f"{name}: {value!r} is not a date YYYY-MM-DD")


def _json_object() -> dict[str, Any]:
    """The request's JSON object body ({} when there is none); 400/415 when it is not one."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if not request.is_json:
        abort(415, description="send a JSON body (Content-Type: application/json) or none")
    try:
        body = json.loads(raw)
    except ValueError:
        abort(400, description="the body is not valid JSON")
    if not isinstance(body, dict):
        abort(400, description="the body must be a JSON object")
    return body


# --- routes --------------------------------------------------------------------------------


@bp.get("/health")
def health() -> ResponseReturnValue:
    """Liveness and schema state for load balancers and monitoring; needs no sign-in."""
    revision = revision_of(get_session().connection())
    expected = head_revision()
    ok = revision == expected
    body = {
        "status": "ok" if ok else "schema_out_of_date",
        "revision": revision,
        "expected_revision": expected,
    }
    return jsonify(body), 200 if ok else 503


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())


@bp.get("/plans")
def list_plans() -> ResponseReturnValue:
    """Plans, newest week and version first; ``?week=`` (a date in it or 2026-W49), ``?status=``."""
    user = _caller()
    query = select(Plan).order_by(Plan.week_start.desc(), Plan.version.desc())
    week = request.args.get("week")
    if week:
        try:
            query = query.where(Plan.week_start == parse_week(week))
        except ValueError as error:
            abort(400, description=f"week: {error}")
    status = request.args.get("status")
    if status:
        try:
            query = query.where(Plan.status == PlanStatus(status))
        except ValueError:
            choices = ", ".join(s.value for s in PlanStatus)
            abort(400, description=f"status: {status!r} is not one of {choices}")
    office = _is_office(user)
    if not office:
        query = query.where(Plan.status == PlanStatus.PUBLISHED)
    plans = get_session().scalars(query.limit(500)).all()
    return jsonify(plans=[plan_document(p, with_kpis=office) for p in plans])


@bp.get("/plans/<int:plan_id>")
def get_plan(plan_id: int) -> ResponseReturnValue:
    """One plan with its KPIs and (for the office) its unplaced visits and their reasons."""
    plan = _readable_plan(plan_id)
    office = _is_office(_caller())
    document = plan_document(plan, with_kpis=office)
    if office:
        document["unplaced"] = [
            {
                "agreement_id": u.agreement_id,
                "week_start": u.week_start.isoformat(),
                "code": u.code,
                "reason": u.reason,
            }
            for u in plan.unplaced
        ]
    return jsonify(plan=document)


@bp.get("/plans/<int:plan_id>/visits")
def plan_visits(plan_id: int) -> ResponseReturnValue:
    """A plan's visits in route order; ``?crew_id=`` and ``?date=`` filter. Crews get their own."""
    plan = _readable_plan(plan_id)
    user = _caller()
    crew_id = _int_arg("crew_id")
    if not _is_office(user):
        if crew_id is not None and crew_id != user.crew_id:
            abort(403, description="a crew reads only its own visits")
        crew_id = user.crew_id if user.crew_id is not None else -1
    query = visits_query(plan.id)
    if crew_id is not None:
        query = query.where(PlannedVisit.crew_id == crew_id)
    day = _date_arg("date")
    if day is not None:
        query = query.where(PlannedVisit.date == day)
    rows = get_session().execute(query).all()
    return jsonify(plan_id=plan.id, visits=[visit_document(r) for r in rows])


@bp.get("/crews")
def list_crews() -> ResponseReturnValue:
    """Every crew for the office; a crew user's own crew only."""
    user = _caller()
    query = select(Crew).options(selectinload(Crew.shifts)).order_by(Crew.name, Crew.id)
    office = _is_office(user)
    if not office:
        query = query.where(Crew.id == (user.crew_id if user.crew_id is not None else -1))
    crews = get_session().scalars(query).all()
    return jsonify(crews=[crew_document(c, with_cost=office) for c in crews])


@bp.get("/crews/<int:crew_id>")
def get_crew(crew_id: int) -> ResponseReturnValue:
    """One crew; a crew user may read only its own."""
    user = _caller()
    office = _is_office(user)
    if not office and user.crew_id != crew_id:
        abort(403, description="a crew reads only its own crew")
    crew = get_session().get(Crew, crew_id)
    if crew is None:
        abort(404, description=f"there is no crew {crew_id}")
    return jsonify(crew=crew_document(crew, with_cost=office))


@bp.post("/plans/<int:plan_id>/publish")
def publish_plan(plan_id: int) -> ResponseReturnValue:
    """Publish a draft (dispatchers and owners); publishing the published plan changes nothing.

    An optional body ``{"lock_version": n}`` refuses (409) when the plan changed since it was
    read, as the dashboard's own forms do.
    """
    if not _is_office(_caller()):
        abort(403, description="publishing needs a dispatcher's or owner's token")
    body = _json_object()
    expected = body.get("lock_version")
    if expected is not None and (not isinstance(expected, int) or isinstance(expected, bool)):
        abort(400, description="lock_version must be a whole number")
    session = get_session()
    plan = session.get(Plan, plan_id)
    if plan is None:
        abort(404, description=f"there is no plan {plan_id}")
    if expected is not None and expected != plan.lock_version:
        return error_response(409, f"plan {plan_id} changed since lock_version {expected}")
    already = plan.status is PlanStatus.PUBLISHED
    try:
        plan, diff = publish(session, plan_id)
        session.commit()
    except PlanError as error:
        session.rollback()
        return error_response(409, str(error))
    except (StaleDataError, IntegrityError):
        session.rollback()
        return error_response(409, "the week's plans changed meanwhile; read them and try again")
    return jsonify(
        plan=plan_document(plan, with_kpis=True),
        already_published=already,
        changes=len(diff.changes),
        customers_affected=len(diff.customers),
    )
