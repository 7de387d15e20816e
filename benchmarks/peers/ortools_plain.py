"""Plain OR-Tools: the VRPTW model a user builds from the OR-Tools routing samples.

This is the baseline the product has to beat, so it stays deliberately close to the samples
``vrp_time_windows.py`` and ``vrp_capacity.py`` (google/or-tools,
``ortools/constraint_solver/samples/``): Python transit callbacks, arc cost = distance, a
``Time`` dimension whose transit is service at the origin plus travel, slack up to the horizon
(waiting allowed), windows as cumul ranges, a ``Capacity`` dimension, one vehicle per unit of
the fleet limit, PATH_CHEAPEST_ARC for the first solution and GUIDED_LOCAL_SEARCH until the
time limit. The only departures from the samples are the ones the benchmark needs: the
vehicles must be back by the depot's due date (the dimension's capacity is the horizon) and a
time limit. No tuning (``RegisterTransitMatrix``, other first-solution strategies) on purpose.
"""

from __future__ import annotations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from benchmarks.model import Instance, Route
from benchmarks.solvers import SolverOutput, require_single_day, scaled, scaled_matrix

_STATUS = {
    0: "not solved",
    1: "success",
    2: "partial success",
    3: "fail",
    4: "fail timeout",
    5: "invalid",
    6: "infeasible",
    7: "optimal",
}


def solve(instance: Instance, time_limit: float) -> SolverOutput:
    """Solve a one-day instance; no solution gives empty routes and status ``fail``."""
    require_single_day(instance, "plain OR-Tools")
    distance = scaled_matrix(instance).tolist()
    nodes = range(instance.num_customers + 1)
    service = [0] + [scaled(c.service) for c in instance.customers]
    demand = [0] + [c.demand for c in instance.customers]
    windows = [(scaled(instance.depot.ready), scaled(instance.depot.due))] + [
        (scaled(c.ready), scaled(c.due)) for c in instance.customers
    ]
    horizon = windows[0][1]
    vehicles = instance.vehicles_per_day

    manager = pywrapcp.RoutingIndexManager(len(nodes), vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)

    def distance_callback(from_index: int, to_index: int) -> int:
        return distance[manager.IndexToNode(from_index)][manager.IndexToNode(to_index)]

    def time_callback(from_index: int, to_index: int) -> int:
        from_node = manager.IndexToNode(from_index)
        return service[from_node] + distance[from_node][manager.IndexToNode(to_index)]

    def demand_callback(from_index: int) -> int:
        return demand[manager.IndexToNode(from_index)]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(distance_callback))
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitCallback(demand_callback),
        0,
        [instance.capacity] * vehicles,
        True,
        "Capacity",
    )
    routing.AddDimension(
        routing.RegisterTransitCallback(time_callback), horizon, horizon, False, "Time"
    )
    time_dimension = routing.GetDimensionOrDie("Time")
    for node in nodes[1:]:
        time_dimension.CumulVar(manager.NodeToIndex(node)).SetRange(*windows[node])
    for v in range(vehicles):
        time_dimension.CumulVar(routing.Start(v)).SetRange(*windows[0])
        routing.AddVariableMinimizedByFinalizer(time_dimension.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(time_dimension.CumulVar(routing.End(v)))

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    solution = routing.SolveWithParameters(params)
    status = _STATUS.get(routing.status(), str(routing.status()))
    if solution is None:
        return SolverOutput(routes=(), status=status)
    routes = []
    for v in range(vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        customers = []
        while not routing.IsEnd(index):
            customers.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        if customers:
            routes.append(Route(day=1, vehicle=v + 1, customers=tuple(customers)))
    return SolverOutput(routes=tuple(routes), status=status)
