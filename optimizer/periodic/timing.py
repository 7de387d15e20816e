"""Per crew-day limits and a forward time pass, for the planner's insertion estimates.

The exact schedule is OR-Tools' business; this pass only has to say whether
a sequence very probably fits, quickly and a little conservatively: leave at
the shift start, wait for windows, take the lunch as soon as its window is
open, come back before the shift end plus the allowed overtime, and keep
end minus start within ``max_duration``. A visit the estimate lets through
and OR-Tools cannot place is dropped by the core with its own reason and
re-inserted or reported by the planner.
"""

from __future__ import annotations

from collections.abc import Sequence

from optimizer.periodic.problem import PeriodicProblem

Key = tuple[int, int]


class RouteTimer:
    """Limits of every working crew-day and :meth:`fits` for a candidate sequence."""

    def __init__(self, problem: PeriodicProblem) -> None:
        self.problem = problem
        self.keys: list[Key] = []
        self.limit: dict[Key, int] = {}
        self.capacity: dict[Key, int | None] = {}
        self.timed: dict[Key, bool] = {}
        for c, crew in enumerate(problem.crews):
            lunch = crew.lunch.duration if crew.lunch is not None else 0
            for day, shift in sorted(crew.shifts.items()):
                key = (day, c)
                span = shift.end + crew.overtime_max - shift.start
                if crew.max_duration is not None:
                    span = min(span, crew.max_duration)
                self.keys.append(key)
                self.limit[key] = span - lunch
                self.capacity[key] = crew.capacity
                self.timed[key] = crew.lunch is not None
        self.keys.sort()

    def fits(self, key: Key, sequence: Sequence[int]) -> bool:
        """True when ``sequence`` (job indices) very probably fits crew-day ``key``."""
        day, c = key
        problem = self.problem
        crew = problem.crews[c]
        shift = crew.shifts[day]
        dur = problem.duration_matrix
        lunch = crew.lunch
        t = shift.start
        here = crew.start
        first: int | None = None
        for j in sequence:
            job = problem.jobs[j]
            travel = int(dur[here, job.location])
            if lunch is not None and t + travel + job.service > lunch.window.start:
                if t > lunch.window.end:
                    return False
                t = max(t, lunch.window.start) + lunch.duration
                lunch = None
            arrive = t + travel
            start = arrive
            if job.windows:
                opening = [w for w in job.windows if w.end >= arrive]
                if not opening:
                    return False
                start = max(arrive, opening[0].start)
            if first is None:
                first = start - travel
            t = start + job.service
            here = job.location
        t += int(dur[here, crew.end])
        if lunch is not None and t > lunch.window.start:
            t = max(t, lunch.window.start) + lunch.duration
        if t > shift.end + crew.overtime_max:
            return False
        if crew.max_duration is not None and first is not None:
            return t - first <= crew.max_duration
        return True
