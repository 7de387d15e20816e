"""``rounds plan``, ``rounds diff`` and ``rounds publish``: the dispatcher's week from a shell."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from dashboard.cli_support import require_current_schema, user_errors
from dashboard.db import get_database

# The planning modules import the solver (numpy, OR-Tools): each command imports what it
# needs when it runs, so that ``rounds --help`` and the other commands start quickly.


def _week(_ctx: click.Context, _param: click.Parameter, value: str):  # type: ignore[no-untyped-def]
    from scheduling.planning import parse_week

    try:
        return parse_week(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command("plan")
@click.option("--week", "monday", default="next", show_default=True, callback=_week,
              help="ISO week (2026-W49), 'next', 'this' or a date in the week.")
@click.option("--weeks", default=1, show_default=True, type=click.IntRange(1, 4),
              help="Horizon length in weeks.")
@click.option("--time-limit", "time_limit_s", default=30.0, show_default=True,
              type=click.FloatRange(min=0.1), help="Solver time budget in seconds.")
@click.option("--as-is", "as_is", is_flag=True,
              help="Keep today's day and crew of every agreement; only order each crew-day.")
@click.option("--progress/--no-progress", default=True, show_default=True,
              help="Progress bar on stderr.")
@click.option("--if-missing", is_flag=True, help="Do nothing when the week already has a plan.")
@with_appcontext
@user_errors
def plan_command(  # type: ignore[no-untyped-def]
    monday, weeks: int, time_limit_s: float, as_is: bool, progress: bool, if_missing: bool
) -> None:
    """Plan a week and store it as a draft (the published plan is not touched)."""
    from optimizer import SolveParams
    from optimizer.cli import ProgressBar
    from scheduling.planning import plan_week
    from scheduling.plans import load_plan, plans_of_week

    require_current_schema()
    if if_missing:
        with get_database().session_factory() as session:
            existing = plans_of_week(session, monday)
            if existing:
                click.echo(f"the week of {monday} already has plan {existing[0].id} "
                           f"({existing[0].status.value}); kept")
                return
    params = SolveParams(time_limit_s=time_limit_s)
    bar = ProgressBar(time_limit_s, progress)
    plan_id = plan_week(
        get_database().session_factory, monday, params, weeks=weeks,
        mode="as_is" if as_is else "optimize", created_by="rounds plan", progress=bar,
    )
    bar.close()
    with get_database().session_factory() as session:
        plan = load_plan(session, plan_id)
        kpis = plan.kpis
        click.echo(
            f"draft plan {plan.id} for week of {plan.week_start} (version {plan.version}): "
            f"{kpis['visits']} visits, {kpis['unplaced']} unplaced, "
            f"drive {kpis['travel_s'] / 3600:.1f} h, {kpis['distance_m'] / 1000:.0f} km"
        )
        for item in plan.unplaced[:10]:
            click.echo(f"  unplaced {item.agreement.external_id}: {item.reason}")
        if len(plan.unplaced) > 10:
            click.echo(f"  ... and {len(plan.unplaced) - 10} more")


@click.command("diff")
@click.argument("plan_id", type=int)
@click.option("--threshold-min", default=30, show_default=True, type=click.IntRange(0),
              help="A start time moved by more than this counts as a change.")
@with_appcontext
@user_errors
def diff_command(plan_id: int, threshold_min: int) -> None:
    """Show what PLAN_ID changes against the week's published plan (with none: the as-is)."""
    from scheduling.plans import PlanError, diff_plans, load_plan, published_plan

    require_current_schema()
    with get_database().session_factory() as session:
        try:
            plan = load_plan(session, plan_id)
        except PlanError as error:
            raise click.ClickException(str(error)) from None
        current = published_plan(session, plan.week_start)
        against = load_plan(session, current.id) if current else None
        diff = diff_plans(plan, against, threshold_min * 60)
        basis = diff.basis if against else f"{diff.basis} (nothing is published for this week)"
        click.echo(f"plan {plan.id} against {basis}: {len(diff.changes)} visits changed, "
                   f"{len(diff.customers)} customers affected")
        for change in diff.changes:
            visit = change.after or change.before
            was = f" (as is: {change.as_is})" if change.as_is else ""
            click.echo(f"  {visit.agreement.external_id} #{change.visit_index}: "
                       f"{'+'.join(change.kinds)}{was}")


@click.command("publish")
@click.argument("plan_id", type=int)
@with_appcontext
@user_errors
def publish_command(plan_id: int) -> None:
    """Publish PLAN_ID: crews' sheets and feeds follow it; customers to notify are queued."""
    from scheduling.plans import PlanError, publish

    require_current_schema()
    try:
        with get_database().session_factory.begin() as session:
            plan, diff = publish(session, plan_id)
            click.echo(f"plan {plan.id} is published for the week of {plan.week_start}; "
                       f"{len(diff.changes)} notices queued")
    except PlanError as error:
        raise click.ClickException(str(error)) from None
