"""A dispatcher's edits of a draft plan: move a visit, pin it, re-solve around the pins.

Why it is shaped this way:

- **Published plans are immutable.** An edit of a published plan lands in a draft copy
  (:func:`start_draft`), so what crews work from never changes under them. There is one
  such draft at a time: a second editor continues it rather than forking a parallel copy.
- **Optimistic locking.** Editors pass the ``Plan.lock_version`` they saw; another editor's
  save in between raises :class:`EditConflict` instead of being overwritten. Every edit
  updates the plan row (its KPIs, edit count), which bumps the version. The conflict's
  message names the plan as the pages do and the last change (who, when, what).
- **Audit trail.** Every edit is a :class:`PlanEdit` row: who, what, when.
- **No solver for a move.** Both affected crew-days are re-timed with the travel model
  (:mod:`scheduling.retime`); problems come back as warnings, never as a refusal.

Functions take a session and never commit, except :func:`resolve_draft`, which solves
outside any transaction and owns its two short ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from crm.crews import Crew as CrewRow
from optimizer import Progress, SolveParams
from optimizer.periodic import solve_periodic
from scheduling.builder import Horizon, Pins, TravelModel, build_problem
from scheduling.models import Plan, PlanEdit, PlannedVisit, PlanStatus, UnplacedVisit
from scheduling.plans import PlanError, load_plan, next_version, store_draft
from scheduling.retime import DEFAULT_TRAVEL, time_day


class EditConflict(PlanError):
    """The draft changed since the editor loaded it (its lock_version moved on)."""


@dataclass(frozen=True)
class EditResult:
    """The draft an edit landed in, and what the dispatcher should look at."""

    plan: Plan
    warnings: tuple[str, ...] = ()


def _clock_utc(at: dt.datetime) -> str:
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    return f"{at:%H:%M} UTC"


def _what(edit: PlanEdit) -> str:
    """An audit row in a dispatcher's words: "move of AG-0005 to CR-02 on Thu 03 Dec"."""
    detail = edit.detail or {}
    agreement = detail.get("agreement", "a visit")
    if edit.action == "move":
        to = detail.get("to") or {}
        day = dt.date.fromisoformat(to["date"]).strftime("%a %d %b") if "date" in to else "?"
        return f"move of {agreement} to {to.get('crew', '?')} on {day}"
    if edit.action in ("pin", "unpin"):
        return f"{edit.action} of {agreement}"
    if edit.action == "start_draft":
        return f"new draft of plan {detail.get('from_plan', '?')}"
    return {"resolve": "re-solve", "replan": "bad-day re-plan"}.get(edit.action, edit.action)


def latest_change(session: Session, plan_id: int) -> PlanEdit | None:
    """The newest audit row of the plan or of a draft based on it (who changed it last)."""
    drafts = select(Plan.id).where(Plan.based_on_id == plan_id)
    return session.scalar(
        select(PlanEdit)
        .where((PlanEdit.plan_id == plan_id) | PlanEdit.plan_id.in_(drafts))
        .order_by(PlanEdit.at.desc(), PlanEdit.id.desc())
        .limit(1)
    )


def conflict(plan: Plan, latest: PlanEdit | None, *, while_editing: bool = False) -> EditConflict:
    """The conflict as a dispatcher reads it: which plan (its version in the week, the number
    the pages show), who changed it and how, and what to do."""
    when = "while you edited it" if while_editing else "since you opened it"
    what = ""
    if latest is not None:
        where = f" in draft plan {latest.plan_id}" if latest.plan_id != plan.id else ""
        what = f" (by {latest.user} at {_clock_utc(latest.at)}: {_what(latest)}{where})"
    elif plan.status is PlanStatus.PUBLISHED and plan.published_at is not None:
        what = f" (published at {_clock_utc(plan.published_at)})"
    return EditConflict(
        f"plan {plan.id} (version {plan.version} of the week of {plan.week_start:%d %b}) was "
        f"changed by someone else {when}{what}; reload to see their change and try again"
    )


