"""The output document: a VROOM-shaped JSON form of solutions and results.

Derived numbers (``utilization``, summary totals) are written for readers and
recomputed, not read, when a document is loaded, so a loaded document cannot
disagree with itself.
"""

from __future__ import annotations

from typing import Any

from optimizer.params import SolveParams
from optimizer.solution import Route, Solution, SolveResult, SolveStatus, Stop, Unassigned

STATUS_CODES = {status: i for i, status in enumerate(SolveStatus)}
"""Stable numeric ``code`` per status (0 = not solved ... 7 = optimal, OR-Tools' order)."""


def _steps(route: Route) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    brk = None
    if route.break_start is not None:
        brk = {"type": "break", "start": route.break_start, "duration": route.break_duration}
        if route.break_start + route.break_duration <= route.start_time:
            steps.append(brk)  # lunch before the route starts
            brk = None
    steps.append({"type": "start", "location": route.start_location, "arrival": route.start_time})
    for stop in route.stops:
        if brk is not None and brk["start"] < stop.start:
            steps.append(brk)
            brk = None
        steps.append(
            {
                "type": "job",
                "job": stop.job_id,
                "location": stop.location,
                "arrival": stop.arrival,
                "start": stop.start,
                "end": stop.end,
                "waiting_time": stop.waiting,
                "travel_duration": stop.travel_duration,
                "travel_distance": stop.travel_distance,
            }
        )
    end = {"type": "end", "location": route.end_location, "arrival": route.end_time}
    if brk is not None and brk["start"] >= route.end_time:
        steps.extend([end, brk])  # lunch after the route ends
    elif brk is not None:
        steps.extend([brk, end])
    else:
        steps.append(end)
    return steps


def route_to_dict(route: Route) -> dict[str, Any]:
    """One route with its steps (start, jobs, break, end)."""
    return {
        "vehicle": route.vehicle_id,
        "travel_duration": route.travel_duration,
        "travel_distance": route.travel_distance,
        "service": route.service_duration,
        "waiting_time": route.waiting_duration,
        "start_time": route.start_time,
        "end_time": route.end_time,
        "available": route.available,
        "utilization": round(route.utilization, 4),
        "cost": route.cost,
        "steps": _steps(route),
    }


def route_from_dict(item: dict[str, Any]) -> Route:
    """Inverse of :func:`route_to_dict`."""
    stops, start_loc, end_loc, break_start, break_duration = [], None, None, None, 0
    for step in item["steps"]:
        kind = step["type"]
        if kind == "start":
            start_loc = step.get("location")
        elif kind == "end":
            end_loc = step.get("location")
        elif kind == "break":
            break_start, break_duration = step["start"], step["duration"]
        elif kind == "job":
            stops.append(
                Stop(
                    job_id=step["job"],
                    arrival=step["arrival"],
                    start=step["start"],
                    end=step["end"],
                    waiting=step["waiting_time"],
                    travel_duration=step["travel_duration"],
                    travel_distance=step["travel_distance"],
                    location=step.get("location"),
                )
            )
        else:
            raise ValueError(f"routes[].steps[]: unknown step type {kind!r}")
    return Route(
        vehicle_id=item["vehicle"],
        stops=tuple(stops),
        travel_duration=item["travel_duration"],
        travel_distance=item["travel_distance"],
        service_duration=item["service"],
        waiting_duration=item["waiting_time"],
        start_time=item["start_time"],
        end_time=item["end_time"],
        start_location=start_loc,
        end_location=end_loc,
        break_start=break_start,
        break_duration=break_duration,
        available=item.get("available", 0),
        cost=item.get("cost", 0),
    )


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    """``summary`` (totals and KPIs), ``routes`` and ``unassigned``."""
    return {
        "summary": {
            "routes": len(solution.routes),
            "unassigned": len(solution.unassigned),
            "travel_duration": solution.travel_duration,
            "travel_distance": solution.travel_distance,
            "service": solution.service_duration,
            "waiting_time": solution.waiting_duration,
            "utilization": round(solution.utilization, 4),
            "cost": solution.cost,
        },
        "routes": [route_to_dict(r) for r in solution.routes],
        "unassigned": [
            {"job": u.job_id, "code": u.code, "reason": u.reason} for u in solution.unassigned
        ],
    }


def solution_from_dict(document: dict[str, Any]) -> Solution:
    """Inverse of :func:`solution_to_dict` (the summary is recomputed, not read)."""
    return Solution(
        routes=tuple(route_from_dict(r) for r in document.get("routes", [])),
        unassigned=tuple(
            Unassigned(u["job"], u["code"], u["reason"]) for u in document.get("unassigned", [])
        ),
    )


def result_to_dict(result: SolveResult) -> dict[str, Any]:
    """The full output document of ``rounds solve``."""
    document: dict[str, Any] = {
        "code": STATUS_CODES[result.status],
        "status": result.status.value,
        "objective": result.objective,
        "runtime_s": result.runtime_s,
    }
    if result.solution is None:
        document["error"] = "no plan found within the limits"
        document.update({"summary": None, "routes": [], "unassigned": []})
    else:
        document.update(solution_to_dict(result.solution))
    document["params"] = result.params.to_dict()
    return document


def result_from_dict(document: dict[str, Any]) -> SolveResult:
    """Inverse of :func:`result_to_dict`."""
    status = SolveStatus(document["status"])
    solution = None if document.get("summary") is None else solution_from_dict(document)
    return SolveResult(
        status=status,
        solution=solution,
        objective=document.get("objective"),
        runtime_s=float(document.get("runtime_s", 0.0)),
        params=SolveParams.from_dict(document.get("params", {})),
    )
