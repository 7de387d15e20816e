"""Customers, their sites and their service agreements.

The mix follows what a Tampa Bay company doing windows, lawns and pools sells: weekly pool
service (twice weekly for big or commercial pools, seasonal for winter residents), lawn mowing
all year but weekly only in the growing season, quarterly or monthly window cleaning, gutters
twice a year, hedges every six weeks or quarterly. The shares in `MIX` were chosen so that
the crews of `crews.py` are filled to a realistic level (see `report.py`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from . import people
from .catalog import CATALOG
from .geography import jitter_point, neighbourhoods
from .model import Agreement, Customer, Frequency, Site

MIX = {
    "prospect": 0.02,  # customers with a site and no agreement yet
    "inactive": 0.015,  # former customers, agreements ended
    "business": 0.035,
    "second_site": 0.035,  # residential customers with a rental or a parent's house
    "pool_twice": 0.14,
    "snowbird": 0.06,  # of pool sites: seasonal service, opening and closing visits
    "lawn_two_speed": 0.20,  # weekly Apr-Oct + biweekly Nov-Mar; the rest biweekly all year
    "hedge": 0.35,  # of lawn sites
    "gutter": 0.35,  # of window sites
    "tall": 0.35,  # of window-only homes: 3 storeys, water-fed pole needed
    "time_window": 0.09,  # residential customers with a time window
    "vip": 0.02,
    "paused": 0.01,
}

# What a home buys, as shares of the homes (quotas, not coin flips, so that the crews' load does
# not swing with the seed): pool 29 %, lawn 40 %, windows 48 % of homes.
COMBOS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("pool",), 0.17),
    (("lawn",), 0.29),
    (("windows",), 0.34),
    (("pool", "windows"), 0.04),
    (("lawn", "windows"), 0.05),
    (("pool", "lawn"), 0.04),
    (("pool", "lawn", "windows"), 0.02),
)

GRID_ZIPS = {"33606", "33609", "33611", "33629", "33616", "33607", "33614", "33604", "33612"}
GATED_ZIPS = ("33626", "33647", "33547", "33618", "33596", "33558", "33611", "33625")
FIRST_SIGNING = dt.date(2016, 1, 4)
LAST_SIGNING = dt.date(2026, 10, 30)

WEEKLY = Frequency("weekly")
TWICE_WEEKLY = Frequency("Nx_weekly", 2)
BIWEEKLY = Frequency("every_N_weeks", 2)
SIX_WEEKLY = Frequency("every_N_weeks", 6)
MONTHLY = Frequency("every_N_months", 1)
QUARTERLY = Frequency("every_N_months", 3)
HALF_YEARLY = Frequency("every_N_months", 6)
YEARLY = Frequency("every_N_months", 12)

MORNING = (8 * 60, 11 * 60)
AFTERNOON = (12 * 60 + 30, 14 * 60 + 30)
BEFORE_OPENING = (7 * 60 + 30, 9 * 60)


class _Ids:
    """Sequential external ids (CU-0001, SI-0001, AG-0001) in creation order."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}-{self.counts[prefix]:04d}"


def _date_between(rng: np.random.Generator, a: dt.date, b: dt.date, skew: float = 1.0) -> dt.date:
    u = rng.random() ** skew
    return a + dt.timedelta(days=int(u * (b - a).days))


def generate(
    rng: np.random.Generator, n_customers: int
) -> tuple[list[Customer], list[Site], list[Agreement]]:
    """Customers in signing order with their sites and agreements (not yet assigned to crews)."""
    ids = _Ids()
    hoods = neighbourhoods()
    weights = np.array([h.weight for h in hoods])
    weights /= weights.sum()

    kinds = ["residential"] * n_customers
    n_special = {k: round(MIX[k] * n_customers) for k in ("prospect", "inactive", "business")}
    slots = iter(rng.permutation(n_customers).tolist())
    for kind, count in n_special.items():
        for _ in range(count):
            kinds[next(slots)] = kind
    # growth: more customers signed in recent years (skew < 1 pushes dates later)
    signed = sorted(
        _date_between(rng, FIRST_SIGNING, LAST_SIGNING, skew=0.7) for _ in range(n_customers)
    )

    n_homes = sum(k in ("residential", "inactive") for k in kinds)
    combos = iter(_quota_draw(rng, COMBOS, n_homes))
    communities = _communities(rng, max(1, round(n_customers / 110)))
    business_names = list(people.BUSINESS_NAMES)
    customers: list[Customer] = []
    sites: list[Site] = []
    agreements: list[Agreement] = []
    for i in range(n_customers):
        kind = kinds[i]
        c = _customer(rng, ids, kind, signed[i], i, business_names)
        customers.append(c)
        n_sites = 1
        if kind == "business":
            n_sites = int(rng.choice([1, 1, 1, 2, 3]))
        elif kind == "residential" and rng.random() < MIX["second_site"]:
            n_sites = 2
            c.tags.append("multi-site")
        for k in range(n_sites):
            community = None
            if kind == "residential" and k == 0 and rng.random() < 0.09:
                community = communities[int(rng.integers(len(communities)))]
            hood = hoods[int(rng.choice(len(hoods), p=weights))]
            site = _site(rng, ids, c, hood, community)
            sites.append(site)
            if c.status == "prospect":
                continue
            fams = _services(rng, c, next(combos) if k == 0 and c.kind == "residential" else None)
            agreements.extend(_agreements(rng, ids, c, site, fams, second=k > 0))
    return customers, sites, agreements