def _check_version(session: Session, plan: Plan, expected_version: int | None) -> None:
    if expected_version is not None and plan.lock_version != expected_version:
        raise conflict(plan, latest_change(session, plan.id))


F = TypeVar("F", bound=Callable[..., Any])


def _stale_is_conflict(f: F) -> F:
    """A concurrent save of the plan row (SQLAlchemy's version check in the UPDATE) raises
    :class:`EditConflict`; the caller's session then needs a rollback, as after any error."""

    @wraps(f)
    def wrapped(session: Session, plan_id: int, *args: Any, **kwargs: Any) -> Any:
        try:
            return f(session, plan_id, *args, **kwargs)
        except StaleDataError:
            raise _stale_conflict(session, plan_id) from None

    return cast(F, wrapped)


def _stale_conflict(session: Session, plan_id: int) -> EditConflict:
    """The conflict of a save the database refused: who saved in between is read in a
    separate session (this one is failed until the caller rolls it back)."""
    try:
        with Session(session.get_bind()) as other:
            plan = other.get(Plan, plan_id)
            if plan is not None:
                return conflict(plan, latest_change(other, plan_id), while_editing=True)
    except SQLAlchemyError:
        pass
    return EditConflict(
        f"plan {plan_id} was changed by someone else while you edited it; reload to see their "
        "change and try again"
    )


def _record(session: Session, plan: Plan, user: str, action: str, **detail: object) -> None:
    """One audit row; also touches the plan row so that its lock version moves on."""
    session.add(PlanEdit(plan_id=plan.id, user=user, action=action, detail=detail))
    pinned = sum(1 for v in plan.visits if v.pinned)
    plan.kpis = {**plan.kpis, "pinned": pinned, "edits": int(plan.kpis.get("edits", 0)) + 1}


def open_draft(session: Session, plan_id: int) -> Plan | None:
    """The newest plan based on ``plan_id``, if it is still a draft: the edit in progress."""
    newest = session.scalar(
        select(Plan).where(Plan.based_on_id == plan_id).order_by(Plan.version.desc()).limit(1)
    )
    return newest if newest is not None and newest.status is PlanStatus.DRAFT else None


def touch(plan: Plan) -> None:
    """Move the plan's lock version on without changing it: a new draft based on a published
    plan turns the saves of editors who opened that plan before into conflicts."""
    flag_modified(plan, "kpis")


def start_draft(session: Session, plan_id: int, *, user: str) -> Plan:
    """A draft to edit: the plan itself when it is a draft; for a published plan, the draft
    already started from it (:func:`open_draft`), else a new draft copy of it.

    One published plan has at most one draft being edited at a time: two dispatchers editing
    the week work on the same draft, and its lock version turns their overlapping saves into
    an :class:`EditConflict` instead of two parallel copies. Starting a copy also moves the
    published plan's lock version on, so an editor who opened the published plan before the
    copy existed gets a conflict naming it, and two copies started at once cannot both save.

    The copy of a published plan keeps its visits (with pins), unplaced visits, parameters
    and KPIs, is based on it and gets the week's next version; the copy is recorded as a
    ``start_draft`` edit. A superseded plan raises :class:`PlanError`.
    """
    plan = load_plan(session, plan_id)
    if plan.status is PlanStatus.DRAFT:
        return plan
    if plan.status is PlanStatus.SUPERSEDED:
        raise PlanError(f"plan {plan_id} was superseded; start from the week's published plan")
    existing = open_draft(session, plan.id)
    if existing is not None:
        return load_plan(session, existing.id)
    touch(plan)
    draft = Plan(
        week_start=plan.week_start,
        days=plan.days,
        version=next_version(session, plan.week_start),
        status=PlanStatus.DRAFT,
        based_on_id=plan.id,
        params=dict(plan.params),
        kpis=dict(plan.kpis),
        note=f"edit of plan {plan.id}",
        created_by=user,
    )
    for v in plan.visits:
        draft.visits.append(PlannedVisit(
            agreement_id=v.agreement_id, visit_index=v.visit_index, date=v.date,
            crew_id=v.crew_id, sequence=v.sequence, arrival_s=v.arrival_s, start_s=v.start_s,
            end_s=v.end_s, travel_s=v.travel_s, distance_m=v.distance_m, pinned=v.pinned,
        ))  # fmt: skip
    for u in plan.unplaced:
        draft.unplaced.append(UnplacedVisit(
            agreement_id=u.agreement_id, week_start=u.week_start, code=u.code, reason=u.reason
        ))  # fmt: skip
    session.add(draft)
    session.flush()
    _record(session, draft, user, "start_draft", from_plan=plan.id, version=plan.version)
    session.flush()
    return load_plan(session, draft.id)


