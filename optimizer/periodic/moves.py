"""The descent's neighbourhoods, each priced for a whole day in one numpy expression.

Each function returns the best improving moves of its kind (at most ``top`` of
each block it prices), as :class:`Move` values that name the routes they
rewrite, so that moves on different routes can be applied in the same round.
Prices are travel cost plus the change of the over-limit penalty
(:class:`~optimizer.periodic.dayview.Penalty`). Only moves that touch an
``active`` route are priced: the others were priced when the routes were last
settled and did not pay then.

- :func:`relocate`: a segment of one to three visits to another place of the
  day, reversed too when the matrices are symmetric (or-opt, Or 1976);
- :func:`swap`: two visits of different routes exchange places;
- :func:`two_opt`: a segment of one route reversed (symmetric matrices only);
- :func:`two_opt_star`: two routes that share their yards exchange their tails
  (Potvin and Rousseau 1995).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.periodic.dayview import DayView, Penalty

SEGMENT = 3
"""Longest segment a relocation moves."""

MIN_GAIN = 1e-3
"""Least price drop that counts as improving. Travel costs are integers, but over-limit
prices are not: rounding left moves "improving" by 1e-12 that undid each other, round
after round (pr05: 4,000 of 4,700 rounds)."""


@dataclass(frozen=True)
class Move:
    """A priced move: the routes (by index in the view) it rewrites and their new job lists."""

    delta: float
    rewrites: dict[int, list[int]]


def _penalties(view: DayView, penalty: Penalty, load: np.ndarray, work: np.ndarray,
               route: np.ndarray) -> np.ndarray:  # fmt: skip
    return penalty.of(load, work, view.cap[route], view.limit[route])


def _best(delta: np.ndarray, top: int) -> np.ndarray:
    """Flat indices of up to ``top`` entries below ``-MIN_GAIN``, cheapest first."""
    flat = delta.ravel()
    count = int((flat < -MIN_GAIN).sum())
    if not count:
        return np.empty(0, dtype=np.int64)
    take = min(top, count)
    part = np.argpartition(flat, take - 1)[:take]
    return part[np.argsort(flat[part], kind="stable")]


def relocate(view: DayView, cost: np.ndarray, dur: np.ndarray, penalty: Penalty,
             reverse: bool, top: int, active: np.ndarray) -> list[Move]:  # fmt: skip
    """Best moves of a segment (1..``SEGMENT`` visits of one route) to another edge."""
    n = len(view.v_route)
    if not n:
        return []
    now = _penalties(view, penalty, view.load, view.work, np.arange(len(view.keys)))
    # arcs to the next visit of the same route (0 at a route's last visit)
    same_next = np.zeros(n, dtype=bool)
    same_next[:-1] = view.v_route[:-1] == view.v_route[1:]
    nxt = np.append(view.v_loc[1:], 0)
    d_next = np.where(same_next, dur[view.v_loc, nxt], 0)
    sums = np.cumsum(d_next), np.cumsum(view.v_service), np.cumsum(view.v_demand)
    edges = np.arange(len(view.e_u))
    live_edges = edges[active[view.e_route]]
    moves: list[Move] = []
    for size in range(1, SEGMENT + 1):
        first = np.arange(n - size + 1)
        first = first[view.v_route[first] == view.v_route[first + size - 1]]
        if not len(first):
            break
        live = active[view.v_route[first]]
        segment = _Segments(view, first, size, sums, d_next)
        for rows, cols in ((live, edges), (~live, live_edges)):
            if rows.any() and len(cols):
                moves += _relocate_block(view, cost, dur, penalty, segment.subset(rows), cols,
                                         reverse, top, now)  # fmt: skip
    return moves


class _Segments:
    """Per segment of ``size`` visits (by first visit): its ends, neighbours and totals."""

    def __init__(self, view: DayView, first: np.ndarray, size: int,
                 sums: tuple[np.ndarray, ...], d_next: np.ndarray) -> None:  # fmt: skip
        dsum, ssum, dem = sums
        last = first + size - 1
        self.size = size
        self.first = first
        self.route = view.v_route[first]
        self.head, self.tail = view.v_loc[first], view.v_loc[last]
        self.pre, self.post = view.v_prev[first], view.v_next[last]
        inner = dsum[last] - dsum[first] - d_next[last] + d_next[first]  # arcs inside
        self.work = inner + ssum[last] - ssum[first] + view.v_service[first]
        self.demand = dem[last] - dem[first] + view.v_demand[first]
        self.movable = np.ones(len(first), dtype=bool)
        self.allowed = np.ones((len(first), len(view.keys)), dtype=bool)
        for step in range(size):
            self.movable &= view.v_move[first + step]
            self.allowed &= view.allowed[first + step]

    def subset(self, rows: np.ndarray) -> _Segments:
        part = object.__new__(_Segments)
        for name, value in vars(self).items():
            setattr(part, name, value[rows] if isinstance(value, np.ndarray) else value)
        return part


def _relocate_block(view: DayView, cost: np.ndarray, dur: np.ndarray, penalty: Penalty,
                    seg: _Segments, cols: np.ndarray, reverse: bool, top: int,
                    now: np.ndarray) -> list[Move]:  # fmt: skip
    r, f, li = seg.route, seg.head, seg.tail
    routes = view.e_route[cols]
    u, w, dst = view.e_u[cols], view.e_w[cols], routes[None, :]
    rem_c = cost[seg.pre, seg.post] - cost[seg.pre, f] - cost[li, seg.post]
    rem_w = dur[seg.pre, seg.post] - dur[seg.pre, f] - dur[li, seg.post] - seg.work
    same = r[:, None] == dst
    inner = np.nonzero(same)  # the few (segment, edge) pairs on the segment's own route
    pos = view.v_pos[seg.first]
    k = view.e_k[cols][None, :]
    adjacent = same & (k >= (pos - 1)[:, None]) & (k <= (pos + seg.size - 1)[:, None])
    ok = ~adjacent & (same | (seg.movable[:, None] & seg.allowed[:, routes]))
    src_after = _penalties(view, penalty, view.load[r] - seg.demand, view.work[r] + rem_w, r)
    # the load part of the price depends on the route only: per (segment, route), then spread
    full = penalty.load * np.maximum(view.load[None, :] + seg.demand[:, None] - view.cap, 0)
    leave = (src_after - now[r])[:, None] + full[:, routes] - now[dst]
    over_time = view.limit[dst]
    base_c, base_d = cost[u, w], dur[u, w]
    moves = []
    variants = [(f, li)] if not (reverse and seg.size > 1) else [(f, li), (li, f)]
    for head, tail in variants:
        add_c = cost[u[None, :], head[:, None]] + cost[tail[:, None], w[None, :]] - base_c
        add_w = dur[u[None, :], head[:, None]] + dur[tail[:, None], w[None, :]] - base_d
        add_w += seg.work[:, None]
        delta = rem_c[:, None] + add_c + leave
        delta += penalty.work * np.maximum(view.work[dst] + add_w - over_time, 0)
        ri = r[inner[0]]
        delta[inner] = (rem_c[inner[0]] + add_c[inner] + _penalties(
            view, penalty, view.load[ri], view.work[ri] + rem_w[inner[0]] + add_w[inner], ri
        ) - now[ri])  # fmt: skip
        delta = np.where(ok, delta, 0)
        for flat in _best(delta, top):
            s, e = divmod(int(flat), len(u))
            moves.append(_relocation(view, int(seg.first[s]), seg.size, int(cols[e]),
                                     head is li, float(delta[s, e])))  # fmt: skip
    return moves


def _relocation(view: DayView, first: int, size: int, edge: int, reversed_: bool,
                delta: float) -> Move:  # fmt: skip
    r, target = int(view.v_route[first]), int(view.e_route[edge])
    start = int(view.v_pos[first]) - 1
    segment = view.routes[r][start : start + size]
    if reversed_:
        segment = segment[::-1]
    src = view.routes[r][:start] + view.routes[r][start + size :]
    k = int(view.e_k[edge])
    if target == r:
        at = k if k < start else k - size
        return Move(delta, {r: src[:at] + segment + src[at:]})
    dst = view.routes[target]
    return Move(delta, {r: src, target: dst[:k] + segment + dst[k:]})


def _pairs(active: np.ndarray, route: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows (items of active routes) and the row-column mask of items of different routes
    whose pair is priced once: a column of an active route only after its row's route."""
    rows = np.flatnonzero(active[route])
    rr, rc = route[rows][:, None], route[None, :]
    return rows, (rr != rc) & (~active[rc] | (rr < rc))


