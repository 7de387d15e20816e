"""``rounds move / pin / unpin / resolve / history / replan``: edit a draft from a shell.

A visit is named by its id or by its agreement (``AG-0005``, or ``AG-0005#1`` for the
agreement's second visit of the week); a crew by its external id or its id. Edits of a
published plan land in a new draft, which the command names. ``--user`` is who the audit
trail records (default: the login name).
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.crews import Crew
from dashboard.cli_support import require_current_schema, user_errors
from dashboard.db import get_database

if TYPE_CHECKING:
    from scheduling.models import PlanEdit, PlannedVisit

# The editing modules import the solver (numpy, OR-Tools): each command imports what it needs
# when it runs, so that ``rounds --help`` and the other commands start quickly.

F = TypeVar("F", bound=Callable[..., Any])


def _plan_errors(f: F) -> F:
    """A plan that cannot be edited (unknown, superseded, stale) ends as one line."""

    @wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        from scheduling.plans import PlanError

        try:
            return f(*args, **kwargs)
        except (PlanError, LookupError) as error:
            raise click.ClickException(str(error)) from None

    return cast(F, wrapped)


def _user_option(f: F) -> F:
    return click.option("--user", default=getpass.getuser, show_default="your login name",
                        help="Who the audit trail records.")(f)  # fmt: skip


def _editing(f: F) -> F:
    """What every editing command takes: ``--user``, the app context, one-line errors."""
    return _user_option(with_appcontext(user_errors(_plan_errors(f))))


def _day(text: str) -> str:
    return f"{dt.date.fromisoformat(text):%a %d %b}"


def find_visit(session: Session, plan_id: int, name: str) -> PlannedVisit:
    """The plan's visit named by id, ``AGREEMENT`` or ``AGREEMENT#INDEX``."""
    from scheduling.plans import PlanError, load_plan

    plan = load_plan(session, plan_id)
    if name.isdigit():
        found = [v for v in plan.visits if v.id == int(name)]
    else:
        agreement, _, index = name.partition("#")
        found = [v for v in plan.visits if v.agreement.external_id == agreement
                 and (not index or str(v.visit_index) == index)]  # fmt: skip
    if not found:
        raise PlanError(f"plan {plan_id} has no visit {name!r}")
    if len(found) > 1:
        names = ", ".join(f"{v.agreement.external_id}#{v.visit_index}" for v in found)
        raise PlanError(f"{name!r} names several visits of plan {plan_id}: say which ({names})")
    return found[0]


def find_crew(session: Session, name: str) -> Crew:
    """A crew by external id, else by id."""
    from scheduling.plans import PlanError

    crew = session.scalar(select(Crew).where(Crew.external_id == name))
    if crew is None and name.isdigit():
        crew = session.get(Crew, int(name))
    if crew is None:
        raise PlanError(f"there is no crew {name!r}")
    return crew


def _landed(plan_id: int, new_id: int) -> str:
    return f"plan {new_id}" if new_id == plan_id else f"new draft plan {new_id} (of plan {plan_id})"


@click.command("move")
@click.argument("plan_id", type=int)
@click.argument("visit")
@click.option("--crew", "crew_name", required=True, help="Crew external id (or id).")
@click.option("--date", "date", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="The new day, YYYY-MM-DD.")
@click.option("--position", type=click.IntRange(0), default=None,
              help="Place in the crew's day, 0 first (default: where it adds least travel).")
@_editing
def move_command(  # type: ignore[no-untyped-def]
    plan_id: int, visit: str, crew_name: str, date, position: int | None, user: str
) -> None:
    """Move VISIT of PLAN_ID to another crew, day or position (it becomes pinned)."""
    from scheduling.edits import move_visit

    require_current_schema()
    with get_database().session_factory.begin() as session:
        found = find_visit(session, plan_id, visit)
        crew = find_crew(session, crew_name)
        name = f"{found.agreement.external_id}#{found.visit_index}"
        result = move_visit(session, plan_id, found.id, crew_id=crew.id, date=date.date(),
                            position=position, user=user)  # fmt: skip
        moved = next(v for v in result.plan.visits
                     if (v.agreement_id, v.visit_index) == (found.agreement_id, found.visit_index))
        click.echo(f"moved {name} to {crew.name} on {date:%a %d %b}, stop {moved.sequence + 1}, "
                   f"{moved.start_s // 3600:02d}:{moved.start_s % 3600 // 60:02d}, in "
                   f"{_landed(plan_id, result.plan.id)}")  # fmt: skip
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)


def _pin_command(name: str, pinned: bool, help_text: str) -> click.Command:
    """``rounds pin`` and ``rounds unpin``: the same command but for the flag they set."""

    @click.command(name, help=help_text)
    @click.argument("plan_id", type=int)
    @click.argument("visit")
    @_editing
    def command(plan_id: int, visit: str, user: str) -> None:
        from scheduling.edits import set_pinned

        require_current_schema()
        with get_database().session_factory.begin() as session:
            found = find_visit(session, plan_id, visit)
            result = set_pinned(session, plan_id, found.id, pinned, user=user)
            click.echo(f"{name}ned {found.agreement.external_id}#{found.visit_index} "
                       f"in {_landed(plan_id, result.plan.id)}")  # fmt: skip

    return command


pin_command = _pin_command("pin", True, "Pin VISIT: re-solves keep its day and crew.")
unpin_command = _pin_command("unpin", False, "Unpin VISIT: re-solves may move it again.")


def _time_limit(f: F) -> F:
    return click.option("--time-limit", "time_limit_s", default=30.0, show_default=True,
                        type=click.FloatRange(min=0.1), help="Solver time budget in seconds.")(f)


