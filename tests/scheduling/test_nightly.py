"""The nightly re-plan: drafts based on the published plan, the run lock, run rows, regions,
and the APScheduler wiring (inspected, never waited for)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import make_url, select

from crm.agreements import Agreement, AgreementStatus
from crm.crews import Crew
from crm.customers import Site
from crm.db import make_engine, make_session_factory
from dashboard.demo import load_demo
from scheduling.builder import Horizon, build_problem
from scheduling.locks import LockHeld, acquire, current_lock, is_takeable, release
from scheduling.models import Plan, PlanningRun, PlanStatus, RunLock, RunStatus
from scheduling.nightly import (
    STALE_ERROR,
    InlineExecutor,
    job_regions,
    run_nightly,
    split_by_region,
)
from scheduling.planning import plan_week
from scheduling.plans import load_plan, publish
from scheduling.runner import (
    JOB_ID,
    MISFIRE_GRACE_S,
    create_scheduler,
    cron_trigger,
    nightly_job,
)
from tests.scheduling.test_plans import PARAMS, WEEK_49, small_company  # noqa: F401

INLINE = InlineExecutor()


@pytest.fixture
def published(small_company):  # type: ignore[no-untyped-def]  # noqa: F811
    """The small company with a published plan for week 49; yields (factory, plan id)."""
    plan_id = plan_week(small_company, WEEK_49, PARAMS)
    with small_company.begin() as session:
        publish(session, plan_id)
    return small_company, plan_id


def _runs(factory) -> list[PlanningRun]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return list(session.scalars(select(PlanningRun).order_by(PlanningRun.id)))


def test_nightly_stores_a_draft_based_on_the_published_plan(published) -> None:
    """A draft of the week, based on the published plan, which stays published and unchanged;
    the run row says succeeded; moves stay within 10 % of each region's jobs."""
    factory, published_id = published
    with factory() as session:
        before = [(v.agreement_id, v.date, v.crew_id, v.start_s)
                  for v in load_plan(session, published_id).visits]
    outcome = run_nightly(factory, WEEK_49, PARAMS, executor=INLINE)
    assert outcome.based_on_id == published_id and not outcome.published
    with factory() as session:
        draft = load_plan(session, outcome.plan_id)
        assert draft.status is PlanStatus.DRAFT and draft.based_on_id == published_id
        assert draft.params["kind"] == "nightly"
        old = load_plan(session, published_id)
        assert old.status is PlanStatus.PUBLISHED
        assert [(v.agreement_id, v.date, v.crew_id, v.start_s) for v in old.visits] == before
        assert current_lock(session) is None
    [run] = _runs(factory)
    assert run.status is RunStatus.SUCCEEDED and run.plan_id == outcome.plan_id
    assert run.kind == "nightly" and run.finished_at is not None and run.error is None
    budget = sum(math.ceil(n / 10) for n in run.detail["regions"].values())
    assert draft.kpis["moves"] <= budget


def test_publish_flag_publishes_and_supersedes(published) -> None:
    factory, published_id = published
    outcome = run_nightly(factory, WEEK_49, PARAMS, publish_plan=True, executor=INLINE)
    with factory() as session:
        statuses = dict(session.execute(select(Plan.id, Plan.status)).all())
    assert statuses == {published_id: PlanStatus.SUPERSEDED, outcome.plan_id: PlanStatus.PUBLISHED}


def test_a_failed_solve_is_recorded_and_releases_the_lock(published) -> None:
    """No draft, the run row failed with the error, the lock free for the next run."""
    factory, _ = published

    class Broken:
        def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
            raise RuntimeError("solver host unreachable")

    with pytest.raises(RuntimeError, match="unreachable"):
        run_nightly(factory, WEEK_49, PARAMS, executor=Broken())
    [run] = _runs(factory)
    assert run.status is RunStatus.FAILED and "solver host unreachable" in (run.error or "")
    with factory() as session:
        assert session.scalar(select(RunLock)) is None
        assert len(session.scalars(select(Plan)).all()) == 1