def _quota_draw(rng: np.random.Generator, shares, n: int) -> list:
    """`n` items in random order, each share's count by largest remainder."""
    raw = np.array([s for _, s in shares]) * n / sum(s for _, s in shares)
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    items = [item for (item, _), c in zip(shares, counts, strict=True) for _ in range(c)]
    return [items[i] for i in rng.permutation(len(items))]


def _communities(rng: np.random.Generator, n: int) -> list[dict]:
    """Gated communities: a centre point, a gate code, a street naming scheme."""
    hoods = {h.zip_code: h for h in neighbourhoods()}
    names = list(people.COMMUNITY_NAMES)
    out = []
    for k in range(n):
        hood = hoods[GATED_ZIPS[k % len(GATED_ZIPS)]]
        centre = jitter_point(rng, (hood.lat, hood.lon), hood.zip_code, 300, 1200)
        name = names[k % len(names)] + ("" if k < len(names) else f" {k // len(names) + 1}")
        code = int(rng.integers(1000, 10000))
        out.append({"name": name, "hood": hood, "centre": centre, "code": code})
    return out


def _customer(
    rng: np.random.Generator, ids: _Ids, kind: str, signed: dt.date, serial: int, names: list[str]
) -> Customer:
    first, last = people.person_name(rng)
    status = {"prospect": "prospect", "inactive": "inactive"}.get(kind, "active")
    ended = None
    if kind == "prospect":
        signed = _date_between(rng, dt.date(2026, 9, 1), dt.date(2026, 11, 20))
    elif kind == "inactive":
        signed = min(signed, dt.date(2025, 6, 1))
        ended = _date_between(
            rng, max(signed + dt.timedelta(days=120), dt.date(2024, 1, 1)), dt.date(2026, 10, 31)
        )
    c = Customer(ids.next("CU"), f"{first} {last}", "residential", status, signed, ended=ended)
    c.contact_name = c.name
    c.email = people.email(first, last, serial)
    c.phone = people.phone(serial, rng)
    c.tags = ["residential"]
    if kind == "business":
        name = names.pop(int(rng.integers(len(names)))) if names else f"{last} & Sons Co. {serial}"
        c.name, c.kind, c.tags = name, "business", ["commercial"]
        slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
        slug = "-".join(p for p in slug.split("-") if p)
        c.email = f"office@{slug}.example.com"
        c.time_window = BEFORE_OPENING
    elif status == "active":
        if rng.random() < MIX["time_window"]:
            c.time_window = MORNING if rng.random() < 0.7 else AFTERNOON
            c.tags.append("time-window")
        if rng.random() < MIX["vip"]:
            c.tags.append("vip")
    if status == "prospect":
        c.tags = ["lead"]
        c.notes = "Asked for an estimate"
    elif status == "inactive":
        c.notes = "Cancelled service"
    elif rng.random() < 0.15:
        c.notes = people.pick(rng, people.NOTES)
        if c.notes == "Pays by autopay":
            c.tags.append("autopay")
    return c


def _site(rng: np.random.Generator, ids: _Ids, c: Customer, hood, community: dict | None) -> Site:
    if community is not None:
        hood = community["hood"]
        lat, lon = jitter_point(rng, community["centre"], hood.zip_code, 30, 350)
        words = community["name"].split()[:2]
        street = f"{' '.join(words)} {people.pick(rng, ('Ct', 'Dr', 'Ln', 'Way', 'Cir'))}"
    else:
        lat, lon = jitter_point(rng, (hood.lat, hood.lon), hood.zip_code)
        street = people.street(rng, "grid" if hood.zip_code in GRID_ZIPS else "suburb")
    site = Site(
        site_id=ids.next("SI"),
        customer_id=c.customer_id,
        address=people.address(rng, street, hood.city, hood.zip_code),
        lat=lat,
        lon=lon,
        region=hood.region,
        zip_code=hood.zip_code,
    )
    if community is not None:
        site.community = community["name"]
        site.access_notes = (
            f"{community['name']} (gated): gate code #{community['code']} at the call box"
        )
    elif rng.random() < 0.12:
        site.access_notes = people.pick(rng, people.ACCESS_NOTES)
    return site


def _services(rng: np.random.Generator, c: Customer, combo: tuple[str, ...] | None) -> list[str]:
    """Which service families (pool, lawn, windows) a site buys."""
    if c.kind == "business":
        offers = (("windows", 0.85), ("lawn", 0.5), ("pool", 0.15))
        fams = [f for f, p in offers if rng.random() < p]
        return fams or ["windows"]
    if combo is None:  # a rental house or a parent's home: one service
        return [str(rng.choice(["pool", "lawn"]))]
    return list(combo)


