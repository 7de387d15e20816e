"""Bad days: re-plan the rest of a week when a day is lost (rain, a broken truck).

``replan_bad_day(factory, date, reason, params)`` starts from the week's published plan:

- visits before ``date`` stay as published (they are done): they are pinned;
- the lost day's crews do not work on ``date``; the days after keep their availability;
- every visit from ``date`` on may be re-planned, inside its allowed day patterns where
  possible and never before ``date``; dispatchers' pins on later days are kept;
- visits that find no room this week (the solver drops the lowest priority first) are
  *deferred*: stored on the draft as :class:`UnplacedVisit` with code ``"deferred"``, the
  week they move to in ``week_start``, and a reason like "rain on Thu 03 Dec: no room left
  this week".

The result is a draft, based on the published plan, for the dispatcher to review and publish.
Deferred visits become work of the next week only once that draft is published: the
builder adds the deferred visits of the previous week's *published* plan as extra visits
(:func:`scheduling.builder.deferred_visits`), so an abandoned draft leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm.agreements import Agreement
from crm.crews import Crew as CrewRow
from optimizer import PeriodicJob, PeriodicResult, Progress, SolveParams
from optimizer.periodic import solve_periodic
from scheduling.builder import DEFERRED, Horizon, Pins, PlanningProblem, build_problem
from scheduling.edits import mark_pins, touch
from scheduling.models import Plan, PlanEdit, PlannedVisit, UnplacedVisit
from scheduling.nightly import stability_budget
from scheduling.plans import PlanError, load_plan, published_plan, store_draft
from scheduling.recurrence import WEEK, week_start

#: Priority from which visits get the week's room before the others.
HIGH_PRIORITY = 4
#: Offset of the pin keys of the first stage (they only steer the second solve; the plan's
#: own pins are the dispatcher's and the days already done).
STAGED_INDEX = 1000


@dataclass(frozen=True)
class DeferredVisit:
    """A visit of the lost day's week that moves to the next week."""

    agreement_id: int
    agreement: str
    priority: int
    reason: str


@dataclass(frozen=True)
class ReplanOutcome:
    """The draft a bad-day re-plan stored, what it was based on, what it deferred."""

    plan_id: int
    based_on_id: int
    deferred: tuple[DeferredVisit, ...]


def _displaced_pins(plan: Plan, bad_day: dt.date, crews: Collection[int]) -> Pins:
    """Pins of the re-plan: the days of the visits before the lost day (done: their crew
    does not bind the job's later visits, and they are copied back as published anyway),
    and dispatchers' pins (day and crew) that are not on the lost day of a lost crew."""
    pins: dict[tuple[int, int], tuple[dt.date, int | None]] = {}
    for visit in plan.visits:
        lost = visit.date == bad_day and visit.crew_id in crews
        if visit.date < bad_day:
            pins[(visit.agreement_id, visit.visit_index)] = (visit.date, None)
        elif visit.pinned and not lost:
            pins[(visit.agreement_id, visit.visit_index)] = (visit.date, visit.crew_id)
    return pins


def replan_budget(
    plan: Plan, bad_day: dt.date, lost: Collection[int], share: float | None
) -> int | None:
    """How many jobs may change day or crew on the days that are not lost (None: no limit).

    ``share`` of the jobs with a published visit from ``bad_day`` on, rounded up, not
    counting those with a visit on the lost day of a lost crew: those are displaced and move
    freely (the planner does not count a job whose previous slot is gone either).
    """
    if share is None:
        return None
    displaced = {v.agreement_id for v in plan.visits if v.date == bad_day and v.crew_id in lost}
    later = {v.agreement_id for v in plan.visits if v.date >= bad_day} - displaced
    return stability_budget(len(later), share)


def _with_budget(built: PlanningProblem, budget: int | None) -> PlanningProblem:
    return replace(built, problem=replace(built.problem, stability_budget=budget))


def _halved(params: SolveParams) -> SolveParams:
    if params.time_limit_s is None:
        return params
    return replace(params, time_limit_s=max(0.5, params.time_limit_s / 2))