def test_a_held_lock_stops_a_second_run(published, runner) -> None:  # type: ignore[no-untyped-def]
    """Exit non-zero with the holder's start time; no run row is written."""
    factory, _ = published
    lock = acquire(factory)
    result = runner.invoke(args=["nightly", "--week", "2026-W49", "--solution-limit", "10",
                                 "--workers", "0"])
    assert result.exit_code != 0
    assert "another planning run holds the lock since" in result.output
    assert _runs(factory) == []
    release(factory, lock)
    result = runner.invoke(args=["nightly", "--week", "2026-W49", "--solution-limit", "10",
                                 "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert "draft plan" in result.output and "based on plan" in result.output


def test_an_expired_lock_is_taken_over(published) -> None:
    factory, _ = published
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    acquire(factory, ttl=dt.timedelta(hours=2), holder="elsewhere:1:x", now=long_ago)
    with pytest.raises(LockHeld):
        acquire(factory, ttl=dt.timedelta(days=2), holder="elsewhere:2:y", now=long_ago)
    lock = acquire(factory)
    with factory() as session:
        row = session.get_one(RunLock, "planning")
        assert row.holder == lock.holder
        assert not is_takeable(row, dt.datetime.now(dt.UTC))  # we are alive


def test_a_stale_running_row_is_marked_failed(published) -> None:
    """A run row left ``running`` (its process was killed) is failed by the next run."""
    factory, _ = published
    with factory.begin() as session:
        session.add(PlanningRun(kind="nightly", status=RunStatus.RUNNING,
                                started_at=dt.datetime.now(dt.UTC)))
    outcome = run_nightly(factory, WEEK_49, PARAMS, executor=INLINE)
    first, second = _runs(factory)
    assert outcome.stale_runs == (first.id,)
    assert first.status is RunStatus.FAILED and first.error == STALE_ERROR
    assert second.status is RunStatus.SUCCEEDED


def test_regions_partition_crews_and_jobs(small_company) -> None:  # noqa: F811
    """Every job lands in exactly one region with the crews of that region; sites without a
    region go with the nearest crew depot."""
    with small_company.begin() as session:
        site = session.scalars(
            select(Site).join(Agreement).where(Agreement.status == AgreementStatus.ACTIVE)
        ).first()
        site.region = None
    with small_company() as session:
        built = build_problem(session, Horizon(WEEK_49))
        crew_region, job_region = job_regions(session, built)
        regions_of_crews = {c.external_id: c.region for c in session.scalars(select(Crew))}
    parts = split_by_region(built, crew_region, job_region, budgeted=True)
    assert len(parts) > 1
    jobs = [j.id for p in parts for j in p.problem.jobs]
    assert sorted(jobs) == sorted(j.id for j in built.problem.jobs)
    for part in parts:
        names = {c.id for c in part.problem.crews}
        assert {regions_of_crews[n] for n in names} == {part.region}
        assert part.problem.stability_budget == math.ceil(len(part.problem.jobs) / 10)
        for job in part.problem.jobs:
            assert job.preferred_crew in names | {None}
            assert all(crew in names for _, crew in job.previous)


def test_scheduler_wiring(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """One job with an explicit id in the database job store, replaced on restart, with a
    misfire grace of hours; the cron fields and timezone as configured.

    The job store is an SQLite file whatever the test backend: this is about APScheduler's
    options (its scheduler thread may still hold a PostgreSQL connection when the test
    database is dropped).
    """
    database_url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    for _ in range(2):  # a restart replaces the stored job instead of adding one
        scheduler = create_scheduler(database_url, scheduler_class=BackgroundScheduler,
                                     cron="15 3 * * 1-5", timezone="America/New_York")
        scheduler.start(paused=True)
        try:
            [job] = scheduler.get_jobs()
        finally:
            scheduler.shutdown(wait=False)
    assert job.id == JOB_ID and job.func is nightly_job
    assert job.max_instances == 1 and job.coalesce is True
    assert job.misfire_grace_time == MISFIRE_GRACE_S >= 3600
    assert isinstance(job.trigger, CronTrigger)
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["minute"], fields["hour"]) == ("15", "3")
    assert fields["day_of_week"] == "mon,tue,wed,thu,fri"
    assert str(job.trigger.timezone) == "America/New_York"
    # A URL with a password is not pickled into the job store: the job reads DATABASE_URL.
    expected = None if make_url(database_url).password else database_url
    assert job.kwargs["database_url"] == expected


def test_the_job_function_runs_a_nightly_replan(database_url: str) -> None:
    """Called directly (no clock): its own engine, the default process pool, a stored draft."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        load_demo(session)
        keep = session.scalars(select(Agreement.id).order_by(Agreement.external_id).limit(8))
        for agreement in session.scalars(select(Agreement).where(Agreement.id.not_in(list(keep)))):
            agreement.status = AgreementStatus.PAUSED
    outcome = nightly_job(database_url, week="2026-W49", time_limit_s=1.0)
    assert outcome is not None
    with factory() as session:
        assert session.get_one(Plan, outcome.plan_id).status is PlanStatus.DRAFT
    engine.dispose()


@pytest.mark.parametrize(
    ("field", "days"),
    [("1-5", "Mon Tue Wed Thu Fri"), ("0", "Sun"), ("7", "Sun"), ("*/2", "Sun Tue Thu Sat"),
     ("6,0", "Sun Sat"), ("mon-fri", "Mon Tue Wed Thu Fri"), ("*", "Sun Mon Tue Wed Thu Fri Sat")],
)
def test_cron_weekdays_mean_what_crontab_means(field: str, days: str) -> None:
    """APScheduler 3 counts 0 = Monday; ``1-5`` must still be Monday to Friday."""
    trigger = cron_trigger(f"0 3 * * {field}", "UTC")
    fire = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)  # a Saturday
    seen = []
    for _ in range(7):
        fire = trigger.get_next_fire_time(None, fire + dt.timedelta(seconds=1))
        seen.append(fire.strftime("%a"))
    order = "Sun Mon Tue Wed Thu Fri Sat".split()
    assert sorted(set(seen), key=order.index) == days.split()
