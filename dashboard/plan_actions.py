"""Blueprint ``plan_actions``: the dispatcher changes a week: move, pin, re-plan, plan a week.

Every form carries the plan's ``lock_version`` as ``expected_version``: if another dispatcher
saved the draft in between, the edit is refused with a conflict message and the board is
shown again as it is now (no lost update). Edits of a published plan land in a new draft,
and the dispatcher is sent to that draft's board.

Planning runs in a background process (:mod:`scheduling.background`); the web process only
starts it and serves a progress page that polls a small JSON endpoint, so no request ever
waits for the solver.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlencode

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from crm.users import Role
from dashboard.auth import roles_required
from dashboard.board import Option
from dashboard.db import get_database, get_session
from dashboard.plan_rows import load_crews, load_visits, working_days
from dashboard.plan_views import (
    default_time_limit,
    filters_from,
    plan_or_404,
    render_board,
    user_label,
    week_label,
)
from scheduling.background import run_state, start_run
from scheduling.edits import EditConflict, EditResult, move_visit, set_pinned, start_draft
from scheduling.models import Plan, PlannedVisit, PlanStatus
from scheduling.plans import PlanError
from scheduling.recurrence import week_start

bp = Blueprint("plan_actions", __name__, url_prefix="/plans")

#: The board's filter keys a form may carry back to the board after an edit.
FILTER_KEYS = ("crew", "service", "region")
#: Longest solver budget a form may ask for.
MAX_TIME_LIMIT_S = 600


def _sentence(error: Exception) -> str:
    """The error's message with a capital first letter (names inside keep their case)."""
    text = str(error)
    return text[:1].upper() + text[1:]


def _back_args() -> dict[str, str]:
    """The board filters the form came from (``back``), keeping only known keys."""
    raw = request.values.get("back", "", type=str)
    return {k: v for k, v in parse_qsl(raw) if k in FILTER_KEYS and v}


def _board_url(plan_id: int) -> str:
    return url_for("plans.board", plan_id=plan_id, **_back_args())


def _expected_version() -> int | None:
    value = request.form.get("expected_version", "", type=str)
    return int(value) if value.isdigit() else None


def _visit_or_404(plan: Plan, visit_id: int) -> PlannedVisit:
    visit = get_session().get(PlannedVisit, visit_id)
    if visit is None or visit.plan_id != plan.id:
        abort(404, description=f"Plan {plan.id} has no visit {visit_id}.")
    return visit


def _open_drafts(plan_id: int) -> set[int]:
    """Drafts already based on ``plan_id``: an edit of a published plan continues one of them."""
    return set(
        get_session().scalars(
            select(Plan.id).where(Plan.based_on_id == plan_id, Plan.status == PlanStatus.DRAFT)
        )
    )


def _after_edit(
    plan_id: int, result: EditResult, done: str, drafts_before: set[int]
) -> ResponseReturnValue:
    """Commit, tell what happened (and every warning), and go to the board of the draft."""
    session = get_session()
    draft = result.plan
    draft_id, version = draft.id, draft.version
    session.commit()
    if draft_id in drafts_before:
        flash(
            f"{done} in the open draft of this plan, version {version}. The published plan is "
            "unchanged until you publish that draft.",
            "success",
        )
    elif draft_id != plan_id:
        flash(
            f"{done} in a new draft, version {version}. The published plan is unchanged until "
            "you publish this draft.",
            "success",
        )
    else:
        flash(done + ".", "success")
    for warning in result.warnings:
        flash(f"Check: {warning}", "warning")
    return redirect(_board_url(draft_id))


def _refused(plan_id: int, error: PlanError) -> ResponseReturnValue:
    """Roll back and show the board as it is now, with the reason (409 for a conflict)."""
    session = get_session()
    session.rollback()
    plan = plan_or_404(session, plan_id)
    if isinstance(error, EditConflict):
        # The message names the plan as the pages do and says who changed it, and how.
        flash(f"Your change was not saved: {error}. The board below shows the plan as it is "
              "now.", "error")
        return render_board(plan, 409, filters_from(_back_args()))
    flash(_sentence(error), "error")
    return render_board(plan, 400, filters_from(_back_args()))


def _crew_and_date() -> tuple[int, dt.date]:
    crew = request.form.get("crew_id", "", type=str)
    try:
        date = dt.date.fromisoformat(request.form.get("date", "", type=str))
    except ValueError:
        abort(400, description="Choose a day for the visit.")
    if not crew.isdigit():
        abort(400, description="Choose a crew for the visit.")
    return int(crew), date


def _position(plan_id: int, crew_id: int, date: dt.date, visit_id: int) -> int | None:
    """``first`` -> 0, ``last`` -> after the crew-day's visits, empty -> best place."""
    value = request.form.get("position", "", type=str)
    if value == "first":
        return 0
    if value == "last":
        return get_session().scalar(
            select(func.count(PlannedVisit.id)).where(
                PlannedVisit.plan_id == plan_id,
                PlannedVisit.crew_id == crew_id,
                PlannedVisit.date == date,
                PlannedVisit.id != visit_id,
            )
        )
    if value.isdigit():
        return int(value)
    return None


@bp.get("/<int:plan_id>/visits/<int:visit_id>")
@roles_required(Role.DISPATCHER)
def visit(plan_id: int, visit_id: int) -> ResponseReturnValue:
    """One visit with its move and pin forms (the board opens them in a dialog with script).

    The day choices say which days each crew works (see :func:`working_days`).
    """
    session = get_session()
    plan = plan_or_404(session, plan_id)
    row = _visit_or_404(plan, visit_id)
    card = load_visits(session, plan.id, row.id)[0]
    crew_rows = load_crews(session)
    crews = [Option(str(c.id), c.name) for c in crew_rows if c.active]
    return render_template(
        "plans/visit.html",
        plan=plan,
        visit=card,
        crews=crews,
        days=[plan.week_start + dt.timedelta(days=i) for i in range(plan.days)],
        working=working_days(session, plan),
        crew_names={c.id: c.name for c in crew_rows},
        week_label=week_label(plan.week_start),
        back=urlencode(_back_args()),
    )


