"""Puts the parts together in a fixed order (the order matters for reproducibility)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import asis, crews, demand
from .model import Agreement, Crew, Customer, Site

DEFAULT_SEED = 7
DEFAULT_CUSTOMERS = 400
COMPANY_NAME = "Bayside Rounds Co., Tampa FL"


@dataclass
class Company:
    name: str
    customers: list[Customer]
    sites: list[Site]
    agreements: list[Agreement]
    crews: list[Crew]
    loads: asis.Loads
    hired: list[str] = field(default_factory=list)  # why crews beyond the templates were added


def generate(seed: int = DEFAULT_SEED, n_customers: int = DEFAULT_CUSTOMERS) -> Company:
    rng = np.random.default_rng(seed)
    customers, sites, agreements = demand.generate(rng, n_customers)
    crew_list = crews.crews_for(n_customers)
    regions = {s.site_id: s.region for s in sites}
    hired: list[str] = []
    for attempt in range(1, 1000):
        # a fresh, seeded stream per attempt, so the outcome does not depend on failed tries
        assign_rng = np.random.default_rng([seed, attempt])
        try:
            loads = asis.assign(assign_rng, agreements, crew_list, regions)
            break
        except asis.NoRoom as full:  # the office would hire: one more crew of that kind
            b = full.bundle
            hired.append(f"{full}: hired one more crew")
            crew_list.append(crews.hire(crew_list, asis.FAMILY[b.lead.service], b.region, b.skills))
    _preferences(assign_rng, agreements)
    return Company(COMPANY_NAME, customers, sites, agreements, crew_list, loads, hired)


def _preferences(rng: np.random.Generator, agreements: list[Agreement]) -> None:
    """Some customers insist on their weekday or their technician: today's, as it happens."""
    for a in agreements:
        if a.status != "active":
            continue
        if len(a.current_days) == 1 and rng.random() < 0.12:
            a.preferred_weekday = a.current_days[0]
        if rng.random() < 0.08:
            a.preferred_crew_id = a.current_crew_id
