"""Rounds optimizer: route crews through visits under real constraints.

A pure library (numpy and OR-Tools): build a :class:`ProblemData`, call
:func:`solve`, read the :class:`SolveResult`. See ``optimizer/README.md``.
"""

from optimizer.exceptions import InvalidProblemError as InvalidProblemError
from optimizer.exceptions import MatrixError as MatrixError
from optimizer.exceptions import ScalingWarning as ScalingWarning
from optimizer.params import Penalties as Penalties
from optimizer.params import SolveParams as SolveParams
from optimizer.periodic import ConsistencyWeights as ConsistencyWeights
from optimizer.periodic import Crew as Crew
from optimizer.periodic import PeriodicJob as PeriodicJob
from optimizer.periodic import PeriodicProblem as PeriodicProblem
from optimizer.periodic import PeriodicResult as PeriodicResult
from optimizer.periodic import PeriodicUnassigned as PeriodicUnassigned
from optimizer.periodic import PeriodicVisit as PeriodicVisit
from optimizer.periodic import PlanMove as PlanMove
from optimizer.periodic import solve_periodic as solve_periodic
from optimizer.problem import Break as Break
from optimizer.problem import Job as Job
from optimizer.problem import Location as Location
from optimizer.problem import ProblemData as ProblemData
from optimizer.problem import TimeWindow as TimeWindow
from optimizer.problem import Vehicle as Vehicle
from optimizer.solution import Progress as Progress
from optimizer.solution import Route as Route
from optimizer.solution import Solution as Solution
from optimizer.solution import SolveResult as SolveResult
from optimizer.solution import SolveStatus as SolveStatus
from optimizer.solution import Stop as Stop
from optimizer.solution import Unassigned as Unassigned
from optimizer.solve import solve as solve

__all__ = [
    "Break",
    "InvalidProblemError",
    "Job",
    "Location",
    "MatrixError",
    "Penalties",
    "ProblemData",
    "Progress",
    "Route",
    "ScalingWarning",
    "Solution",
    "SolveParams",
    "SolveResult",
    "SolveStatus",
    "Stop",
    "TimeWindow",
    "Unassigned",
    "Vehicle",
    "solve",
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
