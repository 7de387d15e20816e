"""Today's as-is assignment: the crew and weekdays each active agreement has now.

It imitates a schedule grown by hand over the years: agreements are taken in signing order and
given to a qualified crew of the site's region that still had room (sometimes to any qualified
crew, as the office does when the local crew is full), on whichever of its days was lighter;
then some are moved at random, as happens when a crew changes. The result
is skill-feasible, respects day patterns and working days, and never overloads a crew-day in
any week of a year (service time plus a drive allowance per visit, `DRIVE_ALLOWANCE_MIN`), but
it pays no attention to geography within a crew's week: this is the baseline the optimizer is
measured against.

Agreements of one site served by the same kind of crew (pool, lawn, windows) form a bundle that
gets one crew and one weekday, as an office would book them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from . import recurrence, routes
from .model import Agreement, Crew

DRIVE_ALLOWANCE_MIN = 14  # minutes of driving budgeted per visit when booking by hand
FILL_LIMIT = 1.0  # share of a crew-day's working minutes the office books at most
HOME_REGION_FIRST = 0.95  # chance the office tries the site's own region's crews first
MOVED_AT_RANDOM = 0.10  # share of bundles later moved to another crew or day
MAX_MORNING = 3  # time-windowed visits per crew-day the office accepts, by kind
MAX_EARLY = 1
MAX_AFTERNOON = 2

FAMILY = {
    "pool_service": "pool",
    "pool_open_close": "pool",
    "lawn_mow": "lawn",
    "hedge_trim": "lawn",
    "window_clean": "ladder",
    "gutter_clean": "ladder",
}


class NoRoom(RuntimeError):
    """No qualified crew has room for a bundle: the company has to hire (see company.py)."""

    def __init__(self, bundle: Bundle) -> None:
        super().__init__(f"no crew has room for site {bundle.site_id} ({bundle.lead.service})")
        self.bundle = bundle


@dataclass
class Bundle:
    site_id: str
    region: str
    members: list[Agreement]
    skills: frozenset[str]
    # per member, per (weekday, phase): due-week vector; cached because it is reused a lot
    due: list[dict[tuple[int, object], np.ndarray]] = field(default_factory=list)

    @property
    def lead(self) -> Agreement:
        return self.members[0]


@dataclass
class Placement:
    crew: int  # index into the crew list
    days: tuple[int, ...]
    phases: list[object]  # per bundle member
    contribs: list  # Loads.contributions of the bundle
    routes: dict  # the crew's sample-week routes with the bundle in them


class Loads:
    """Minutes booked and windowed-visit counts per crew, weekday and week of the horizon."""

    def __init__(self, crews: list[Crew]) -> None:
        shape = (len(crews), 7, recurrence.HORIZON_WEEKS)
        self.minutes = np.zeros(shape)
        self.early = np.zeros(shape, dtype=int)
        self.morning = np.zeros(shape, dtype=int)
        self.afternoon = np.zeros(shape, dtype=int)
        self.capacity = np.array(
            [[c.available_min(d) * FILL_LIMIT for d in range(7)] for c in crews]
        )
        # the sample week's stops per (crew index, weekday), in driving order
        self.routes: dict[tuple[int, int], list[Agreement]] = {}

    def contributions(self, bundle: Bundle, days: tuple[int, ...], phases: list[object]):
        """(weekday, minutes vector, early/morning/afternoon count vectors) per visit day.

        Only the first len(phases) members count, so that a bundle can be placed member by member.
        """
        out = []
        for day_pos, day in enumerate(days):
            minutes = np.zeros(recurrence.HORIZON_WEEKS)
            early = np.zeros(recurrence.HORIZON_WEEKS, dtype=int)
            morning = np.zeros_like(early)
            afternoon = np.zeros_like(early)
            for k, a in enumerate(bundle.members[: len(phases)]):
                if day_pos > 0 and a.frequency.visits_per_week == 1:
                    continue  # other members ride along on the lead's first day
                vec = bundle.due[k][(day, phases[k])]
                minutes += vec * (a.duration_min + DRIVE_ALLOWANCE_MIN)
                if a.time_window is not None:
                    if a.time_window[1] <= 9 * 60:
                        early += vec
                    if a.time_window[1] <= 11 * 60:
                        morning += vec
                    else:
                        afternoon += vec
            out.append((day, minutes, early, morning, afternoon))
        return out

    def commit(self, p: Placement) -> None:
        self.add(p.crew, p.contribs)
        self.routes.update(p.routes)

    def release(self, p: Placement, b: Bundle) -> None:
        self.add(p.crew, p.contribs, sign=-1)
        ids = {a.agreement_id for a in b.members}
        for key in [k for k in self.routes if k[0] == p.crew]:
            self.routes[key] = [a for a in self.routes[key] if a.agreement_id not in ids]

    def sample_week_stops(self, b: Bundle, days, phases) -> dict[int, list[Agreement]]:
        """The bundle's visits in the sample week (week 0 of the horizon), by weekday."""
        out: dict[int, list[Agreement]] = {}
        for day_pos, day in enumerate(days):
            for k, a in enumerate(b.members):
                if day_pos > 0 and a.frequency.visits_per_week == 1:
                    continue
                if b.due[k][(day, phases[k])][0]:
                    out.setdefault(day, []).append(a)
        return out

    def route_with(self, crew: Crew, ci: int, b: Bundle, days, phases):
        """The crew's sample-week routes with the bundle's visits inserted, or None."""
        new: dict[tuple[int, int], list[Agreement]] = {}
        for day, stops in self.sample_week_stops(b, days, phases).items():
            route = self.routes.get((ci, day), [])
            for a in stops:
                route = routes.insert(crew, day, route, a)
                if route is None:
                    return None
            new[(ci, day)] = route
        return new

    def fits(self, ci: int, contribs) -> bool:
        for day, minutes, early, morning, afternoon in contribs:
            if np.any(self.minutes[ci, day] + minutes > self.capacity[ci, day] + 1e-9):
                return False
            if np.any(self.early[ci, day] + early > MAX_EARLY):
                return False
            if np.any(self.morning[ci, day] + morning > MAX_MORNING):
                return False
            if np.any(self.afternoon[ci, day] + afternoon > MAX_AFTERNOON):
                return False
        return True

    def add(self, ci: int, contribs, sign: int = 1) -> None:
        for day, minutes, early, morning, afternoon in contribs:
            self.minutes[ci, day] += sign * minutes
            self.early[ci, day] += sign * early
            self.morning[ci, day] += sign * morning
            self.afternoon[ci, day] += sign * afternoon