def _progress(f: F) -> F:
    return click.option("--progress/--no-progress", default=True, show_default=True,
                        help="Progress bar on stderr.")(f)  # fmt: skip


@click.command("resolve")
@click.argument("plan_id", type=int)
@_time_limit
@_progress
@_editing
def resolve_command(plan_id: int, time_limit_s: float, progress: bool, user: str) -> None:
    """Re-solve PLAN_ID keeping its pinned visits; stores a new draft."""
    from optimizer import SolveParams
    from optimizer.cli import ProgressBar
    from scheduling.edits import resolve_draft
    from scheduling.plans import load_plan

    require_current_schema()
    bar = ProgressBar(time_limit_s, progress)
    new_id = resolve_draft(get_database().session_factory, plan_id,
                           SolveParams(time_limit_s=time_limit_s), user=user, progress=bar)
    bar.close()
    with get_database().session_factory() as session:
        plan = load_plan(session, new_id)
        kpis = plan.kpis
        click.echo(f"draft plan {plan.id} re-solved from plan {plan_id}: {kpis['visits']} visits "
                   f"({kpis.get('pinned', 0)} pinned), {kpis['unplaced']} unplaced, "
                   f"drive {kpis['travel_s'] / 3600:.1f} h")


def describe_edit(edit: PlanEdit) -> str:
    """One line of the audit trail: what an edit did."""
    d = edit.detail
    if edit.action == "move":
        src, dst = d["from"], d["to"]
        return (f"moved {d['agreement']}#{d.get('visit_index', 0)} from {src['crew']} "
                f"{_day(src['date'])} stop {src['seq'] + 1} to {dst['crew']} {_day(dst['date'])} "
                f"stop {dst['seq'] + 1}")
    if edit.action in ("pin", "unpin"):
        return (f"{edit.action}ned {d['agreement']}#{d.get('visit_index', 0)} "
                f"({d['crew']}, {_day(d['date'])})")
    if edit.action == "start_draft":
        return f"started a draft from plan {d['from_plan']}"
    if edit.action == "resolve":
        return f"re-solved plan {d['from_plan']} keeping {d['kept']} of {d['pinned']} pins"
    if edit.action == "replan":
        deferred = ", ".join(d.get("deferred", [])) or "none"
        return (f"re-planned from {_day(d['date'])} ({d['reason']}) from plan {d['from_plan']}; "
                f"deferred: {deferred}")
    return f"{edit.action} {d}"


@click.command("history")
@click.argument("plan_id", type=int)
@with_appcontext
@user_errors
@_plan_errors
def history_command(plan_id: int) -> None:
    """The audit trail of PLAN_ID and the drafts it came from: when, who, what."""
    from scheduling.edits import edit_history

    require_current_schema()
    with get_database().session_factory() as session:
        edits = edit_history(session, plan_id)
        if not edits:
            click.echo(f"plan {plan_id} has no edits")
        for edit in edits:
            click.echo(f"{edit.at:%Y-%m-%d %H:%M}  plan {edit.plan_id:<4} {edit.user:<16} "
                       f"{describe_edit(edit)}")


@click.command("replan")
@click.option("--from", "bad_day", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="The lost day, YYYY-MM-DD; the rest of its week is re-planned.")
@click.option("--reason", required=True, help="Why the day is lost (rain, ...): told to customers.")
@click.option("--crew", "crews", multiple=True,
              help="Only this crew loses the day (repeatable; default: every crew).")
@_time_limit
@_progress
@_editing
def replan_command(  # type: ignore[no-untyped-def]
    bad_day, reason: str, crews: tuple[str, ...], time_limit_s: float, progress: bool, user: str
) -> None:
    """Re-plan the rest of a week from the published plan after a lost day; stores a draft."""
    from optimizer import SolveParams
    from optimizer.cli import ProgressBar
    from scheduling.plans import diff_plans, load_plan
    from scheduling.replan import replan_bad_day

    require_current_schema()
    factory = get_database().session_factory
    crew_ids = None
    if crews:
        with factory() as session:
            crew_ids = [find_crew(session, c).id for c in crews]
    bar = ProgressBar(time_limit_s, progress)
    params = SolveParams(time_limit_s=time_limit_s)
    outcome = replan_bad_day(factory, bad_day.date(), reason, params, user=user,
                             crew_ids=crew_ids, progress=bar)  # fmt: skip
    bar.close()
    with factory() as session:
        plan = load_plan(session, outcome.plan_id)
        against = load_plan(session, outcome.based_on_id)
        diff = diff_plans(plan, against)
        click.echo(f"draft plan {plan.id}: {reason} on {bad_day:%a %d %b}, re-planned from "
                   f"published plan {against.id}; {len(diff.changes)} visits changed, "
                   f"{len(diff.customers)} customers affected, "
                   f"{len(outcome.deferred)} moved to next week")  # fmt: skip
        for change in diff.changes:
            before, after = change.before, change.after
            visit = after or before
            assert visit is not None
            where = f"{_where(session, before)} -> {_where(session, after)}"
            click.echo(f"  {visit.agreement.external_id}#{change.visit_index}: "
                       f"{'+'.join(change.kinds)}  {where}")
        for item in outcome.deferred:
            click.echo(f"  next week: {item.agreement} (priority {item.priority}): {item.reason}")


def _where(session: Session, visit: PlannedVisit | None) -> str:
    if visit is None:
        return "-"
    crew = session.get(Crew, visit.crew_id)
    name = crew.external_id if crew else visit.crew_id
    start = f"{visit.start_s // 3600:02d}:{visit.start_s % 3600 // 60:02d}"
    return f"{visit.date:%a %d %b} {start} {name}"


COMMANDS: tuple[click.Command, ...] = (
    move_command, pin_command, unpin_command, resolve_command, history_command, replan_command,
)
