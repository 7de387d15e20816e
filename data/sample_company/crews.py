"""The crews: which skills sit together on a truck, where it starts, when it works.

Skills are grouped the way such companies equip their trucks: a pool route truck carries
chemicals, a lawn crew a mower trailer, a window crew ladders and a water-fed pole. The odd
extra skill (a ladder on a lawn crew, irrigation on a pool tech) is what makes the as-is
assignment and the optimizer's crew choice non-trivial. A larger company (`--customers N`)
gets proportionally more crews of each template.
"""

from __future__ import annotations

from dataclasses import dataclass

from .geography import DEPOTS, offset
from .model import Crew

WEEKDAY = (7 * 60 + 30, 16 * 60)  # Mon-Fri 07:30-16:00
LAWN_DAY = (7 * 60, 16 * 60 + 30)  # lawn crews start early, before the Florida heat
SATURDAY = (7 * 60 + 30, 12 * 60)  # Sat 07:30-12:00


@dataclass(frozen=True)
class CrewTemplate:
    label: str
    region: str
    skills: tuple[str, ...]
    saturday: bool
    hourly_cost: float
    colour: str


TEMPLATES: tuple[CrewTemplate, ...] = (
    CrewTemplate("Pools", "South Tampa", ("pool_chemicals", "irrigation"), True, 48.0, "#1f77b4"),
    CrewTemplate("Pools", "North Tampa", ("pool_chemicals",), True, 48.0, "#17becf"),
    CrewTemplate("Pools", "Brandon", ("pool_chemicals", "irrigation"), True, 48.0, "#9edae5"),
    CrewTemplate(
        "Lawns",
        "South Tampa",
        ("mower_trailer", "irrigation", "pressure_washer"),
        False,
        62.0,
        "#2ca02c",
    ),
    CrewTemplate("Lawns", "North Tampa", ("mower_trailer", "irrigation"), False, 62.0, "#98df8a"),
    CrewTemplate("Lawns", "Brandon", ("mower_trailer", "ladder"), False, 62.0, "#bcbd22"),
    CrewTemplate(
        "Windows",
        "South Tampa",
        ("ladder", "water_fed_pole", "pressure_washer"),
        True,
        70.0,
        "#d62728",
    ),
    CrewTemplate("Windows", "Brandon", ("ladder", "water_fed_pole"), False, 70.0, "#ff7f0e"),
)


def crews_for(n_customers: int) -> list[Crew]:
    """One crew per template for the 400-customer company, proportionally more for larger ones.

    Copies of a template share its depot region; their start points are spread a little
    (different yards or the lead's home) so that they are distinguishable on a map.
    """
    copies = max(1, round(n_customers / 400))
    depot = {d.region: d for d in DEPOTS}
    crews: list[Crew] = []
    for copy in range(copies):
        for t in TEMPLATES:
            d = depot[t.region]
            lat, lon = (d.lat, d.lon) if copy == 0 else offset(d.lat, d.lon, 800.0, copy * 2.39996)
            suffix = "" if copies == 1 else f" {copy + 1}"
            crews.append(_crew(t, len(crews) + 1, lat, lon, suffix))
    return crews


def _crew(t: CrewTemplate, n: int, lat: float, lon: float, suffix: str) -> Crew:
    shifts = {day: LAWN_DAY if t.label == "Lawns" else WEEKDAY for day in range(5)}
    if t.saturday:
        shifts[5] = SATURDAY
    return Crew(
        crew_id=f"CR-{n:02d}" if n < 100 else f"CR-{n:04d}",
        name=f"{t.region} {t.label}{suffix}",
        skills=list(t.skills),
        region=t.region,
        lat=round(lat, 5),
        lon=round(lon, 5),
        shifts=shifts,
        hourly_cost=t.hourly_cost,
        colour=t.colour,
        specialty={"Pools": "pool", "Lawns": "lawn", "Windows": "ladder"}[t.label],
    )


def hire(crews: list[Crew], family: str, region: str, skills: frozenset[str]) -> Crew:
    """One more crew like the template of `family` in `region` (or any that has `skills`)."""
    label = {"pool": "Pools", "lawn": "Lawns", "ladder": "Windows"}[family]
    fits = [t for t in TEMPLATES if t.label == label and skills <= set(t.skills)]
    fits = fits or [t for t in TEMPLATES if skills <= set(t.skills)]
    t = next((t for t in fits if t.region == region), fits[0])
    same = sum(c.region == t.region and c.specialty == family for c in crews)
    d = {d.region: d for d in DEPOTS}[t.region]
    lat, lon = offset(d.lat, d.lon, 800.0, (same + 1) * 2.39996)
    return _crew(t, len(crews) + 1, lat, lon, f" {same + 1}")


def format_shifts(crew: Crew) -> str:
    """`Mon-Fri 07:30-16:00;Sat 07:30-12:00` from the per-day dict (runs of equal hours)."""
    from .catalog import WEEKDAYS

    parts: list[str] = []
    days = sorted(crew.shifts)
    i = 0
    while i < len(days):
        j = i
        while (
            j + 1 < len(days)
            and days[j + 1] == days[j] + 1
            and crew.shifts[days[j + 1]] == crew.shifts[days[i]]
        ):
            j += 1
        s, e = crew.shifts[days[i]]
        span = WEEKDAYS[days[i]] if i == j else f"{WEEKDAYS[days[i]]}-{WEEKDAYS[days[j]]}"
        parts.append(f"{span} {hhmm(s)}-{hhmm(e)}")
        i = j + 1
    return ";".join(parts)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