def _editable(
    session: Session, plan_id: int, visit_id: int, user: str, expected_version: int | None
) -> tuple[Plan, PlannedVisit]:
    """The draft to edit and the visit in it (its copy, when the edit starts a new draft)."""
    plan = load_plan(session, plan_id)
    _check_version(session, plan, expected_version)
    visit = next((v for v in plan.visits if v.id == visit_id), None)
    if visit is None:
        raise PlanError(f"plan {plan_id} has no visit {visit_id}")
    if plan.status is PlanStatus.DRAFT:
        return plan, visit
    draft = start_draft(session, plan_id, user=user)
    key = (visit.agreement_id, visit.visit_index)
    copy = next((v for v in draft.visits if (v.agreement_id, v.visit_index) == key), None)
    if copy is None:  # the open draft no longer has it (a re-plan deferred it)
        raise PlanError(f"draft plan {draft.id} of this week no longer has visit "
                        f"{visit.agreement.external_id}#{visit.visit_index}; edit the draft")
    return draft, copy


def _route(plan: Plan, crew_id: int, date: dt.date, without: PlannedVisit) -> list[PlannedVisit]:
    return sorted(
        (v for v in plan.visits if v.crew_id == crew_id and v.date == date and v is not without),
        key=lambda v: v.sequence,
    )


def _retime(crew: CrewRow, date: dt.date, route: list[PlannedVisit], travel: TravelModel):  # type: ignore[no-untyped-def]
    """Write new sequence numbers and times into ``route``; returns the day's timing."""
    times = time_day(crew, date, [v.agreement for v in route], travel)
    for sequence, (visit, stop) in enumerate(zip(route, times.stops, strict=True)):
        visit.sequence = sequence
        visit.arrival_s, visit.start_s, visit.end_s = stop.arrival_s, stop.start_s, stop.end_s
        visit.travel_s, visit.distance_m = stop.travel_s, stop.distance_m
    return times


def _best_position(
    crew: CrewRow, date: dt.date, route: list[PlannedVisit], visit: PlannedVisit,
    travel: TravelModel,
) -> int:
    """Where ``visit`` adds least travel to ``route`` (ties: fewer warnings, then earlier)."""
    def cost(position: int) -> tuple[int, int, int]:
        order = [v.agreement for v in route[:position]] + [visit.agreement]
        order += [v.agreement for v in route[position:]]
        times = time_day(crew, date, order, travel)
        return times.travel_s, len(times.warnings), position

    return min(range(len(route) + 1), key=cost)


def _crew(session: Session, crew_id: int) -> CrewRow:
    crew = session.get(CrewRow, crew_id)
    if crew is None:
        raise PlanError(f"there is no crew {crew_id}")
    return crew