def make_bundles(agreements: list[Agreement], regions: dict[str, str]) -> list[Bundle]:
    """Active agreements grouped by site and crew family, most frequent service first."""
    groups: dict[tuple[str, str], list[Agreement]] = {}
    for a in agreements:
        if a.status == "active":
            groups.setdefault((a.site_id, FAMILY[a.service]), []).append(a)
    bundles = []
    for (site_id, _), members in groups.items():
        members.sort(key=lambda a: (-_visits_per_year(a), a.agreement_id))
        skills = frozenset(s for a in members for s in a.required_skills)
        b = Bundle(site_id, regions[site_id], members, skills)
        for a in members:
            b.due.append(
                {
                    (d, p): recurrence.due_weeks(a, d, p)
                    for d in range(6)
                    for p in recurrence.phases(a, d)
                }
            )
        bundles.append(b)
    bundles.sort(key=lambda b: (min(a.start_date for a in b.members), b.lead.agreement_id))
    return bundles


def _visits_per_year(a: Agreement) -> float:
    f = a.frequency
    if f.kind in ("weekly", "Nx_weekly"):
        return 52.0 * f.visits_per_week
    if f.kind == "every_N_weeks":
        return 52.0 / f.n
    return 12.0 / f.n


def day_options(bundle: Bundle, crew: Crew) -> list[tuple[int, ...]]:
    """Weekday sets allowed by the lead's day patterns, the crew's shifts and time windows."""
    lead = bundle.lead
    working = set(crew.shifts)
    for a in bundle.members:
        if a.time_window is not None:
            working = {d for d in working if _window_fits(crew, d, a)}
    if lead.day_patterns:
        sets = [p for p in lead.day_patterns if set(p) <= working]
    elif lead.frequency.kind == "Nx_weekly":
        n, gap = lead.frequency.n, lead.min_spacing_days or 2
        sets = [
            combo
            for combo in itertools.combinations(sorted(working), n)
            if all(b - a >= gap for a, b in itertools.pairwise(combo))
        ]
    else:
        sets = [(d,) for d in sorted(working)]
    return sets


def _window_fits(crew: Crew, day: int, a: Agreement) -> bool:
    start, end = crew.shifts[day]
    tw_start, tw_end = a.time_window  # type: ignore[misc]
    return tw_end >= start + 15 and max(tw_start, start + 15) + a.duration_min + 15 <= end


