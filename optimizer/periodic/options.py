"""What each job may do: its usable patterns and crews, and what a choice costs in consistency.

Screening comes first, as in the core: a job whose skills no crew has, or
whose every pattern hits a day on which no crew with the skills works, is
reported at once with a reason a dispatcher understands, and never reaches
the search. The consistency terms are one short function each, charged per
violation in objective units (:class:`~optimizer.periodic.problem.ConsistencyWeights`).
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.periodic.problem import PeriodicJob, PeriodicProblem

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

NEAREST_CREWS = 12
"""Crews a job is offered to when more have its skills: the nearest by depot (ties kept)."""


def day_name(day: int) -> str:
    """``Mon``..``Sun`` in the first week, then ``Mon+1w`` etc. (day 0 is taken as a Monday)."""
    week, weekday = divmod(day, 7)
    return WEEKDAYS[weekday] + (f"+{week}w" if week else "")


@dataclass(frozen=True)
class JobOptions:
    """Usable patterns and crews of one job; ``reason`` is set when there are none."""

    patterns: tuple[frozenset[int], ...]
    crews: tuple[int, ...]
    reason: tuple[str, str] | None = None


def job_options(problem: PeriodicProblem, job: PeriodicJob) -> JobOptions:
    """Patterns whose every day has a working crew with the job's skills (and pins)."""
    skilled = [c for c, crew in enumerate(problem.crews) if job.skills <= crew.skills]
    if not skilled:
        need = ", ".join(sorted(job.skills))
        return JobOptions((), (), ("no_skill", f"no crew has the skill(s) {need}"))
    day, crew_id = job.pinned_day_crew or (None, None)
    crews = [c for c in skilled if crew_id is None or problem.crews[c].id == crew_id]
    if not crews:
        return JobOptions((), (), ("pin_conflict", f"pinned crew {crew_id} lacks the skill(s)"))
    working = {d for c in crews for d in problem.crews[c].shifts}
    patterns = tuple(p for p in job.patterns if (day is None or day in p) and p <= working)
    if patterns and len(crews) > NEAREST_CREWS:
        crews = nearest_crews(problem, job, crews)
    if not patterns:
        who = (
            f"crew {crew_id}" if crew_id else "no crew with the skills" if job.skills else "no crew"
        )
        missing = sorted({d for p in job.patterns for d in p} - working)
        days = ", ".join(day_name(d) for d in missing) or "-"
        if crew_id:
            text = f"pinned to {who}, which does not work on every day of any allowed pattern"
        else:
            text = f"no allowed day pattern has a working crew on all its days ({who} works {days})"
        if day is not None and not crew_id:
            text = f"pinned to {day_name(day)}, but " + text
        return JobOptions((), tuple(crews), ("no_working_day", text))
    return JobOptions(patterns, tuple(crews))


def nearest_crews(problem: PeriodicProblem, job: PeriodicJob, crews: list[int]) -> list[int]:
    """The crews whose depots are nearest the job (ties kept), and any it was or is meant for.

    A granular neighbourhood: with 161 skilled-enough crews per job on a 5,000-visit week,
    every insertion estimate tried every crew (40 s for the first construction, 35 s per
    pattern-search sweep); a crew based across the region does not serve a job well anyway.
    Crews sharing one depot all tie, so companies with a single yard keep every crew.
    """
    dur = problem.duration_matrix
    x = job.location

    def detour(c: int) -> int:
        crew = problem.crews[c]
        return int(dur[crew.start, x]) + int(dur[x, crew.end])

    cutoff = sorted(detour(c) for c in crews)[NEAREST_CREWS - 1]
    named = {job.preferred_crew, *(crew for _, crew in job.previous)}
    near = {c for c in crews if detour(c) <= cutoff or problem.crews[c].id in named}
    for day in sorted({d for p in job.patterns for d in p}):  # every working day stays served
        working = [c for c in crews if day in problem.crews[c].shifts]
        if working and not any(c in near for c in working):
            near.add(min(working, key=lambda c: (detour(c), c)))
    return sorted(near)


def visit_penalty(problem: PeriodicProblem, job: PeriodicJob, day: int, crew: int) -> int:
    """Per-visit consistency cost: preferred day, preferred crew, previous assignment."""
    w = problem.weights
    crew_id = problem.crews[crew].id
    cost = 0
    if job.preferred_days and day not in job.preferred_days:
        cost += w.preferred_day
    if job.preferred_crew is not None and crew_id != job.preferred_crew:
        cost += w.preferred_crew
    if job.previous and (day, crew_id) not in job.previous:
        cost += w.previous_assignment
    return cost


def assignment_penalty(problem: PeriodicProblem, job: PeriodicJob, assign: dict[int, int]) -> int:
    """Whole-job consistency cost of ``assign`` (day -> crew index)."""
    cost = sum(visit_penalty(problem, job, d, c) for d, c in assign.items())
    return cost + problem.weights.same_crew * max(0, len(set(assign.values())) - 1)


def crew_free(problem: PeriodicProblem, job: PeriodicJob) -> bool:
    """True when OR-Tools may pick any skilled crew on a visit's day at no consistency cost.

    Not with a ``balance`` weight: OR-Tools does not see it, and moving visits
    between crews for travel alone would undo the planner's spreading of work.
    """
    w = problem.weights
    return (
        job.pinned_crew is None
        and (job.visits == 1 or w.same_crew == 0)
        and (job.preferred_crew is None or w.preferred_crew == 0)
        and (not job.previous or w.previous_assignment == 0)
        and w.balance == 0
    )


def day_free(problem: PeriodicProblem, job: PeriodicJob) -> bool:
    """True for a one-visit job whose day OR-Tools may pick among its allowed days at no cost."""
    w = problem.weights
    return (
        job.visits == 1
        and job.pinned_day is None
        and (not job.preferred_days or w.preferred_day == 0)
        and (not job.previous or w.previous_assignment == 0)
        and w.balance == 0
    )


def is_changed(problem: PeriodicProblem, job: PeriodicJob, assign: dict[int, int]) -> bool:
    """True when a placed job's (day, crew) set differs from its ``previous`` one."""
    now = {(d, problem.crews[c].id) for d, c in assign.items()}
    return bool(job.previous) and now != set(job.previous)