def swap(view: DayView, cost: np.ndarray, dur: np.ndarray, penalty: Penalty,
         top: int, active: np.ndarray) -> list[Move]:  # fmt: skip
    """Best exchanges of two visits of different routes."""
    if len(view.v_route) < 2:
        return []
    r, x, a, b = view.v_route, view.v_loc, view.v_prev, view.v_next
    rows, ok = _pairs(active, r)
    if not len(rows):
        return []
    now = _penalties(view, penalty, view.load, view.work, np.arange(len(view.keys)))

    def side(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Price change of p's route when q takes p's place (broadcast over p and q)."""
        ap, xp, bp, xq, rp = a[p], x[p], b[p], x[q], r[p]
        dc = cost[ap, xq] + cost[xq, bp] - cost[ap, xp] - cost[xp, bp]
        dd = dur[ap, xq] + dur[xq, bp] - dur[ap, xp] - dur[xp, bp]
        work = view.work[rp] + dd + view.v_service[q] - view.v_service[p]
        load = view.load[rp] + view.v_demand[q] - view.v_demand[p]
        return dc + _penalties(view, penalty, load, work, rp) - now[rp]

    n = len(r)
    p, q = rows[:, None], np.arange(n)[None, :]
    delta = side(p, q) + side(q, p)
    ok &= view.allowed[rows][:, r] & view.allowed[:, r[rows]].T
    delta = np.where(ok, delta, 0)
    moves = []
    for flat in _best(delta, top):
        i, j = divmod(int(flat), n)
        pv, qv = int(rows[i]), j
        rp, rq = int(r[pv]), int(r[qv])
        first, second = list(view.routes[rp]), list(view.routes[rq])
        fi, sj = int(view.v_pos[pv]) - 1, int(view.v_pos[qv]) - 1
        first[fi], second[sj] = second[sj], first[fi]
        moves.append(Move(float(delta[i, j]), {rp: first, rq: second}))
    return moves


def two_opt(view: DayView, cost: np.ndarray, dur: np.ndarray, penalty: Penalty,
            top: int, active: np.ndarray) -> list[Move]:  # fmt: skip
    """Best segment reversals inside a route (for symmetric matrices)."""
    live = np.flatnonzero(active[view.e_route])
    u, w, r, k = view.e_u[live], view.e_w[live], view.e_route[live], view.e_k[live]
    if len(u) < 3:
        return []
    now = _penalties(view, penalty, view.load, view.work, np.arange(len(view.keys)))
    delta_c = cost[u[:, None], u[None, :]] + cost[w[:, None], w[None, :]]
    delta_c -= (cost[u, w][:, None] + cost[u, w][None, :])
    delta_d = dur[u[:, None], u[None, :]] + dur[w[:, None], w[None, :]]
    delta_d -= (dur[u, w][:, None] + dur[u, w][None, :])
    side = _penalties(view, penalty, view.load[r][:, None], view.work[r][:, None] + delta_d,
                      r[:, None]) - now[r][:, None]  # fmt: skip
    ok = (r[:, None] == r[None, :]) & (k[None, :] >= k[:, None] + 2)
    delta = np.where(ok, delta_c + side, 0)
    moves = []
    for flat in _best(delta, top):
        i, j = divmod(int(flat), len(u))
        route = view.routes[int(r[i])]
        k1, k2 = int(k[i]), int(k[j])
        moves.append(Move(float(delta[i, j]),
                          {int(r[i]): route[:k1] + route[k1:k2][::-1] + route[k2:]}))  # fmt: skip
    return moves


def two_opt_star(view: DayView, cost: np.ndarray, dur: np.ndarray, penalty: Penalty,
                 top: int, active: np.ndarray) -> list[Move]:  # fmt: skip
    """Best tail exchanges between routes that start and end at the same places."""
    u, w, r, k = view.e_u, view.e_w, view.e_route, view.e_k
    if len(view.keys) < 2:
        return []
    rows, ok = _pairs(active, r)
    if not len(rows):
        return []
    now = _penalties(view, penalty, view.load, view.work, np.arange(len(view.keys)))
    # tail_ok[e, s]: every visit after edge e may join route s
    n_v = len(view.v_route)
    tail_ok = np.ones((len(u), len(view.keys)), dtype=bool)
    start = np.searchsorted(view.v_route, r, side="left") + k  # first visit after the edge
    end = np.searchsorted(view.v_route, r, side="right")
    joinable = view.allowed & view.v_move[:, None]
    suffix = np.ones((n_v + 1, len(view.keys)), dtype=bool)
    for v in range(n_v - 1, -1, -1):
        same = v + 1 < n_v and view.v_route[v + 1] == view.v_route[v]
        suffix[v] = joinable[v] & (suffix[v + 1] if same else True)
    has_tail = start < end
    tail_ok[has_tail] = suffix[start[has_tail]]
    head_load, head_work = view.e_head_load, view.e_head_work
    tail_load = view.load[r] - head_load
    tail_work = view.work[r] - head_work - dur[u, w]
    i, j = rows[:, None], np.arange(len(u))[None, :]
    delta = cost[u[i], w[j]] + cost[u[j], w[i]] - cost[u[i], w[i]] - cost[u[j], w[j]]
    for mine, theirs in ((i, j), (j, i)):  # each route keeps its head and takes the other tail
        load = head_load[mine] + tail_load[theirs]
        work = head_work[mine] + dur[u[mine], w[theirs]] + tail_work[theirs]
        delta = delta + _penalties(view, penalty, load, work, r[mine]) - now[r[mine]]
    ok &= view.yard[r[i]] == view.yard[r[j]]
    ok &= tail_ok[i, r[j]] & tail_ok[j, r[i]]
    delta = np.where(ok, delta, 0)
    moves = []
    for flat in _best(delta, top):
        a, b = divmod(int(flat), len(u))
        ei, ej = int(rows[a]), b
        ri, rj, ki, kj = int(r[ei]), int(r[ej]), int(k[ei]), int(k[ej])
        first, second = view.routes[ri], view.routes[rj]
        moves.append(Move(float(delta[a, b]), {ri: first[:ki] + second[kj:],
                                               rj: second[:kj] + first[ki:]}))  # fmt: skip
    return moves
