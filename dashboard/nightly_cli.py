"""``rounds nightly`` (one re-plan of the coming week), ``rounds scheduler`` (every night)."""

from __future__ import annotations

import logging
import os

import click
from flask import current_app
from flask.cli import with_appcontext

from dashboard.cli_support import require_current_schema, user_errors
from dashboard.db import get_database
from dashboard.plan_cli import _week

TRUE = {"1", "true", "yes", "on"}
#: What ``rounds scheduler --help`` says of :data:`scheduling.runner.DEFAULT_CRON` without
#: importing the solver (a test keeps the two the same).
DEFAULT_CRON_TEXT = "30 2 * * *, every night at 02:30"


def _default_cron() -> str:
    from scheduling.runner import DEFAULT_CRON

    return DEFAULT_CRON


def _publish_by_config() -> bool:
    """``NIGHTLY_PUBLISH`` from the app config, else the environment; off by default."""
    value = current_app.config.get("NIGHTLY_PUBLISH", os.environ.get("NIGHTLY_PUBLISH", ""))
    return str(value).strip().lower() in TRUE


@click.command("nightly")
@click.option("--week", "monday", default="next", show_default=True, callback=_week,
              help="ISO week (2026-W49), 'next', 'this' or a date in the week.")
@click.option("--time-limit", "time_limit_s", default=30.0, show_default=True,
              type=click.FloatRange(min=0.1), help="Solver time budget per region in seconds.")
@click.option("--solution-limit", type=click.IntRange(1), default=None,
              help="Stop each region after this many solutions (deterministic runs).")
@click.option("--publish", "publish_flag", is_flag=True,
              help="Publish the new draft (default: config NIGHTLY_PUBLISH).")
@click.option("--workers", type=click.IntRange(0), default=None,
              help="Solver processes (default: one per region, at most one per core; "
                   "0: solve in this process).")
@with_appcontext
@user_errors
def nightly_command(  # type: ignore[no-untyped-def]
    monday, time_limit_s: float, solution_limit: int | None, publish_flag: bool,
    workers: int | None,
) -> None:
    """Re-plan the coming week as a draft based on its published plan, under the run lock."""
    from optimizer import SolveParams  # the solver's imports: not for --help
    from scheduling.locks import LockHeld
    from scheduling.nightly import run_nightly

    require_current_schema()
    publish_plan = publish_flag or _publish_by_config()
    params = SolveParams(
        time_limit_s=None if solution_limit else time_limit_s, solution_limit=solution_limit
    )
    try:
        outcome = run_nightly(get_database().session_factory, monday, params,
                              publish_plan=publish_plan, workers=workers)
    except LockHeld as error:
        raise click.ClickException(str(error)) from None
    for run_id in outcome.stale_runs:
        click.echo(f"run {run_id} was still marked running: marked failed (killed or crashed)")
    based = f"based on plan {outcome.based_on_id}" if outcome.based_on_id else "no published plan"
    verb = "published" if outcome.published else "draft"
    click.echo(f"nightly run {outcome.run_id}: {verb} plan {outcome.plan_id} for the week of "
               f"{monday} ({based}; regions: {', '.join(outcome.regions) or 'none'})")


@click.command("scheduler")
@click.option("--cron", default=_default_cron, show_default=DEFAULT_CRON_TEXT,
              help="When the nightly re-plan runs (crontab fields, config TIMEZONE).")
@click.option("--time-limit", "time_limit_s", default=30.0, show_default=True,
              type=click.FloatRange(min=0.1), help="Solver time budget per region in seconds.")
@with_appcontext
@user_errors
def scheduler_command(cron: str, time_limit_s: float) -> None:
    """Run the nightly re-plan on a schedule, in this process, until stopped (Ctrl-C)."""
    from scheduling.runner import JOB_ID, create_scheduler

    require_current_schema()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        scheduler = create_scheduler(
            current_app.config["DATABASE_URL"], cron=cron,
            timezone=current_app.config.get("TIMEZONE", "UTC"),
            time_limit_s=time_limit_s, publish=_publish_by_config(),
        )
    except ValueError as error:
        raise click.ClickException(f"--cron {cron!r}: {error}") from None
    click.echo(f"scheduler started: job {JOB_ID} at {cron!r}; Ctrl-C stops")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("scheduler stopped")