@_stale_is_conflict
def move_visit(
    session: Session,
    plan_id: int,
    visit_id: int,
    *,
    crew_id: int,
    date: dt.date,
    position: int | None = None,
    user: str,
    expected_version: int | None = None,
    travel: TravelModel = DEFAULT_TRAVEL,
) -> EditResult:
    """Move one visit to ``crew_id`` on ``date`` at ``position`` (0-based; None: cheapest).

    Both affected crew-days are re-timed with ``travel``; the visit becomes pinned (a
    dispatcher's move is kept by later re-solves). A published plan's visit is moved in a
    new draft copy, which :attr:`EditResult.plan` is.

    Raises
    ------
    EditConflict
        ``expected_version`` is not the plan's current lock version.
    PlanError
        Unknown plan, visit or crew; an inactive crew; a date outside the plan's horizon;
        a superseded plan.
    """
    plan = load_plan(session, plan_id)
    end = plan.week_start + dt.timedelta(days=plan.days)
    if not plan.week_start <= date < end:
        raise PlanError(f"{date} is outside plan {plan_id} ({plan.week_start} to "
                        f"{end - dt.timedelta(days=1)})")
    target = _crew(session, crew_id)
    if not target.active:
        raise PlanError(f"crew {target.name} is not active")
    if position is not None and position < 0:
        raise PlanError(f"position {position} must be 0 or more")
    plan, visit = _editable(session, plan_id, visit_id, user, expected_version)
    source, source_date = _crew(session, visit.crew_id), visit.date
    before = {"crew": source.external_id, "date": source_date.isoformat(), "seq": visit.sequence}
    source_route = _route(plan, source.id, source_date, without=visit)
    target_route = _route(plan, crew_id, date, without=visit)
    same_day = (source.id, source_date) == (crew_id, date)
    old_days = [time_day(source, source_date, [v.agreement for v in sorted(
        [*source_route, visit], key=lambda v: v.sequence)], travel)]  # fmt: skip
    if not same_day:
        old_days.append(time_day(target, date, [v.agreement for v in target_route], travel))

    if position is None:
        position = _best_position(target, date, target_route, visit, travel)
    position = min(position, len(target_route))
    visit.crew_id, visit.date, visit.pinned = crew_id, date, True
    new_days = [_retime(target, date, [*target_route[:position], visit,
                                       *target_route[position:]], travel)]  # fmt: skip
    if not same_day:
        new_days.append(_retime(source, source_date, source_route, travel))
    warnings = [w for day in new_days for w in day.warnings]
    travel_delta = sum(d.travel_s for d in new_days) - sum(d.travel_s for d in old_days)
    distance_delta = sum(d.distance_m for d in new_days) - sum(d.distance_m for d in old_days)
    missing = _missing_skills(visit, target)
    if missing:
        warnings.insert(0, f"{target.name} lacks the skill(s) {missing} that visit "
                           f"{visit.agreement.external_id} needs")
    plan.kpis = {
        **plan.kpis,
        "travel_s": int(plan.kpis.get("travel_s", 0)) + travel_delta,
        "distance_m": int(plan.kpis.get("distance_m", 0)) + distance_delta,
        "visits": len(plan.visits),
    }
    _record(session, plan, user, "move", visit=visit.id,
            agreement=visit.agreement.external_id, visit_index=visit.visit_index, **{
                "from": before,
                "to": {"crew": target.external_id, "date": date.isoformat(), "seq": position},
            })  # fmt: skip
    session.flush()
    return EditResult(plan, tuple(dict.fromkeys(warnings)))


def _missing_skills(visit: PlannedVisit, crew: CrewRow) -> str:
    agreement = visit.agreement
    needed = set(agreement.site.required_skills)
    if agreement.service_type.required_skill:
        needed.add(agreement.service_type.required_skill)
    return ", ".join(sorted(needed - set(crew.skills)))


