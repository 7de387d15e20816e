"""APScheduler wiring of the nightly re-plan, for ``rounds scheduler`` (its own process).

Why these settings: a job store cannot be shared between processes, so the scheduler never
runs inside web workers; the job has an explicit id and ``replace_existing=True`` so that a
restart updates the stored job instead of adding a second one; ``max_instances=1`` and
``coalesce=True`` so that a backlog runs once; and a ``misfire_grace_time`` of hours because
APScheduler's default of one second silently skips a run that is overdue after a restart.
The planning lock still guards against a manual ``rounds nightly`` at the same time.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import make_url

from crm.db import default_database_url, make_engine, make_session_factory
from optimizer import SolveParams
from scheduling.locks import LockHeld
from scheduling.nightly import NightlyOutcome, run_nightly
from scheduling.planning import parse_week

log = logging.getLogger(__name__)

JOB_ID = "nightly-replan"
DEFAULT_CRON = "30 2 * * *"
MISFIRE_GRACE_S = 6 * 3600


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field in day names, which mean the same in APScheduler.

    ``CronTrigger.from_crontab`` passes numbers through, but APScheduler 3 counts 0 = Monday
    where crontab counts 0 (and 7) = Sunday: ``1-5`` would run Tuesday to Saturday.
    """
    if field == "*" or any(c.isalpha() for c in field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = 0, 6
        else:
            first_text, _, last_text = span.partition("-")
            first = int(first_text)
            last = int(last_text) if last_text else (6 if step_text else first)
        if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last and step >= 1):
            raise ValueError(f"day of week {part!r} is not within 0-7")
        days.update(d % 7 for d in range(first, last + 1, step))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def cron_trigger(expression: str, timezone: str | dt.tzinfo) -> CronTrigger:
    """A trigger from five crontab fields, with crontab's meaning of day-of-week numbers."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"wrong number of fields; got {len(fields)}, expected 5")
    fields[4] = _crontab_weekdays(fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=timezone)


def nightly_job(
    database_url: str | None = None,
    week: str = "next",
    time_limit_s: float = 30.0,
    publish: bool = False,
) -> NightlyOutcome | None:
    """The scheduled task: its own engine and sessions, one nightly run, the engine disposed.

    Without ``database_url`` the job uses ``DATABASE_URL`` of the scheduler's environment, so
    that a password never lands in the job store. A run that finds the lock held is logged
    and skipped (the other run does the work); any other failure is already recorded on the
    run row and is logged by APScheduler.
    """
    engine = make_engine(database_url or default_database_url())
    try:
        return run_nightly(
            make_session_factory(engine),
            parse_week(week),
            SolveParams(time_limit_s=time_limit_s),
            publish_plan=publish,
        )
    except LockHeld as error:
        log.warning("nightly run skipped: %s", error)
        return None
    finally:
        engine.dispose()


def add_nightly_job(
    scheduler: BaseScheduler,
    database_url: str,
    *,
    cron: str = DEFAULT_CRON,
    timezone: str | dt.tzinfo = "UTC",
    week: str = "next",
    time_limit_s: float = 30.0,
    publish: bool = False,
) -> Any:
    """Add (or replace) the nightly job on ``scheduler`` and return it."""
    return scheduler.add_job(
        nightly_job,
        cron_trigger(cron, timezone),
        id=JOB_ID,
        name="nightly re-plan",
        kwargs={
            # APScheduler pickles the arguments into its table: keep credentials out of it.
            "database_url": None if make_url(database_url).password else database_url,
            "week": week,
            "time_limit_s": time_limit_s,
            "publish": publish,
        },
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=MISFIRE_GRACE_S,
    )


def create_scheduler(
    database_url: str,
    *,
    scheduler_class: type[BaseScheduler] = BlockingScheduler,
    timezone: str | dt.tzinfo = "UTC",
    **job_options: Any,
) -> BaseScheduler:
    """A scheduler whose jobs live in the application database, with the nightly job added.

    The job row stores ``database_url`` unless it holds a password (APScheduler pickles a
    job's arguments; the job then reads ``DATABASE_URL``); ``replace_existing`` overwrites
    the row on every start of the scheduler process.
    """
    store = SQLAlchemyJobStore(engine=make_engine(database_url))
    scheduler = scheduler_class(jobstores={"default": store}, timezone=timezone)
    add_nightly_job(scheduler, database_url, timezone=timezone, **job_options)
    return scheduler
