"""One function per constraint family of the routing model.

Each function takes the :class:`~optimizer.model.RoutingContext` (manager,
routing model, node arrays) and adds one family; :func:`optimizer.model.build`
calls them in a fixed order and reads like a table of contents. This module
does not import OR-Tools: it only calls methods on the objects it is given.

Hard constraints are never violated by a returned plan. The only soft part is
leaving jobs out (:func:`add_optional_jobs`): every job is optional at a
penalty, so a plan always comes back and what was dropped is explained.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from optimizer.model import RoutingContext

TIME = "time"
LOAD = "load"
POSITION = "position"


def add_travel_cost(ctx: RoutingContext) -> None:
    """Soft: minimise travel, in seconds (objective ``duration``) or meters (``distance``).

    The arc cost is the node-indexed travel matrix registered with
    ``RegisterTransitMatrix``, so the search never calls back into Python.
    A vehicle's ``fixed_cost`` (objective units) is added when it is used.
    """
    matrix = ctx.node_durations if ctx.params.objective == "duration" else ctx.node_distances
    callback = ctx.routing.RegisterTransitMatrix(matrix.tolist())
    ctx.routing.SetArcCostEvaluatorOfAllVehicles(callback)
    for k, vehicle in enumerate(ctx.data.vehicles):
        if vehicle.fixed_cost:
            ctx.routing.SetFixedCostOfVehicle(vehicle.fixed_cost, k)


def add_time_dimension(ctx: RoutingContext) -> None:
    """Hard: the clock. ``cumul(j) >= cumul(i) + service(i) + travel(i, j)``.

    Cumuls are service start times; slack is waiting (up to the horizon).
    """
    transit = ctx.node_durations + ctx.node_service[:, None]
    callback = ctx.routing.RegisterTransitMatrix(transit.tolist())
    ctx.transit_callbacks[TIME] = callback
    horizon = ctx.horizon
    ctx.routing.AddDimension(callback, horizon, horizon, False, TIME)
    ctx.dimensions[TIME] = ctx.routing.GetDimensionOrDie(TIME)


def add_time_windows(ctx: RoutingContext) -> None:
    """Hard: service starts inside one of the job's windows (gaps removed from the domain)."""
    time = ctx.dimensions[TIME]
    for node, j in enumerate(ctx.job_of_node):
        windows = ctx.data.jobs[j].windows
        if not windows:
            continue
        cumul = time.CumulVar(ctx.manager.NodeToIndex(node))
        cumul.SetRange(windows[0].start, min(windows[-1].end, ctx.horizon))
        for a, b in zip(windows, windows[1:], strict=False):
            cumul.RemoveInterval(a.end + 1, b.start - 1)


def add_vehicle_shifts(ctx: RoutingContext) -> None:
    """Hard: each vehicle leaves and returns inside its shift.

    The finalizer then ends each route as early as the plan allows and, given
    that end, starts it as late as possible: days begin at the shift start
    unless a window makes waiting unavoidable, which is then cut at the depot.
    """
    time = ctx.dimensions[TIME]
    for k, vehicle in enumerate(ctx.data.vehicles):
        for index in (ctx.routing.Start(k), ctx.routing.End(k)):
            time.CumulVar(index).SetRange(vehicle.shift.start, vehicle.shift.end)
    for k in range(len(ctx.data.vehicles)):  # first finish early, then cut idle time at the start
        ctx.routing.AddVariableMinimizedByFinalizer(time.CumulVar(ctx.routing.End(k)))
        ctx.routing.AddVariableMaximizedByFinalizer(time.CumulVar(ctx.routing.Start(k)))


def add_max_duration(ctx: RoutingContext) -> None:
    """Hard: route end minus route start stays within ``max_duration``."""
    time = ctx.dimensions[TIME]
    for k, vehicle in enumerate(ctx.data.vehicles):
        if vehicle.max_duration is not None:
            time.SetSpanUpperBoundForVehicle(vehicle.max_duration, k)