def _agreements(
    rng: np.random.Generator, ids: _Ids, c: Customer, site: Site, fams: list[str], second: bool
) -> list[Agreement]:
    if fams == ["windows"] and c.kind == "residential" and rng.random() < MIX["tall"]:
        site.required_skills = ["water_fed_pole"]  # three storeys: only the pole reaches
    elif c.kind == "business" and fams == ["windows"] and rng.random() < 0.4:
        site.required_skills = ["pressure_washer"]  # storefront and walkway washed each visit
    elif c.kind == "business" and "lawn" in fams and "pool" not in fams and "windows" not in fams:
        site.required_skills = ["irrigation"]  # sprinkler system checked on every visit
    start = c.signed if not second else _later(rng, c.signed)
    out: list[Agreement] = []

    def add(service: str, freq: Frequency, **kw) -> Agreement:
        svc = CATALOG[service]
        a = Agreement(
            agreement_id=ids.next("AG"),
            site_id=site.site_id,
            service=service,
            frequency=freq,
            duration_min=kw.pop("duration", svc.duration_min),
            price=kw.pop("price", svc.price),
            start_date=kw.pop("start", start),
            lat=site.lat,
            lon=site.lon,
            required_skills=tuple(sorted({svc.skill, *site.required_skills})),
            **kw,
        )
        a.override = a.duration_min != svc.duration_min or a.price != svc.price
        if freq.kind == "Nx_weekly":
            a.min_spacing_days = 2
        if c.time_window and not (c.kind == "business" and service != "window_clean"):
            a.time_window = c.time_window
        if "vip" in c.tags:
            a.priority = 5
        if c.ended is not None:
            a.status = "ended"
            a.end_date = c.ended
            a.start_date = min(a.start_date, c.ended - dt.timedelta(days=60))
        elif rng.random() < MIX["paused"]:
            a.status = "paused"
        out.append(a)
        return a

    if "pool" in fams:
        _pool(rng, c, add, start)
    if "lawn" in fams:
        _lawn(rng, c, add, start)
    if "windows" in fams:
        _windows(rng, c, add, start)
    return out


def _later(rng: np.random.Generator, signed: dt.date) -> dt.date:
    """An add-on signed some time after the first service, but before the sample week."""
    return min(signed + dt.timedelta(days=int(rng.integers(0, 600))), LAST_SIGNING)


def _pool(rng, c: Customer, add, start: dt.date) -> None:
    if c.kind == "business":  # hotel or club pool
        add(
            "pool_service",
            TWICE_WEEKLY,
            day_patterns=[(0, 3), (1, 4)],
            duration=60,
            price=90.0,
            priority=5,
        )
        return
    big = rng.random() < 0.15
    size = {"duration": 45, "price": 55.0} if big else {}
    if rng.random() < MIX["pool_twice"]:
        add("pool_service", TWICE_WEEKLY, day_patterns=[(0, 3), (1, 4)], priority=4, **size)
        return
    patterns: list[tuple[int, ...]] = []
    if rng.random() < 0.12:
        patterns = [(d,) for d in ((1, 2, 3), (0, 2, 4))[int(rng.integers(2))]]
    if rng.random() < MIX["snowbird"]:
        c.tags.append("snowbird")
        # start-up in October, weekly service from November to April, shut-down in May
        add("pool_service", WEEKLY, day_patterns=patterns, season=("11-01", "04-30"), **size)
        opening = add("pool_open_close", YEARLY)
        opening.phase_months = {10}
        closing = add("pool_open_close", YEARLY)
        closing.phase_months = {5}
        return
    add("pool_service", WEEKLY, day_patterns=patterns, **size)


def _lawn(rng, c: Customer, add, start: dt.date) -> None:
    big = c.kind == "business" or rng.random() < 0.15
    size = {"duration": 60, "price": 65.0} if big else {}
    if c.kind == "business":
        add("lawn_mow", WEEKLY, priority=4, **size)
    elif rng.random() < MIX["lawn_two_speed"]:
        add("lawn_mow", WEEKLY, season=("04-01", "10-31"), **size)
        add("lawn_mow", BIWEEKLY, season=("11-01", "03-31"), **size)
    else:
        add("lawn_mow", BIWEEKLY, **size)
    if rng.random() < MIX["hedge"]:
        freq = SIX_WEEKLY if rng.random() < 0.6 else QUARTERLY
        add("hedge_trim", freq, priority=int(rng.choice([2, 3])), start=_later(rng, start))


def _windows(rng, c: Customer, add, start: dt.date) -> None:
    if c.kind == "business":
        minutes = int(rng.choice([60, 90, 120]))
        add("window_clean", MONTHLY, duration=minutes, price=round(minutes * 1.25, 2), priority=4)
    else:
        u = rng.random()
        freq = MONTHLY if u < 0.25 else QUARTERLY if u < 0.9 else HALF_YEARLY
        size = {}
        if rng.random() < 0.25:  # big house
            minutes = int(rng.choice([120, 150, 180]))
            size = {"duration": minutes, "price": float(minutes + 30)}
        add("window_clean", freq, **size)
    if rng.random() < MIX["gutter"]:
        add("gutter_clean", HALF_YEARLY, start=_later(rng, start))