def solve_high_priority_first(
    build: Callable[[Pins], PlanningProblem],
    params: SolveParams,
    progress: Callable[[Progress], None] | None = None,
    settled: Callable[[PlanningProblem, PeriodicJob], bool] = lambda built, job: False,
) -> tuple[PlanningProblem, PeriodicResult]:
    """Solve so that the week's room goes to the most important visits first.

    The planner's construction does not rank jobs by priority, so on a week that lost a day
    it may leave out a priority-5 visit while placing a priority-3 one. First only the
    ``settled`` jobs (every visit pinned) and those of priority :data:`HIGH_PRIORITY` or more
    are planned; their days and crews are then pinned and everything is planned around them.
    Each stage gets half the time limit. A stability budget of the built problem binds the
    second stage only: the important visits of the first may move wherever there is room (a
    budgeted first stage left a priority-5 visit out rather than move it), and what it
    changed is pinned in the second, where the planner does not count it.
    """
    built = build({})
    jobs = built.problem.jobs
    first = [j for j in jobs if j.priority >= HIGH_PRIORITY or settled(built, j)]
    if not first or len(first) == len(jobs):
        return built, solve_periodic(built.problem, params, progress=progress)
    budget = built.problem.stability_budget
    staged = solve_periodic(replace(built.problem, jobs=tuple(first), stability_budget=None),
                            _halved(params), progress=progress)  # fmt: skip
    horizon = built.horizon
    kept = {
        (built.job_agreement[v.job_id], STAGED_INDEX + v.visit_index):
            (horizon.date(v.day), built.crew_row[v.crew_id])
        for v in staged.visits
    }  # fmt: skip
    built = _with_budget(build(kept), budget)
    return built, solve_periodic(built.problem, _halved(params), progress=progress)


