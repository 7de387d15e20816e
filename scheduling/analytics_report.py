"""Owner analytics from the database: the figures of stored plans, one plan per week, and
today's book against the optimized plan of the same week.

Queries only: functions take a session and never write. The arithmetic and the definitions
(paid, service, drive, overtime, revenue) are in :mod:`scheduling.analytics`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm.agreements import Agreement
from crm.crews import Crew
from crm.customers import Site
from scheduling.analytics import (
    AsIsComparison,
    CrewInfo,
    PlanAnalytics,
    ReturnLeg,
    VisitFact,
    crew_summaries,
    travel_return_leg,
)
from scheduling.models import Plan, PlannedVisit, PlanStatus, UnplacedVisit

#: ``params["mode"]`` of a plan of today's book (``rounds plan --as-is``).
AS_IS = "as_is"

#: The stored columns of :class:`scheduling.analytics.VisitTiming`, in its field order.
VISIT_TIMING_COLUMNS = (
    PlannedVisit.crew_id,
    PlannedVisit.date,
    PlannedVisit.sequence,
    PlannedVisit.arrival_s,
    PlannedVisit.start_s,
    PlannedVisit.end_s,
    PlannedVisit.travel_s,
)


def plan_mode(plan: Plan) -> str:
    """``"as_is"`` for a plan of today's book, else ``"optimize"`` (older plans have no mode)."""
    return str((plan.params or {}).get("mode") or "optimize")


def load_crews(session: Session) -> dict[int, CrewInfo]:
    """Every crew (active or not: old plans may name retired crews) as :class:`CrewInfo`."""
    rows = session.scalars(select(Crew).options(selectinload(Crew.shifts))).all()
    return {
        row.id: CrewInfo(
            id=row.id,
            name=row.name,
            colour=row.colour,
            depot_end=(row.end_lat, row.end_lon),
            shifts={s.weekday: (s.start_min * 60, s.end_min * 60) for s in row.shifts},
        )
        for row in rows
    }


def visit_facts(session: Session, plan_ids: Sequence[int]) -> dict[int, list[VisitFact]]:
    """The visits of each plan in ``plan_ids`` (one query, columns only)."""
    facts: dict[int, list[VisitFact]] = {plan_id: [] for plan_id in plan_ids}
    if not plan_ids:
        return facts
    rows = session.execute(
        select(PlannedVisit.plan_id, *VISIT_TIMING_COLUMNS, Agreement.price, Site.lat, Site.lon)
        .join(Agreement, PlannedVisit.agreement_id == Agreement.id)
        .join(Site, Agreement.site_id == Site.id)
        .where(PlannedVisit.plan_id.in_(plan_ids))
    ).all()
    for plan_id, *values in rows:
        facts[plan_id].append(VisitFact(*values))
    return facts


def _unplaced_counts(session: Session, plan_ids: Sequence[int]) -> dict[int, int]:
    if not plan_ids:
        return {}
    rows = session.execute(
        select(UnplacedVisit.plan_id, func.count(UnplacedVisit.id))
        .where(UnplacedVisit.plan_id.in_(plan_ids))
        .group_by(UnplacedVisit.plan_id)
    ).all()
    return {plan_id: count for plan_id, count in rows}


def analyse_plans(
    session: Session,
    plans: Sequence[Plan],
    *,
    crews: Mapping[int, CrewInfo] | None = None,
    return_leg: ReturnLeg | None = None,
) -> list[PlanAnalytics]:
    """:class:`PlanAnalytics` of each of ``plans``, in the same order."""
    crews = crews if crews is not None else load_crews(session)
    return_leg = return_leg or travel_return_leg()
    ids = [p.id for p in plans]
    facts = visit_facts(session, ids)
    unplaced = _unplaced_counts(session, ids)
    result = []
    for plan in plans:
        lines, total = crew_summaries(facts[plan.id], crews, return_leg)
        result.append(
            PlanAnalytics(
                plan_id=plan.id,
                week_start=plan.week_start,
                days=plan.days,
                version=plan.version,
                status=plan.status,
                mode=plan_mode(plan),
                unplaced=unplaced.get(plan.id, 0),
                crews=lines,
                total=total,
            )
        )
    return result


def plan_analytics(
    session: Session, plan_id: int, *, return_leg: ReturnLeg | None = None
) -> PlanAnalytics | None:
    """The figures of one plan; None when there is no such plan."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        return None
    return analyse_plans(session, [plan], return_leg=return_leg)[0]


def _week_plans(session: Session, limit_weeks: int) -> dict[dt.date, list[Plan]]:
    """Plans of the latest ``limit_weeks`` weeks that have any, newest version first."""
    weeks = session.scalars(
        select(Plan.week_start)
        .group_by(Plan.week_start)
        .order_by(Plan.week_start.desc())
        .limit(limit_weeks)
    ).all()
    plans = session.scalars(
        select(Plan).where(Plan.week_start.in_(weeks)).order_by(Plan.version.desc())
    ).all()
    by_week: dict[dt.date, list[Plan]] = {week: [] for week in sorted(weeks)}
    for plan in plans:
        by_week[plan.week_start].append(plan)
    return by_week


def representative_plan(plans: Sequence[Plan]) -> Plan | None:
    """The plan that stands for its week: the published one, else the newest optimized one,
    else the newest of any mode. ``plans`` are one week's, newest first."""
    for plan in plans:
        if plan.status is PlanStatus.PUBLISHED:
            return plan
    optimized = [p for p in plans if plan_mode(p) != AS_IS]
    return (optimized or list(plans) or [None])[0]


def _optimized_plan(plans: Sequence[Plan]) -> Plan | None:
    """The week's optimized plan to compare with the book: published if optimized, else newest."""
    optimized = [p for p in plans if plan_mode(p) != AS_IS]
    for plan in optimized:
        if plan.status is PlanStatus.PUBLISHED:
            return plan
    return optimized[0] if optimized else None


@dataclass(frozen=True)
class OwnerReport:
    """Everything the owner page shows: the current week, the trend, as-is against optimized."""

    current: PlanAnalytics | None
    trend: tuple[PlanAnalytics, ...]
    comparisons: tuple[AsIsComparison, ...]


def owner_report(
    session: Session, *, weeks: int = 12, return_leg: ReturnLeg | None = None
) -> OwnerReport:
    """The owner's figures over the latest ``weeks`` planned weeks.

    ``current`` is the representative plan of the latest week; ``trend`` has one plan per
    week, oldest first; ``comparisons`` every week with both an as-is and an optimized plan.
    """
    by_week = _week_plans(session, weeks)
    chosen: list[Plan] = []
    pairs: list[tuple[dt.date, Plan, Plan]] = []
    for week, plans in by_week.items():
        plan = representative_plan(plans)
        if plan is not None:
            chosen.append(plan)
        as_is = next((p for p in plans if plan_mode(p) == AS_IS), None)
        optimized = _optimized_plan(plans)
        if as_is is not None and optimized is not None:
            pairs.append((week, as_is, optimized))
    needed = {p.id: p for p in chosen}
    for _, as_is, optimized in pairs:
        needed.setdefault(as_is.id, as_is)
        needed.setdefault(optimized.id, optimized)
    analysed = analyse_plans(session, list(needed.values()), return_leg=return_leg)
    by_id = {a.plan_id: a for a in analysed}
    trend = tuple(by_id[p.id] for p in chosen)
    comparisons = tuple(AsIsComparison(week, by_id[a.id], by_id[o.id]) for week, a, o in pairs)
    return OwnerReport(current=trend[-1] if trend else None, trend=trend, comparisons=comparisons)
