"""A small in-process cache of rendered plan fragments (the board grid, the map figures).

The board of a 1,000-visit week is about half a megabyte of HTML that takes tens of
milliseconds to build; twenty dispatchers reloading it would queue on the CPU. The grid
depends only on the plan's visits and unplaced visits, the crews and the filters, so it is
rendered once per *state* and reused. The state is a fingerprint read from the database on
every request (one aggregate query, about a millisecond): the plan's lock version plus sums
over its visit rows and a digest of the crews. Any change to a visit, pin, crew colour or
shift gives a new key, so a stale fragment is never served, whoever made the change.
Per process, bounded, thread-safe; nothing to invalidate by hand.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduling.models import Plan, PlannedVisit, UnplacedVisit

if TYPE_CHECKING:
    from dashboard.plan_rows import CrewInfo

#: Fragments kept per process (a board fragment of a 1,000-visit week is about 0.5 MB).
MAX_ENTRIES = 32


class FragmentCache:
    """Least-recently-used strings by key."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> str:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return value
            self.misses += 1
        value = render()  # outside the lock: two threads may render the same key once each
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def plan_fingerprint(session: Session, plan: Plan) -> tuple[str | int, ...]:
    """What the plan's visits look like now, in one aggregate query.

    Moves, pins and re-timings all change at least one of these sums, and every edit also
    bumps the plan's ``lock_version``.
    """
    visits = session.execute(
        select(
            func.count(PlannedVisit.id),
            func.coalesce(func.sum(PlannedVisit.crew_id * 7919 + PlannedVisit.sequence), 0),
            func.coalesce(func.sum(PlannedVisit.start_s + PlannedVisit.travel_s), 0),
            func.coalesce(func.sum(PlannedVisit.id * PlannedVisit.crew_id), 0),
            func.count(PlannedVisit.id).filter(PlannedVisit.pinned.is_(True)),
            select(func.count(UnplacedVisit.id))
            .where(UnplacedVisit.plan_id == plan.id)
            .scalar_subquery(),
        ).where(PlannedVisit.plan_id == plan.id)
    ).one()
    database = session.get_bind().url.render_as_string(hide_password=True)
    return (database, plan.id, plan.lock_version, *(int(v or 0) for v in visits))


def crews_digest(crews: Sequence[CrewInfo]) -> str:
    """A digest of everything about the crews that the board and the map show."""
    text = repr(
        [
            (
                c.id,
                c.name,
                c.colour,
                c.active,
                c.region,
                c.start_lat,
                c.start_lon,
                c.end_lat,
                c.end_lon,
                [(s.weekday, s.start_min, s.end_min) for s in c.shifts],
            )
            for c in crews
        ]
    )
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


fragments = FragmentCache()
