"""Blueprint ``plans``: the dispatcher's weeks: plans list, week board, map, diff and publish.

Read pages load through :mod:`dashboard.board` (a handful of queries whatever the week's size)
and never lazy-load in templates. Changing pages (move, pin, re-plan) live in
:mod:`dashboard.plan_actions`. Every page is for dispatchers and owners only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlencode

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
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.users import Role
from dashboard.auth import CurrentUser, roles_required
from dashboard.board import Filters, Option, build_board
from dashboard.crew_views import company_today
from dashboard.db import get_session
from dashboard.plan_cache import crews_digest, fragments, plan_fingerprint
from dashboard.plan_map import WEEK_LABEL_LIMIT, MapCrew, plain_figure, route_lines, street_layout
from dashboard.plan_rows import load_crews, load_unplaced, load_visits, working_days
from scheduling.edits import edit_history
from scheduling.models import Plan, PlanningRun, PlanStatus, RunStatus
from scheduling.plans import PlanError, diff_plans, load_plan, publish, published_plan
from scheduling.recurrence import week_start
from scheduling.sheets import hhmm_s

bp = Blueprint("plans", __name__, url_prefix="/plans")

#: Weeks offered by "Plan week": this one and the next few.
WEEKS_AHEAD = 6


def user_label() -> str:
    """Who did it, as plans and edits record it: the signed-in user's e-mail."""
    return cast(CurrentUser, current_user).email


def default_time_limit() -> int:
    """The solver budget offered first: the app's ``SOLVER_TIME_LIMIT_S``."""
    return int(current_app.config["SOLVER_TIME_LIMIT_S"])


def time_limit_choices() -> list[int]:
    return sorted({default_time_limit(), 10, 30, 60, 120})