def add_breaks(ctx: RoutingContext) -> None:
    """Hard: a vehicle's lunch starts inside its window and overlaps no service.

    OR-Tools may place it during a drive (the drive pauses), before the route
    starts or after it ends; the break then simply falls outside the route.
    """
    if not any(v.lunch for v in ctx.data.vehicles):
        return
    solver = ctx.routing.solver()
    time = ctx.dimensions[TIME]
    visit = [int(ctx.node_service[ctx.manager.IndexToNode(i)]) for i in range(ctx.routing.Size())]
    for k, vehicle in enumerate(ctx.data.vehicles):
        lunch = vehicle.lunch
        if lunch is None:
            continue
        interval = solver.FixedDurationIntervalVar(
            lunch.window.start, lunch.window.end, lunch.duration, False, f"lunch {vehicle.id}"
        )
        ctx.breaks[k] = interval
        time.SetBreakIntervalsOfVehicle([interval], k, visit)


def add_capacity(ctx: RoutingContext) -> None:
    """Hard: the summed demand on a route stays within the vehicle's capacity."""
    vehicles = ctx.data.vehicles
    if all(v.capacity is None for v in vehicles):
        return
    demand = [int(d) for d in ctx.node_demand]
    callback = ctx.routing.RegisterUnaryTransitVector(demand)
    unlimited = max(sum(demand), 1)
    capacities = [unlimited if v.capacity is None else v.capacity for v in vehicles]
    ctx.routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, True, LOAD)
    ctx.dimensions[LOAD] = ctx.routing.GetDimensionOrDie(LOAD)


def add_eligibility(ctx: RoutingContext) -> None:
    """Hard: skills, allowed vehicles and pinned vehicles.

    ``VehicleVar(index).SetValues([-1, *allowed])``: ``SetAllowedVehiclesForIndex``
    raises ``TypeError`` on lists in OR-Tools 9.15; ``-1`` keeps the job droppable.
    """
    everyone = len(ctx.data.vehicles)
    for node, j in enumerate(ctx.job_of_node):
        allowed = ctx.candidates[j]
        if len(allowed) < everyone:
            ctx.routing.VehicleVar(ctx.manager.NodeToIndex(node)).SetValues([-1, *allowed])


def add_pinned_positions(ctx: RoutingContext) -> None:
    """Hard: a job pinned at position ``p`` is the ``p``-th stop (0-based) of its vehicle.

    A counting dimension (each stop adds 1 on leaving it, the start adds 0)
    whose cumul at the job must equal ``p``. A pin that cannot hold makes the
    job dropped (``pin_conflict``).
    """
    pinned = [
        (node, ctx.data.jobs[j].pinned_position)
        for node, j in enumerate(ctx.job_of_node)
        if ctx.data.jobs[j].pinned_position is not None
    ]
    if not pinned:
        return
    ones = [0 if ctx.is_depot(node) else 1 for node in range(len(ctx.node_location))]
    callback = ctx.routing.RegisterUnaryTransitVector(ones)
    ctx.routing.AddDimension(callback, 0, len(ctx.job_of_node) + 1, True, POSITION)
    ctx.dimensions[POSITION] = ctx.routing.GetDimensionOrDie(POSITION)
    for node, position in pinned:
        assert position is not None
        cumul = ctx.dimensions[POSITION].CumulVar(ctx.manager.NodeToIndex(node))
        cumul.SetRange(position, position)


def add_optional_jobs(ctx: RoutingContext) -> None:
    """Soft: leaving a job out costs ``penalties.drop(priority)`` (x ``pinned_factor`` if pinned).

    Every job gets its own disjunction, so the solver always returns a plan
    and the penalty grows with the importance of what is dropped.
    """
    penalties = ctx.params.penalties
    for node, j in enumerate(ctx.job_of_node):
        job = ctx.data.jobs[j]
        penalty = penalties.drop(job.priority, job.pinned_vehicle is not None)
        ctx.routing.AddDisjunction([ctx.manager.NodeToIndex(node)], penalty)
