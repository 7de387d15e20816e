"""Reader for Cordeau's periodic VRP files (PVRP, PVRPTW) and his solution (``.res``) files.

Instance layout (Cordeau, Gendreau & Laporte 1997; the PVRPTW files of Cordeau, Laporte &
Mercier 2001 add the window)::

    type m n t                   type 1 = PVRP, 5 = PVRPTW; m vehicles a day; n customers; t days
    D Q                          t lines: route-duration limit (0 = none) and capacity per day
    i x y d q f a c1 .. ca [e l] n + 1 lines, node 0 the depot: service d, demand q,
                                 frequency f, a allowed day-combinations (t-bit masks,
                                 leftmost bit = day 1), window [e, l] on PVRPTW lines

Quirks of the public copies handled here: the header type is not trusted to tell PVRP from
PVRPTW (pvrptw ``pr08`` says type 2), the node lines decide it; p01's customer 51 is a dummy at
the depot (see `Instance.is_dummy`); p11 has a customer with ``f = 0`` (kept as read, the
checker makes its visit optional); some files end with blank lines or mix CRLF and LF.

Solution layout: the cost on the first line, then one line per route,
``day vehicle duration load 0 c1 ... ck 0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.model import Customer, Depot, Instance, Route, decode_combination

_PERIODIC_TYPES = {1: "pvrp", 5: "pvrptw"}


def _node_fields(tokens: list[str]) -> tuple[list[str], list[int], list[str]]:
    """Split a node line into the 7 fixed fields, the masks and the trailing window (or [])."""
    if len(tokens) < 7:
        raise ValueError(f"node line with {len(tokens)} fields: {' '.join(tokens)}")
    count = int(tokens[6])
    masks = [int(v) for v in tokens[7 : 7 + count]]
    rest = tokens[7 + count :]
    if len(masks) != count or len(rest) not in (0, 2):
        raise ValueError(f"node line does not match its combination count: {' '.join(tokens)}")
    return tokens[:7], masks, rest


def parse_cordeau(text: str, name: str) -> Instance:
    """Parse a Cordeau PVRP or PVRPTW file.

    Parameters
    ----------
    text
        The whole file.
    name
        Instance name (the files carry none; use the file name).

    Returns
    -------
    Instance
        ``format`` is ``"pvrptw"`` when the node lines carry windows, else ``"pvrp"``.

    Raises
    ------
    ValueError
        When the header is not a periodic type, per-day limits differ, or a line is malformed.
    """
    rows = [line.split() for line in text.splitlines() if line.strip()]
    if not rows or len(rows[0]) != 4:
        raise ValueError("not a Cordeau file: first line must be 'type m n t'")
    kind, m, n, t = (int(v) for v in rows[0])
    limits = {(float(r[0]), int(float(r[1]))) for r in rows[1 : 1 + t] if len(r) == 2}
    if len(limits) != 1:
        raise ValueError("per-day 'D Q' lines are missing or differ between days")
    [(duration, capacity)] = limits
    node_rows = rows[1 + t :]
    if len(node_rows) != n + 1:
        raise ValueError(
            f"expected {n + 1} node lines (depot + {n} customers), got {len(node_rows)}"
        )
    parsed = [_node_fields(r) for r in node_rows]
    windows = {len(w) for _, _, w in parsed}
    if len(windows) != 1:
        raise ValueError("some node lines have a time window and others not")
    timed = windows == {2}
    fmt = "pvrptw" if timed else "pvrp"
    if _PERIODIC_TYPES.get(kind) != fmt and not (kind == 2 and timed):
        raise ValueError(f"type {kind} is not a periodic VRP (1) or PVRPTW (5) file")

    depot: Depot | None = None
    customers: dict[int, Customer] = {}
    for fixed, masks, window in parsed:
        i, x, y = int(fixed[0]), float(fixed[1]), float(fixed[2])
        ready, due = (float(window[0]), float(window[1])) if window else (0.0, float("inf"))
        if i == 0:
            depot = Depot(x=x, y=y, ready=ready, due=due)
            continue
        customers[i] = Customer(
            number=i,
            x=x,
            y=y,
            service=float(fixed[3]),
            demand=int(float(fixed[4])),
            ready=ready,
            due=due,
            frequency=int(fixed[5]),
            combinations=tuple(decode_combination(mk, t) for mk in masks),
        )
    if depot is None:
        raise ValueError("no depot line (node 0)")
    return Instance(
        name=name,
        format=fmt,
        days=t,
        vehicles_per_day=m,
        capacity=capacity,
        depot=depot,
        customers=tuple(customers[k] for k in sorted(customers)),
        max_duration=duration or None,
    )


def read_cordeau(path: Path) -> Instance:
    """Read a Cordeau PVRP/PVRPTW file, named after the file; see `parse_cordeau`."""
    path = Path(path)
    return parse_cordeau(path.read_text(), name=path.name)


@dataclass(frozen=True)
class ReportedRoute:
    """A route of a ``.res`` file with the duration and load the file states for it."""

    route: Route
    duration: float
    load: float


@dataclass(frozen=True)
class CordeauSolution:
    """A Cordeau ``.res`` file: the stated cost and the routes."""

    cost: float
    routes: tuple[ReportedRoute, ...]


def parse_res(text: str) -> CordeauSolution:
    """Parse a Cordeau solution file; every route line must start and end at the depot."""
    rows = [line.split() for line in text.splitlines() if line.strip()]
    if not rows or len(rows[0]) != 1:
        raise ValueError("not a Cordeau solution: first line must be the cost alone")
    routes = []
    for r in rows[1:]:
        if len(r) < 6 or r[4] != "0" or r[-1] != "0":
            raise ValueError(
                f"route line must be 'day vehicle duration load 0 ... 0': {' '.join(r)}"
            )
        route = Route(day=int(r[0]), vehicle=int(r[1]), customers=tuple(int(v) for v in r[5:-1]))
        routes.append(ReportedRoute(route=route, duration=float(r[2]), load=float(r[3])))
    return CordeauSolution(cost=float(rows[0][0]), routes=tuple(routes))


def read_res(path: Path) -> CordeauSolution:
    """Read a Cordeau ``.res`` file; see `parse_res`."""
    return parse_res(Path(path).read_text())