@_stale_is_conflict
def set_pinned(
    session: Session,
    plan_id: int,
    visit_id: int,
    pinned: bool,
    *,
    user: str,
    expected_version: int | None = None,
) -> EditResult:
    """Pin a visit (re-solves keep its day and crew) or unpin it: edit ``pin`` / ``unpin``."""
    plan, visit = _editable(session, plan_id, visit_id, user, expected_version)
    visit.pinned = pinned
    crew = _crew(session, visit.crew_id)
    _record(session, plan, user, "pin" if pinned else "unpin", visit=visit.id,
            agreement=visit.agreement.external_id, visit_index=visit.visit_index,
            crew=crew.external_id, date=visit.date.isoformat())  # fmt: skip
    session.flush()
    return EditResult(plan)


def edit_history(session: Session, plan_id: int) -> list[PlanEdit]:
    """The audit trail of a plan and of the drafts it was copied from, oldest first."""
    chain: list[int] = []
    current: int | None = plan_id
    while current is not None and current not in chain:
        chain.append(current)
        current = session.scalar(select(Plan.based_on_id).where(Plan.id == current))
    if session.get(Plan, plan_id) is None:
        raise PlanError(f"there is no plan {plan_id}")
    return list(session.scalars(
        select(PlanEdit).where(PlanEdit.plan_id.in_(chain)).order_by(PlanEdit.at, PlanEdit.id)
    ))  # fmt: skip


def pins_of(plan: Plan) -> dict[tuple[int, int], tuple[dt.date, int]]:
    """(agreement id, visit index) -> (date, crew id) of the plan's pinned visits."""
    return {(v.agreement_id, v.visit_index): (v.date, v.crew_id) for v in plan.visits if v.pinned}


def mark_pins(plan: Plan, pins: Pins) -> int:
    """Pin the visits of a freshly stored plan that sit where ``pins`` wanted them.

    Matched on agreement, date and crew (the solver numbers a job's visits in day order, so
    the index of a kept visit may differ). Returns how many were kept.
    """
    wanted = {(agreement, date, crew) for (agreement, _), (date, crew) in pins.items()}
    kept = 0
    for visit in plan.visits:
        if (visit.agreement_id, visit.date, visit.crew_id) in wanted:
            visit.pinned = True
            kept += 1
    plan.kpis = {**plan.kpis, "pinned": kept}
    return kept


def resolve_draft(
    session_factory: sessionmaker[Session],
    plan_id: int,
    params: SolveParams,
    *,
    user: str,
    progress: Callable[[Progress], None] | None = None,
) -> int:
    """Re-solve a plan's horizon keeping its pinned visits on their day and crew.

    Everything else is re-optimised. Solves outside any transaction, then stores a new draft
    (based on ``plan_id``, pins carried over) in one short transaction and returns its id.
    """
    with session_factory() as session:
        plan = load_plan(session, plan_id)
        if plan.status is PlanStatus.SUPERSEDED:
            raise PlanError(f"plan {plan_id} was superseded; re-solve the published plan")
        pins = pins_of(plan)
        previous: dict[int, list[tuple[dt.date, int]]] = {}
        for v in plan.visits:
            previous.setdefault(v.agreement_id, []).append((v.date, v.crew_id))
        horizon = Horizon(plan.week_start, max(1, plan.days // 7))
        built = build_problem(session, horizon, previous=previous, pins=pins)
    result = solve_periodic(built.problem, params, progress=progress)
    with session_factory.begin() as session:
        base = session.get_one(Plan, plan_id)
        if base.status is PlanStatus.SUPERSEDED:
            raise PlanError(f"plan {plan_id} was superseded while re-solving")
        new = store_draft(session, built, result, params={**base.params, **params.to_dict()},
                          created_by=user, based_on=base,
                          note=f"re-solve of plan {plan_id} keeping {len(pins)} pinned visits")
        kept = mark_pins(new, pins)
        session.add(PlanEdit(plan_id=new.id, user=user, action="resolve",
                             detail={"from_plan": plan_id, "pinned": len(pins), "kept": kept}))
        session.flush()
        return new.id