@bp.post("/<int:plan_id>/visits/<int:visit_id>/move")
@roles_required(Role.DISPATCHER)
def move(plan_id: int, visit_id: int) -> ResponseReturnValue:
    """Move a visit to another crew and/or day; it becomes pinned there."""
    session = get_session()
    plan = plan_or_404(session, plan_id)
    _visit_or_404(plan, visit_id)
    crew_id, date = _crew_and_date()
    drafts_before = _open_drafts(plan_id)
    try:
        result = move_visit(
            session,
            plan_id,
            visit_id,
            crew_id=crew_id,
            date=date,
            position=_position(plan_id, crew_id, date, visit_id),
            user=user_label(),
            expected_version=_expected_version(),
        )
    except PlanError as error:
        return _refused(plan_id, error)
    return _after_edit(plan_id, result, f"Visit moved to {date:%a %d %b}", drafts_before)


@bp.post("/<int:plan_id>/visits/<int:visit_id>/pin")
@roles_required(Role.DISPATCHER)
def pin(plan_id: int, visit_id: int) -> ResponseReturnValue:
    """Pin (re-plans keep its day and crew) or unpin a visit."""
    session = get_session()
    plan = plan_or_404(session, plan_id)
    _visit_or_404(plan, visit_id)
    pinned = request.form.get("pinned", "1") == "1"
    drafts_before = _open_drafts(plan_id)
    try:
        result = set_pinned(
            session,
            plan_id,
            visit_id,
            pinned,
            user=user_label(),
            expected_version=_expected_version(),
        )
    except PlanError as error:
        return _refused(plan_id, error)
    return _after_edit(
        plan_id, result, "Visit pinned" if pinned else "Visit unpinned", drafts_before
    )


@bp.post("/<int:plan_id>/draft", endpoint="start_draft")
@roles_required(Role.DISPATCHER)
def start_draft_view(plan_id: int) -> ResponseReturnValue:
    """A draft copy of a published plan to work on (a draft is its own draft)."""
    session = get_session()
    plan_or_404(session, plan_id)
    drafts_before = _open_drafts(plan_id)
    try:
        draft = start_draft(session, plan_id, user=user_label())
        draft_id, version = draft.id, draft.version
        session.commit()
    except PlanError as error:
        session.rollback()
        flash(_sentence(error), "error")
        return redirect(url_for("plans.board", plan_id=plan_id))
    if draft_id in drafts_before:
        flash(f"This plan already has an open draft, version {version}: continue there.", "info")
    elif draft_id != plan_id:
        flash(f"Draft version {version} started from this plan.", "success")
    return redirect(url_for("plans.board", plan_id=draft_id))


def _time_limit() -> float:
    value = request.form.get("time_limit_s", "", type=str)
    try:
        seconds = float(value)
    except ValueError:
        return float(default_time_limit())
    return min(MAX_TIME_LIMIT_S, max(1.0, seconds))


def _start(kind: str, **kwargs: object) -> ResponseReturnValue:
    run_id = start_run(
        get_database().engine.url.render_as_string(hide_password=False),
        kind=kind,
        user=user_label(),
        time_limit_s=_time_limit(),
        **kwargs,  # type: ignore[arg-type]
    )
    return redirect(url_for("plan_actions.run_page", run_id=run_id))


@bp.post("/<int:plan_id>/replan")
@roles_required(Role.DISPATCHER)
def replan(plan_id: int) -> ResponseReturnValue:
    """Re-solve the plan in the background keeping its pinned visits; a new draft comes out."""
    plan = plan_or_404(get_session(), plan_id)
    if plan.status is PlanStatus.SUPERSEDED:
        flash("This version was replaced; re-plan the week's current plan instead.", "error")
        return redirect(url_for("plans.board", plan_id=plan_id))
    return _start("resolve", plan_id=plan_id)


@bp.post("/new")
@roles_required(Role.DISPATCHER)
def plan_new_week() -> ResponseReturnValue:
    """Plan a week from scratch in the background (the published plan is not touched)."""
    try:
        monday = week_start(dt.date.fromisoformat(request.form.get("week", "", type=str)))
    except ValueError:
        flash("Choose the week to plan.", "error")
        return redirect(url_for("plans.index"))
    return _start("plan", week_start=monday)


def _state_or_404(run_id: int) -> dict[str, object]:
    try:
        return run_state(get_session(), run_id)
    except LookupError:
        abort(404, description=f"There is no planning run {run_id}.")


@bp.get("/runs/<int:run_id>")
@roles_required(Role.DISPATCHER)
def run_page(run_id: int) -> ResponseReturnValue:
    """Progress of a planning run; the page polls :func:`run_json` and links the new draft."""
    state = _state_or_404(run_id)
    return render_template(
        "plans/run.html",
        state=state,
        poll_url=url_for("plan_actions.run_json", run_id=run_id),
        board_url=url_for("plans.board", plan_id=0)[: -len("0/board")],
    )


@bp.get("/runs/<int:run_id>.json")
@roles_required(Role.DISPATCHER)
def run_json(run_id: int) -> ResponseReturnValue:
    response = jsonify(_state_or_404(run_id))
    response.headers["Cache-Control"] = "no-store"
    return response