def replan_bad_day(
    session_factory: sessionmaker[Session],
    bad_day: dt.date,
    reason: str,
    params: SolveParams,
    *,
    user: str,
    crew_ids: Collection[int] | None = None,
    progress: Callable[[Progress], None] | None = None,
    stability_share: float | None = None,
) -> ReplanOutcome:
    """Re-plan the rest of ``bad_day``'s week as a draft; see the module docstring.

    ``crew_ids`` limits the lost day to some crews (default: every active crew). Solves
    outside any transaction; the draft is one short transaction. ``stability_share`` (off by
    default) limits the changes of day or crew on the days not lost (:func:`replan_budget`):
    on the sample company it traded moves inside the week for more deferred visits, which
    customers feel more (see the package README).

    Raises
    ------
    PlanError
        The week has no published plan, or ``bad_day`` lies outside it.
    """
    monday = week_start(bad_day)
    with session_factory() as session:
        current = published_plan(session, monday)
        if current is None:
            raise PlanError(f"the week of {monday} has no published plan to re-plan")
        plan = load_plan(session, current.id)
        if not plan.week_start <= bad_day < plan.week_start + dt.timedelta(days=plan.days):
            raise PlanError(f"{bad_day} is outside plan {plan.id}")
        if crew_ids is None:
            crew_ids = list(session.scalars(select(CrewRow.id).where(CrewRow.active)))
        lost = set(crew_ids)
        pins = _displaced_pins(plan, bad_day, lost)
        budget = replan_budget(plan, bad_day, lost, stability_share)
        previous: dict[int, list[tuple[dt.date, int]]] = {}
        for v in plan.visits:
            previous.setdefault(v.agreement_id, []).append((v.date, v.crew_id))
        already_unplaced = {u.agreement_id for u in plan.unplaced}
        based_on = plan.id
        horizon = Horizon(plan.week_start, max(1, plan.days // 7))

    def build(extra_pins: Pins) -> PlanningProblem:
        with session_factory() as session:
            return build_problem(
                session, horizon, previous=previous, pins={**pins, **extra_pins},
                days_off={c: (bad_day,) for c in lost}, not_before=bad_day,
                stability_budget=budget,
            )  # fmt: skip

    pinned_days = Counter((agreement, week_start(day)) for (agreement, _), (day, _) in pins.items())

    def settled(built: PlanningProblem, job: PeriodicJob) -> bool:
        key = (built.job_agreement[job.id], built.job_week[job.id])
        return pinned_days[key] >= job.visits

    built, result = solve_high_priority_first(build, params, progress, settled)
    label = f"{reason} on {bad_day:%a %d %b}"
    with session_factory.begin() as session:
        base = session.get_one(Plan, based_on)
        touch(base)  # editors who opened the published plan get a conflict naming this draft
        draft = store_draft(session, built, result, params={**base.params, **params.to_dict(),
                            "kind": "replan", "bad_day": bad_day.isoformat(), "reason": reason,
                            "stability_budget": budget},
                            created_by=user, based_on=base, note=f"{label}: re-plan")  # fmt: skip
        mark_pins(draft, pins)
        published = load_plan(session, based_on)
        _keep_days_before(draft, published, bad_day)
        deferred = _defer(session, draft, published, bad_day, label, already_unplaced)
        deferred.sort(key=lambda d: (d.priority, d.agreement))
        draft.kpis = {**draft.kpis, "deferred": len(deferred)}
        session.add(PlanEdit(plan_id=draft.id, user=user, action="replan", detail={
            "from_plan": based_on, "date": bad_day.isoformat(), "reason": reason,
            "deferred": [d.agreement for d in deferred],
        }))  # fmt: skip
        session.flush()
        return ReplanOutcome(draft.id, based_on, tuple(deferred))



def _copy(visit: PlannedVisit) -> PlannedVisit:
    return PlannedVisit(
        agreement_id=visit.agreement_id, visit_index=visit.visit_index, date=visit.date,
        crew_id=visit.crew_id, sequence=visit.sequence, arrival_s=visit.arrival_s,
        start_s=visit.start_s, end_s=visit.end_s, travel_s=visit.travel_s,
        distance_m=visit.distance_m, pinned=True,
    )


def _keep_days_before(draft: Plan, published: Plan, bad_day: dt.date) -> None:
    """The days before the lost one are done: exactly as published, whatever the solver did."""
    for visit in [v for v in draft.visits if v.date < bad_day]:
        draft.visits.remove(visit)
    for visit in published.visits:
        if visit.date < bad_day:
            draft.visits.append(_copy(visit))
    pinned = sum(1 for v in draft.visits if v.pinned)
    draft.kpis = {**draft.kpis, "visits": len(draft.visits), "pinned": pinned}


def _defer(
    session: Session,
    draft: Plan,
    published: Plan,
    bad_day: dt.date,
    label: str,
    already_unplaced: set[int],
) -> list[DeferredVisit]:
    """Turn the draft's unplaced visits of the rest of the week into deferred ones.

    One ``deferred`` row per visit that the published plan had from ``bad_day`` on and the
    draft has not; visits the published plan could not place either keep their reason.
    """
    def count(plan: Plan) -> Counter[int]:
        return Counter(v.agreement_id for v in plan.visits if v.date >= bad_day)

    missing = count(published) - count(draft)
    priorities = dict(session.execute(
        select(Agreement.id, Agreement.priority).where(Agreement.id.in_(list(missing)))
    ).all())  # fmt: skip
    next_week = week_start(bad_day) + WEEK
    deferred = []
    for item in list(draft.unplaced):
        if item.agreement_id not in missing or item.agreement_id in already_unplaced:
            continue
        no_room = item.code == "unplaced" and item.reason.startswith("does not fit")
        why = f"{label}: " + ("no room left this week" if no_room else item.reason)
        item.code, item.week_start, item.reason = DEFERRED, next_week, why
        for _ in range(missing[item.agreement_id] - 1):
            draft.unplaced.append(UnplacedVisit(
                agreement_id=item.agreement_id, week_start=next_week, code=DEFERRED, reason=why
            ))  # fmt: skip
        deferred += [DeferredVisit(item.agreement_id, item.agreement.external_id,
                                   priorities.get(item.agreement_id, 3), why)
                     ] * missing[item.agreement_id]  # fmt: skip
        del missing[item.agreement_id]
    return deferred
