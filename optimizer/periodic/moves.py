"""The descent's neighbourhoods, each priced for a whole day in one numpy expression.

Each function returns the best improving moves of its kind (at most ``top``),
as :class:`Move` values that name the routes they rewrite, so that moves on
different routes can be applied in the same round. Prices are travel cost plus
the change of the over-limit penalty (:class:`~optimizer.periodic.dayview.Penalty`).

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


@dataclass(frozen=True)
class Move:
    """A priced move: the routes (by index in the view) it rewrites and their new job lists."""

    delta: float
    rewrites: dict[int, list[int]]


def _penalties(view: DayView, penalty: Penalty, load: np.ndarray, work: np.ndarray,
               route: np.ndarray) -> np.ndarray:  # fmt: skip
    return penalty.of(load, work, view.cap[route], view.limit[route])


def _best(delta: np.ndarray, top: int) -> np.ndarray:
    """Flat indices of up to ``top`` most negative entries, cheapest first."""
    flat = delta.ravel()
    count = int((flat < 0).sum())
    if not count:
        return np.empty(0, dtype=np.int64)
    take = min(top, count)
    part = np.argpartition(flat, take - 1)[:take]
    return part[np.argsort(flat[part], kind="stable")]


def relocate(view: DayView, cost: np.ndarray, dur: np.ndarray, penalty: Penalty,
             reverse: bool, top: int) -> list[Move]:  # fmt: skip
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
    dsum, ssum, dem = np.cumsum(d_next), np.cumsum(view.v_service), np.cumsum(view.v_demand)
    moves: list[Move] = []
    u, w = view.e_u, view.e_w
    base_c, base_d = cost[u, w], dur[u, w]
    for size in range(1, SEGMENT + 1):
        first = np.arange(n - size + 1)
        last = first + size - 1
        keep = view.v_route[first] == view.v_route[last]
        first, last = first[keep], last[keep]
        if not len(first):
            break
        r = view.v_route[first]
        f, li = view.v_loc[first], view.v_loc[last]
        pre, post = view.v_prev[first], view.v_next[last]
        inner_d = dsum[last] - dsum[first] - d_next[last] + d_next[first]  # arcs inside
        seg_service = ssum[last] - ssum[first] + view.v_service[first]
        seg_demand = dem[last] - dem[first] + view.v_demand[first]
        seg_work = inner_d + seg_service
        rem_c = cost[pre, post] - cost[pre, f] - cost[li, post]
        rem_w = dur[pre, post] - dur[pre, f] - dur[li, post] - seg_work
        move_ok = np.ones(len(first), dtype=bool)
        route_ok = np.ones((len(first), len(view.keys)), dtype=bool)
        for step in range(size):
            move_ok &= view.v_move[first + step]
            route_ok &= view.allowed[first + step]
        same = r[:, None] == view.e_route[None, :]
        pos = view.v_pos[first]
        adjacent = same & (view.e_k[None, :] >= (pos - 1)[:, None]) & (
            view.e_k[None, :] <= (pos + size - 1)[:, None])  # fmt: skip
        ok = ~adjacent & (same | (move_ok[:, None] & route_ok[:, view.e_route]))
        src_after = _penalties(view, penalty, view.load[r] - seg_demand, view.work[r] + rem_w, r)
        dst = view.e_route[None, :]
        variants = [(f, li)] if not (reverse and size > 1) else [(f, li), (li, f)]
        for head, tail in variants:
            add_c = cost[u[None, :], head[:, None]] + cost[tail[:, None], w[None, :]] - base_c
            add_w = dur[u[None, :], head[:, None]] + dur[tail[:, None], w[None, :]] - base_d
            add_w = add_w + seg_work[:, None]
            cross = (src_after - now[r])[:, None] + _penalties(
                view, penalty, view.load[dst] + seg_demand[:, None], view.work[dst] + add_w, dst
            ) - now[dst]  # fmt: skip
            inside = _penalties(view, penalty, view.load[r][:, None],
                                view.work[r][:, None] + rem_w[:, None] + add_w,
                                r[:, None]) - now[r][:, None]  # fmt: skip
            delta = rem_c[:, None] + add_c + np.where(same, inside, cross)
            delta = np.where(ok, delta, 0)
            for flat in _best(delta, top):
                s, e = divmod(int(flat), len(u))
                moves.append(_relocation(view, int(first[s]), size, e, head is li,
                                         float(delta[s, e])))  # fmt: skip
    return moves


def _relocation(view: DayView, first: int, size: int, edge: int, reversed_: bool,
                delta: int) -> Move:  # fmt: skip
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


def swap(view: DayView, cost: np.ndarray, dur: np.ndarray, penalty: Penalty,
         top: int) -> list[Move]:  # fmt: skip
    """Best exchanges of two visits of different routes."""
    if len(view.v_route) < 2:
        return []
    r, x, a, b = view.v_route, view.v_loc, view.v_prev, view.v_next
    now = _penalties(view, penalty, view.load, view.work, np.arange(len(view.keys)))

    def change(m: np.ndarray) -> np.ndarray:
        """[p, q]: how p's route changes when q takes p's place."""
        return m[a[:, None], x[None, :]] + m[x[None, :], b[:, None]] - (m[a, x] + m[x, b])[:, None]

    delta_c = change(cost)
    work = view.work[r][:, None] + change(dur) + view.v_service[None, :] - view.v_service[:, None]
    load = view.load[r][:, None] + view.v_demand[None, :] - view.v_demand[:, None]
    side = _penalties(view, penalty, load, work, r[:, None]) - now[r][:, None]
    delta = delta_c + delta_c.T + side + side.T
    allowed = view.allowed[:, r]  # [p, q]: p may join q's route
    ok = (r[:, None] < r[None, :]) & allowed & allowed.T
    delta = np.where(ok, delta, 0)
    moves = []
    for flat in _best(delta, top):
        p, q = divmod(int(flat), len(r))
        rp, rq = int(r[p]), int(r[q])
        first, second = list(view.routes[rp]), list(view.routes[rq])
        i, j = int(view.v_pos[p]) - 1, int(view.v_pos[q]) - 1
        first[i], second[j] = second[j], first[i]
        moves.append(Move(float(delta[p, q]), {rp: first, rq: second}))
    return moves


def two_opt(view: DayView, cost: np.ndarray, dur: np.ndarray, penalty: Penalty,
            top: int) -> list[Move]:  # fmt: skip
    """Best segment reversals inside a route (for symmetric matrices)."""
    u, w, r, k = view.e_u, view.e_w, view.e_route, view.e_k
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
                 top: int) -> list[Move]:  # fmt: skip
    """Best tail exchanges between routes that start and end at the same places."""
    u, w, r, k = view.e_u, view.e_w, view.e_route, view.e_k
    if len(view.keys) < 2:
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
    delta_c = cost[u[:, None], w[None, :]] + cost[u[None, :], w[:, None]]
    delta_c -= cost[u, w][:, None] + cost[u, w][None, :]
    load_i = head_load[:, None] + tail_load[None, :]
    work_i = head_work[:, None] + dur[u[:, None], w[None, :]] + tail_work[None, :]
    side_i = _penalties(view, penalty, load_i, work_i, r[:, None]) - now[r][:, None]
    delta = delta_c + side_i + side_i.T
    ok = (r[:, None] < r[None, :]) & (view.yard[r][:, None] == view.yard[r][None, :])
    ok &= tail_ok[:, r] & tail_ok[:, r].T
    delta = np.where(ok, delta, 0)
    moves = []
    for flat in _best(delta, top):
        i, j = divmod(int(flat), len(u))
        ri, rj, ki, kj = int(r[i]), int(r[j]), int(k[i]), int(k[j])
        first, second = view.routes[ri], view.routes[rj]
        moves.append(Move(float(delta[i, j]), {ri: first[:ki] + second[kj:],
                                             rj: second[:kj] + first[ki:]}))  # fmt: skip
    return moves
