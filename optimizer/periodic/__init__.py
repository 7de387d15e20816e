"""The weekly planner: day, crew and order for every recurring visit over a horizon.

Build a :class:`PeriodicProblem` (crews with per-day shifts, jobs with allowed
day patterns), call :func:`solve_periodic`, read the :class:`PeriodicResult`.
The algorithm (pattern search around exact OR-Tools day routing) is described
in :mod:`optimizer.periodic.engine` and in ``optimizer/README.md``.
"""

from optimizer.periodic.problem import ConsistencyWeights as ConsistencyWeights
from optimizer.periodic.problem import Crew as Crew
from optimizer.periodic.problem import PeriodicJob as PeriodicJob
from optimizer.periodic.problem import PeriodicProblem as PeriodicProblem
from optimizer.periodic.result import PeriodicResult as PeriodicResult
from optimizer.periodic.result import PeriodicUnassigned as PeriodicUnassigned
from optimizer.periodic.result import PeriodicVisit as PeriodicVisit
from optimizer.periodic.result import PlanMove as PlanMove
from optimizer.periodic.solve import solve_periodic as solve_periodic

__all__ = [
    "ConsistencyWeights",
    "Crew",
    "PeriodicJob",
    "PeriodicProblem",
    "PeriodicResult",
    "PeriodicUnassigned",
    "PeriodicVisit",
    "PlanMove",
    "solve_periodic",
]