def assign(
    rng: np.random.Generator,
    agreements: list[Agreement],
    crews: list[Crew],
    regions: dict[str, str],
) -> Loads:
    """Fill in current_crew_id, current_days, phase and anchor of every active agreement."""
    loads = Loads(crews)
    bundles = make_bundles(agreements, regions)
    placed: dict[int, Placement] = {}
    for bi, b in enumerate(bundles):
        choice = _place(rng, b, crews, loads, home_first=rng.random() < HOME_REGION_FIRST)
        if choice is None:
            raise NoRoom(b)
        placed[bi] = choice
        loads.commit(choice)
    # later moves: a crew left, a customer asked for another day
    for bi in rng.permutation(len(bundles)).tolist():
        if rng.random() >= MOVED_AT_RANDOM:
            continue
        old = placed[bi]
        saved = {k: list(v) for k, v in loads.routes.items() if k[0] == old.crew}
        loads.release(old, bundles[bi])
        crew = crews[old.crew]
        broken = any(  # a stop taken out can shift lunch past a window: then leave it be
            not routes.simulate(crew, day, stops).feasible
            for (ci, day), stops in loads.routes.items()
            if ci == old.crew
        )
        choice = None
        if not broken:
            choice = _place(rng, bundles[bi], crews, loads, home_first=True, exclude=old)
        if choice is None:  # nowhere else: it stays where it was
            loads.routes.update(saved)
            choice = Placement(old.crew, old.days, old.phases, old.contribs, {})
        placed[bi] = choice
        loads.commit(choice)
    for bi, b in enumerate(bundles):
        p = placed[bi]
        for k, a in enumerate(b.members):
            a.current_crew_id = crews[p.crew].crew_id
            a.current_days = p.days if a.frequency.kind == "Nx_weekly" else p.days[:1]
            a.phase = p.phases[k]
            a.anchor_date = (
                recurrence.anchor_date(a)
                if a.frequency.kind in ("every_N_weeks", "every_N_months")
                else None
            )
    return loads


def _place(rng, b: Bundle, crews: list[Crew], loads: Loads, home_first: bool, exclude=None):
    """The first placement with room, in the order a busy office tries them: a crew of the
    right kind (then one that merely has the skills), of the site's region if `home_first`,
    on one of its lighter days.

    Phases (which of the biweekly weeks, which week of the month) are picked member by member,
    each the first in random order that still fits with the members already placed; if the
    sample week's route then does not work out, once more preferring phases with no visit in
    the sample week (the office books it into the other week).
    """
    qualified = [i for i, c in enumerate(crews) if b.skills <= set(c.skills)]
    order = [qualified[i] for i in rng.permutation(len(qualified))]
    family = FAMILY[b.lead.service]
    order.sort(
        key=lambda i: (crews[i].specialty != family, home_first and crews[i].region != b.region)
    )
    for ci in order:
        options = day_options(b, crews[ci])
        # the office looks at the lighter days first; no thought for where the site is
        jitter = rng.random(len(options))
        peak = [loads.minutes[ci, list(d)].max() + 60 * jitter[k] for k, d in enumerate(options)]
        for oi in np.argsort(peak, kind="stable").tolist():
            days = options[oi]
            if exclude is not None and (ci, days) == (exclude.crew, exclude.days):
                continue
            for avoid_sample_week in (False, True):
                phases = _pick_phases(rng, b, ci, days, loads, avoid_sample_week)
                if phases is None:
                    break
                new_routes = loads.route_with(crews[ci], ci, b, days, phases)
                if new_routes is not None:
                    contribs = loads.contributions(b, days, phases)
                    return Placement(ci, days, phases, contribs, new_routes)
    return None


def _pick_phases(rng, b: Bundle, ci: int, days, loads: Loads, avoid_sample_week: bool):
    phases: list[object] = []
    for k, m in enumerate(b.members):
        choices = recurrence.phases(m, days[0])
        # the office evens out its weeks: the phase that keeps the busiest week lightest
        peaks = []
        for p in choices:
            contrib = loads.contributions(b, days, [*phases, p])
            peaks.append(max(float((loads.minutes[ci, d] + mins).max()) for d, mins, *_ in contrib))
        noise = rng.random(len(choices))
        order = sorted(
            range(len(choices)),
            key=lambda i: (
                avoid_sample_week and bool(b.due[k][(days[0], choices[i])][0]),
                peaks[i] + 30 * noise[i],
            ),
        )
        for pi in order:
            if loads.fits(ci, loads.contributions(b, days, [*phases, choices[pi]])):
                phases.append(choices[pi])
                break
        else:
            return None
    return phases
