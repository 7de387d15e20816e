"""Plans in the database: store a solved week as a draft, compare, publish.

Functions take a session and never commit: the command or request that calls them owns the
transaction, so a failed run leaves published plans and earlier drafts exactly as they were.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm.agreements import Agreement
from crm.customers import Site
from optimizer.periodic import PeriodicResult
from scheduling.builder import PlanningProblem
from scheduling.models import Notice, Plan, PlannedVisit, PlanStatus, UnplacedVisit

#: A visit whose start moves by more than this is a change the customer hears about.
DEFAULT_TIME_THRESHOLD_S = 30 * 60
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class PlanError(Exception):
    """A plan operation that cannot be done; the message is for the dispatcher."""


def next_version(session: Session, week_start: dt.date) -> int:
    """The version number the next plan of ``week_start`` gets (1, 2, ...)."""
    latest = session.scalar(select(func.max(Plan.version)).where(Plan.week_start == week_start))
    return (latest or 0) + 1


def published_plan(session: Session, week_start: dt.date) -> Plan | None:
    """The plan crews work from for that week, if any."""
    return session.scalar(
        select(Plan).where(Plan.week_start == week_start, Plan.status == PlanStatus.PUBLISHED)
    )


def _split_stop_id(stop_id: str) -> tuple[str, int]:
    job, _, index = stop_id.rpartition("#")
    return (job, int(index)) if job else (stop_id, 0)


def store_draft(
    session: Session,
    built: PlanningProblem,
    result: PeriodicResult,
    *,
    params: dict[str, Any] | None = None,
    created_by: str | None = None,
    based_on: Plan | None = None,
    note: str | None = None,
) -> Plan:
    """Write ``result`` as a new draft plan of ``built``'s horizon and return it (flushed)."""
    horizon = built.horizon
    plan = Plan(
        week_start=horizon.first_monday,
        days=horizon.days,
        version=next_version(session, horizon.first_monday),
        status=PlanStatus.DRAFT,
        based_on_id=based_on.id if based_on else None,
        params=params or {},
        created_by=created_by,
        note=note,
    )
    for day, solution in sorted(result.day_solutions.items()):
        for route in solution.routes:
            crew = route.vehicle_id.rpartition("@")[0] or route.vehicle_id
            for sequence, stop in enumerate(route.stops):
                job, index = _split_stop_id(stop.job_id)
                plan.visits.append(
                    PlannedVisit(
                        agreement_id=built.job_agreement[job],
                        visit_index=index,
                        date=horizon.date(day),
                        crew_id=built.crew_row[crew],
                        sequence=sequence,
                        arrival_s=stop.arrival,
                        start_s=stop.start,
                        end_s=stop.end,
                        travel_s=stop.travel_duration,
                        distance_m=stop.travel_distance,
                    )
                )
    for item in result.unassigned:
        plan.unplaced.append(
            UnplacedVisit(
                agreement_id=built.job_agreement[item.job_id],
                week_start=built.job_week[item.job_id],
                code="unplaced",
                reason=item.reason,
            )
        )
    for item in built.impossible:
        plan.unplaced.append(
            UnplacedVisit(
                agreement_id=item.agreement_id,
                week_start=item.week_start,
                code=item.code,
                reason=item.reason,
            )
        )
    plan.kpis = {
        "visits": len(plan.visits),
        "unplaced": len(plan.unplaced),
        "travel_s": result.travel_duration,
        "distance_m": result.travel_distance,
        "moves": len(result.moves),
        "runtime_s": round(result.runtime_s, 2),
        "status": result.status.value,
        **{k: v for k, v in result.kpis.items() if isinstance(v, int | float | str)},
    }
    session.add(plan)
    session.flush()
    return plan


@dataclass(frozen=True)
class VisitChange:
    """One visit of an agreement that is new, gone, or changed day, crew or time.

    Against the as-is (no plan published yet) ``before`` is None and ``as_is`` says what the
    customer had: "Mon+Thu, Blue Crew".
    """

    agreement_id: int
    visit_index: int
    kinds: tuple[str, ...]
    before: PlannedVisit | None
    after: PlannedVisit | None
    as_is: str | None = None


#: What a plan is compared with when its week has no published plan yet.
AS_IS_BASIS = "the as-is days and crews"


@dataclass(frozen=True)
class PlanDiff:
    """What a plan changes against another (usually the published one), or, when nothing is
    published for the week yet (``against_id`` None), against the as-is days and crews."""

    plan_id: int
    against_id: int | None
    changes: tuple[VisitChange, ...] = ()
    customers: tuple[int, ...] = field(default_factory=tuple)

    @property
    def unchanged(self) -> bool:
        return not self.changes

    @property
    def basis(self) -> str:
        """What the plan was compared with, for the dispatcher."""
        return AS_IS_BASIS if self.against_id is None else f"published plan {self.against_id}"


def _visit_key(visit: PlannedVisit) -> tuple[int, int]:
    return visit.agreement_id, visit.visit_index