def plan_or_404(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        abort(404, description=f"There is no plan {plan_id}.")
    return plan


def week_label(monday: dt.date) -> str:
    """``"Week 49 · 30 Nov – 6 Dec 2026"``."""
    sunday = monday + dt.timedelta(days=6)
    week = monday.isocalendar().week
    return f"Week {week} · {monday.day} {monday:%b} – {sunday.day} {sunday:%b %Y}"


@dataclass(frozen=True)
class WeekPlans:
    monday: dt.date
    plans: list[Plan]

    @property
    def label(self) -> str:
        return week_label(self.monday)

    @property
    def published(self) -> Plan | None:
        return next((p for p in self.plans if p.status is PlanStatus.PUBLISHED), None)


def _weeks(plans: list[Plan]) -> list[WeekPlans]:
    weeks: dict[dt.date, list[Plan]] = {}
    for plan in plans:
        weeks.setdefault(plan.week_start, []).append(plan)
    return [WeekPlans(monday, items) for monday, items in weeks.items()]


@bp.get("")
@roles_required(Role.DISPATCHER)
def index() -> ResponseReturnValue:
    """Every week with its plans, newest week first, and the form to plan another week."""
    session = get_session()
    plans = list(
        session.scalars(
            select(Plan).order_by(Plan.week_start.desc(), Plan.version.desc()).limit(300)
        )
    )
    running = list(
        session.scalars(
            select(PlanningRun)
            .where(PlanningRun.status == RunStatus.RUNNING)
            .order_by(PlanningRun.id.desc())
            .limit(10)
        )
    )
    this_monday = week_start(company_today())
    choices = [this_monday + dt.timedelta(weeks=i) for i in range(WEEKS_AHEAD)]
    return render_template(
        "plans/index.html",
        weeks=_weeks(plans),
        running=running,
        week_choices=[(d, week_label(d)) for d in choices],
        default_week=choices[1],
        time_limits=time_limit_choices(),
        default_time_limit=default_time_limit(),
    )


def filters_from(args: Mapping[str, str]) -> Filters:
    """The board filters of a query string (unknown or malformed values are ignored)."""
    crew = str(args.get("crew", ""))
    return Filters(
        crew_id=int(crew) if crew.isdigit() else None,
        service=str(args.get("service", ""))[:40],
        region=str(args.get("region", ""))[:100],
    )


def render_board(
    plan: Plan, status: int = 200, filters: Filters | None = None
) -> ResponseReturnValue:
    """The board page of ``plan``, filtered by ``filters`` or the query string.

    Also the answer to a refused edit (status 409/400): the board as it is now. The grid is
    rendered once per state of the plan (:mod:`dashboard.plan_cache`).
    """
    session = get_session()
    filters = filters or filters_from(request.args)
    crews = load_crews(session)
    back = urlencode(filters.as_args())
    key = (
        "board",
        plan_fingerprint(session, plan),
        crews_digest(crews),
        filters,
    )

    def render_grid() -> str:
        board = build_board(
            plan, load_visits(session, plan.id), load_unplaced(session, plan.id), crews, filters
        )
        # Cards link to their visit page by concatenation: url_for per card is too slow.
        visit_base = url_for("plan_actions.visit", plan_id=plan.id, visit_id=0)[:-1]
        return render_template(
            "plans/_board_grid.html",
            plan_id=plan.id,
            board=board,
            visit_base=visit_base,
            back_query=f"?{urlencode({'back': back})}" if back else "",
        )

    return (
        render_template(
            "plans/board.html",
            plan=plan,
            grid_html=fragments.get_or_render(key, render_grid),
            week_label=week_label(plan.week_start),
            move_crews=[Option(str(c.id), c.name) for c in crews if c.active],
            all_days=[plan.week_start + dt.timedelta(days=i) for i in range(plan.days)],
            working=working_days(session, plan),
            back=back,
            time_limits=time_limit_choices(),
            default_time_limit=default_time_limit(),
        ),
        status,
    )


@bp.get("/<int:plan_id>/board")
@roles_required(Role.DISPATCHER)
def board(plan_id: int) -> ResponseReturnValue:
    """Crews by days with each crew-day's visits, utilization and the unplaced visits."""
    return render_board(plan_or_404(get_session(), plan_id))


@bp.get("/<int:plan_id>")
@roles_required(Role.DISPATCHER)
def detail(plan_id: int) -> ResponseReturnValue:
    """The plan's figures, solver settings and audit trail (its edits and its drafts' edits)."""
    session = get_session()
    plan = plan_or_404(session, plan_id)
    return render_template(
        "plans/detail.html",
        plan=plan,
        edits=edit_history(session, plan.id),
        week_label=week_label(plan.week_start),
    )


def _day_arg(plan: Plan) -> dt.date | None:
    text = request.args.get("day", "", type=str)
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        abort(400, description=f"{text!r} is not a date (use YYYY-MM-DD).")
    if not plan.week_start <= day < plan.week_start + dt.timedelta(days=plan.days):
        abort(400, description=f"{day} is not in this plan's week.")
    return day


@bp.get("/<int:plan_id>/map")
@roles_required(Role.DISPATCHER)
def map_view(plan_id: int) -> ResponseReturnValue:
    """The routes of one day (``?day=``) or of the whole week, one colour per crew."""
    session = get_session()
    plan = plan_or_404(session, plan_id)
    day = _day_arg(plan)
    crew_arg = request.args.get("crew", "", type=str)
    crew_id = int(crew_arg) if crew_arg.isdigit() else None
    crews = load_crews(session)
    key = ("map", plan_fingerprint(session, plan), crews_digest(crews), day, crew_id)

    def render_panel() -> str:
        visits = [
            v
            for v in load_visits(session, plan.id)
            if (day is None or v.date == day) and (crew_id is None or v.crew_id == crew_id)
        ]
        map_crews = {
            c.id: MapCrew(
                c.id, c.name, c.colour, (c.start_lat, c.start_lon), (c.end_lat, c.end_lon)
            )
            for c in crews
        }
        lines = route_lines(visits, map_crews, week=day is None)
        return render_template(
            "plans/_map_panel.html",
            day=day,
            stop_count=sum(len(line.labels) for line in lines),
            label_limit=WEEK_LABEL_LIMIT,
            route_count=len(lines),
            plain_figure=plain_figure(lines, week=day is None),
            street_layout=street_layout(lines),
        )

    return render_template(
        "plans/map.html",
        plan=plan,
        day=day,
        days=[plan.week_start + dt.timedelta(days=i) for i in range(plan.days)],
        crew_id=crew_id,
        crews=[c for c in crews if c.active],
        week_label=week_label(plan.week_start),
        panel_html=fragments.get_or_render(key, render_panel),
    )


@bp.get("/<int:plan_id>/diff")
@roles_required(Role.DISPATCHER)
def diff(plan_id: int) -> ResponseReturnValue:
    """What the plan changes against the week's published plan, and the Publish button."""
    session = get_session()
    plan = plan_or_404(session, plan_id)
    body = ""
    if plan.status is not PlanStatus.PUBLISHED:  # the published plan is what others compare to
        current = published_plan(session, plan.week_start)
        crews = load_crews(session)
        key = (
            "diff",
            plan_fingerprint(session, plan),
            plan_fingerprint(session, current) if current is not None else None,
            plan.status,
            crews_digest(crews),
        )

        def render_body() -> str:
            loaded = load_plan(session, plan.id)
            against = load_plan(session, current.id) if current is not None else None
            return render_template(
                "plans/_diff_body.html",
                against=against,
                diff=diff_plans(loaded, against),
                crews={c.id: c for c in crews},
                superseded=plan.status is PlanStatus.SUPERSEDED,
                hm=hhmm_s,
            )

        body = fragments.get_or_render(key, render_body)
    return render_template(
        "plans/diff.html", plan=plan, body_html=body, week_label=week_label(plan.week_start)
    )


@bp.post("/<int:plan_id>/publish")
@roles_required(Role.DISPATCHER)
def publish_plan(plan_id: int) -> ResponseReturnValue:
    """Publish the draft: crews' sheets follow it and customer notices are queued."""
    session = get_session()
    plan_or_404(session, plan_id)
    try:
        plan, changes = publish(session, plan_id)
        session.commit()
    except PlanError as error:
        session.rollback()
        message = str(error)
        flash(message[:1].upper() + message[1:], "error")
        return redirect(url_for("plans.diff", plan_id=plan_id))
    count = len(changes.changes)
    flash(
        f"Version {plan.version} is published for {week_label(plan.week_start)}: "
        f"{count} customer notice{'' if count == 1 else 's'} queued.",
        "success",
    )
    return redirect(url_for("plans.board", plan_id=plan.id))