def diff_plans(
    plan: Plan, against: Plan | None, time_threshold_s: int = DEFAULT_TIME_THRESHOLD_S
) -> PlanDiff:
    """Visits of ``plan`` that differ from ``against`` in day, crew or start time.

    A start time counts as changed when it moves by more than ``time_threshold_s``.
    ``customers`` lists the customer ids touched by any change, each once. Without
    ``against`` (no plan published for the week yet) the plan is compared with what
    customers had before Rounds: see :func:`diff_as_is`.
    """
    if against is None:
        return diff_as_is(plan)
    old = {_visit_key(v): v for v in (against.visits if against else ())}
    new = {_visit_key(v): v for v in plan.visits}
    changes = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before is None:
            kinds: tuple[str, ...] = ("new",)
        elif after is None:
            kinds = ("removed",)
        else:
            kinds = tuple(
                kind
                for kind, changed in (
                    ("day", before.date != after.date),
                    ("crew", before.crew_id != after.crew_id),
                    ("time", abs(before.start_s - after.start_s) > time_threshold_s),
                )
                if changed
            )
        if kinds:
            changes.append(VisitChange(key[0], key[1], kinds, before, after))
    customers = _customers_of({c.agreement_id for c in changes}, plan, against)
    return PlanDiff(plan.id, against.id if against else None, tuple(changes), customers)


def _weekdays(days: list[int]) -> str:
    return "+".join(WEEKDAYS[d] for d in sorted(days)) or "any day"


def as_is_of(agreement: Agreement) -> str | None:
    """The agreement's as-is day(s) and crew ("Mon+Thu, Blue Crew"); None for a new customer."""
    crew = agreement.current_crew
    if not agreement.current_days and crew is None:
        return None
    return f"{_weekdays(agreement.current_days)}, {crew.name if crew else 'no crew'}"


def diff_as_is(plan: Plan) -> PlanDiff:
    """Visits of ``plan`` on another weekday or crew than their agreement's as-is
    (``current_days`` / ``current_crew_id``: what the customer had before Rounds).

    This is what a week's first publication tells customers: an agreement without an as-is
    (a new customer) has every visit ``new``; a visit on one of its as-is weekdays with its
    as-is crew is no change. There are no as-is times, so time is not compared.
    """
    changes = []
    for visit in sorted(plan.visits, key=_visit_key):
        agreement = visit.agreement
        as_is = as_is_of(agreement)
        if as_is is None:
            kinds: tuple[str, ...] = ("new",)
        else:
            kinds = tuple(kind for kind, changed in (
                ("day", bool(agreement.current_days)
                 and visit.date.weekday() not in agreement.current_days),
                ("crew", agreement.current_crew_id not in (None, visit.crew_id)),
            ) if changed)  # fmt: skip
        if kinds:
            changes.append(VisitChange(visit.agreement_id, visit.visit_index, kinds, None,
                                       visit, as_is))  # fmt: skip
    customers = _customers_of({c.agreement_id for c in changes}, plan)
    return PlanDiff(plan.id, None, tuple(changes), customers)


def _customers_of(agreement_ids: set[int], *plans: Plan | None) -> tuple[int, ...]:
    by_agreement = {}
    for plan in plans:
        for visit in plan.visits if plan else ():
            by_agreement[visit.agreement_id] = visit.agreement.site.customer_id
    return tuple(sorted({by_agreement[a] for a in agreement_ids if a in by_agreement}))


def load_plan(session: Session, plan_id: int) -> Plan:
    """The plan with its visits, agreements and sites loaded; PlanError when missing."""
    plan = session.scalar(
        select(Plan)
        .where(Plan.id == plan_id)
        .options(
            selectinload(Plan.visits)
            .selectinload(PlannedVisit.agreement)
            .selectinload(Agreement.site)
            .selectinload(Site.customer),
            selectinload(Plan.unplaced),
        )
    )
    if plan is None:
        raise PlanError(f"there is no plan {plan_id}")
    return plan


def _describe(visit: PlannedVisit | None) -> str | None:
    if visit is None:
        return None
    hours, rest = divmod(visit.start_s, 3600)
    return f"{visit.date:%a %d %b} {hours:02d}:{rest // 60:02d}, crew {visit.crew.name}"


def publish(
    session: Session, plan_id: int, now: dt.datetime | None = None
) -> tuple[Plan, PlanDiff]:
    """Make a draft the week's published plan, atomically with its notices.

    The previously published plan of the week becomes superseded; an outbox row is written
    for every visit whose day, crew or time changed (or that is new or gone), one per visit.
    The week's first publication compares with the as-is instead (:func:`diff_as_is`): only
    visits off their customer's usual weekday or crew, and new customers, are told.
    Publishing the published plan again changes nothing (idempotent); a superseded plan cannot
    be published again.
    """
    plan = load_plan(session, plan_id)
    if plan.status is PlanStatus.PUBLISHED:
        return plan, PlanDiff(plan.id, plan.id)
    if plan.status is PlanStatus.SUPERSEDED:
        raise PlanError(f"plan {plan_id} was superseded; start a new draft from the published plan")
    current = published_plan(session, plan.week_start)
    if current is not None:
        current = load_plan(session, current.id)
    changes = diff_plans(plan, current)
    if current is not None:
        current.status = PlanStatus.SUPERSEDED
        session.flush()  # the week may hold one published plan at a time
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = now or dt.datetime.now(dt.UTC)
    for change in changes.changes:
        visit = change.after or change.before
        session.add(
            Notice(
                plan_id=plan.id,
                customer_id=visit.agreement.site.customer_id,
                agreement_id=change.agreement_id,
                kind="+".join(change.kinds),
                before=_describe(change.before) or change.as_is,
                after=_describe(change.after),
            )
        )
    session.flush()
    return plan, changes


def plans_of_week(session: Session, week_start: dt.date) -> list[Plan]:
    """Every plan of a week, newest first."""
    return list(
        session.scalars(
            select(Plan).where(Plan.week_start == week_start).order_by(Plan.version.desc())
        )
    )
