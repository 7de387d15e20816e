"""Offline geography of the Tampa Bay sample company.

Street-level data cannot be bundled, so sites are placed at neighbourhood accuracy: a seeded
jitter of a few hundred metres to about 1.5 km around the centroid of a residential ZIP code
(from the `zipcodes` package). A point is kept only if `global_land_mask` says it is on land
(no customers in the bay) and if the nearest standard ZIP centroid of the whole area is still
its own ZIP, so that the ZIP and city written in the synthetic address stay true to the point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .geography_box import BBOX_LAT, BBOX_LON

EARTH_RADIUS_M = 6_371_000.0

# Road-distance and speed assumptions of the generator's own estimates (the optimizer has its
# own matrix module; these only size the crews and sanity-check the as-is routes).
DETOUR_FACTOR = 1.3
SPEED_KMH = 45.0
STOP_OVERHEAD_MIN = 2.0  # parking, walking to the gate: added to every leg


@dataclass(frozen=True)
class Depot:
    """A crew yard; its name is the region name used in sites.csv and crews.csv."""

    region: str
    lat: float
    lon: float


# Yards in light-industrial areas (Drew Park, Lake Magdalene, Brandon along SR 60).
DEPOTS: tuple[Depot, ...] = (
    Depot("South Tampa", 27.9750, -82.5150),
    Depot("North Tampa", 28.0550, -82.4700),
    Depot("Brandon", 27.9450, -82.3200),
)


@dataclass(frozen=True)
class Neighbourhood:
    """A residential ZIP: the city written in addresses, a local name, its region and weight."""

    zip_code: str
    city: str
    name: str
    region: str
    weight: float
    lat: float = 0.0
    lon: float = 0.0


# Residential ZIPs of Hillsborough County. `city` is the ZIP's USPS city or one of its
# acceptable city names; `weight` is a rough share of households that buy recurring service.
_NEIGHBOURHOODS: tuple[tuple[str, str, str, str, float], ...] = (
    ("33606", "Tampa", "Hyde Park", "South Tampa", 3),
    ("33609", "Tampa", "Beach Park", "South Tampa", 3),
    ("33611", "Tampa", "Ballast Point", "South Tampa", 4),
    ("33629", "Tampa", "Palma Ceia", "South Tampa", 4),
    ("33616", "Tampa", "Port Tampa", "South Tampa", 1),
    ("33607", "Tampa", "West Tampa", "South Tampa", 1),
    ("33614", "Tampa", "Egypt Lake", "South Tampa", 2),
    ("33615", "Tampa", "Town 'n' Country", "South Tampa", 3),
    ("33634", "Tampa", "Town 'n' Country", "South Tampa", 1),
    ("33635", "Tampa", "Countryway", "South Tampa", 2),
    ("33626", "Tampa", "Westchase", "South Tampa", 4),
    ("33604", "Tampa", "Seminole Heights", "North Tampa", 2),
    ("33612", "Tampa", "Forest Hills", "North Tampa", 1),
    ("33613", "Tampa", "Lake Magdalene", "North Tampa", 2),
    ("33618", "Tampa", "Carrollwood", "North Tampa", 4),
    ("33624", "Tampa", "Northdale", "North Tampa", 3),
    ("33625", "Tampa", "Citrus Park", "North Tampa", 3),
    ("33647", "Tampa", "Tampa Palms", "North Tampa", 4),
    ("33617", "Temple Terrace", "Temple Terrace", "North Tampa", 3),
    ("33637", "Temple Terrace", "Temple Terrace East", "North Tampa", 1),
    ("33548", "Lutz", "Lake Park", "North Tampa", 2),
    ("33549", "Lutz", "Lutz", "North Tampa", 2),
    ("33558", "Lutz", "Cheval", "North Tampa", 2),
    ("33559", "Lutz", "Lutz East", "North Tampa", 1),
    ("33556", "Odessa", "Odessa", "North Tampa", 2),
    ("33510", "Brandon", "Brandon North", "Brandon", 3),
    ("33511", "Brandon", "Brandon South", "Brandon", 3),
    ("33594", "Valrico", "Valrico", "Brandon", 2),
    ("33596", "Valrico", "Bloomingdale", "Brandon", 3),
    ("33584", "Seffner", "Seffner", "Brandon", 2),
    ("33569", "Riverview", "Riverview", "Brandon", 2),
    ("33578", "Riverview", "Riverview North", "Brandon", 3),
    ("33579", "Riverview", "Riverview South", "Brandon", 2),
    ("33547", "Lithia", "FishHawk", "Brandon", 3),
    ("33572", "Apollo Beach", "Apollo Beach", "Brandon", 2),
    ("33619", "Tampa", "Palm River", "Brandon", 1),
)


@lru_cache(maxsize=1)
def _standard_zip_centroids() -> dict[str, tuple[float, float]]:
    """Centroids of the standard (street-delivery) ZIPs in the box, for the Voronoi test."""
    import zipcodes

    out: dict[str, tuple[float, float]] = {}
    for z in zipcodes.filter_by(state="FL"):
        if z["zip_code_type"] != "STANDARD" or not z["active"]:
            continue
        lat, lon = float(z["lat"]), float(z["long"])
        if BBOX_LAT[0] <= lat <= BBOX_LAT[1] and BBOX_LON[0] <= lon <= BBOX_LON[1]:
            out[z["zip_code"]] = (lat, lon)
    return dict(sorted(out.items()))


@lru_cache(maxsize=1)
def neighbourhoods() -> tuple[Neighbourhood, ...]:
    """The residential ZIPs with their centroids filled in from `zipcodes`."""
    cents = _standard_zip_centroids()
    out = []
    for zip_code, city, name, region, weight in _NEIGHBOURHOODS:
        lat, lon = cents[zip_code]
        out.append(Neighbourhood(zip_code, city, name, region, float(weight), lat, lon))
    return tuple(out)


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres; numpy-vectorised (broadcasts its arguments)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def drive_minutes(lat1, lon1, lat2, lon2):
    """Estimated driving minutes: haversine x detour factor at an average speed, plus parking."""
    road_m = haversine_m(lat1, lon1, lat2, lon2) * DETOUR_FACTOR
    return STOP_OVERHEAD_MIN + road_m / (SPEED_KMH * 1000 / 60)


def is_land(lat: float, lon: float) -> bool:
    from .landmask import is_land as _is_land

    return bool(_is_land(lat, lon))


@lru_cache(maxsize=1)
def _centroid_array() -> tuple[list[str], np.ndarray]:
    cents = _standard_zip_centroids()
    return list(cents), np.array(list(cents.values()))


def nearest_zip(lat: float, lon: float) -> str:
    codes, arr = _centroid_array()
    d = haversine_m(lat, lon, arr[:, 0], arr[:, 1])
    return codes[int(np.argmin(d))]


def offset(lat: float, lon: float, dist_m: float, bearing_rad: float) -> tuple[float, float]:
    """Point `dist_m` from (lat, lon) on a bearing; flat-earth is exact enough at city scale."""
    dlat = dist_m * math.cos(bearing_rad) / EARTH_RADIUS_M
    dlon = dist_m * math.sin(bearing_rad) / (EARTH_RADIUS_M * math.cos(math.radians(lat)))
    return lat + math.degrees(dlat), lon + math.degrees(dlon)


def accept(lat: float, lon: float, zip_code: str) -> bool:
    """A generated point is kept if it is on land, in the box and still in its ZIP's cell."""
    return (
        BBOX_LAT[0] <= lat <= BBOX_LAT[1]
        and BBOX_LON[0] <= lon <= BBOX_LON[1]
        and is_land(lat, lon)
        and nearest_zip(lat, lon) == zip_code
    )


def jitter_point(
    rng: np.random.Generator,
    centre: tuple[float, float],
    zip_code: str,
    min_m: float = 300.0,
    max_m: float = 1500.0,
) -> tuple[float, float]:
    """A seeded point `min_m`..`max_m` from `centre`, uniform in area, passing `accept`.

    Falls back to smaller rings if a ZIP's cell is mostly water or narrow.
    """
    for attempt in range(200):
        shrink = 1.0 if attempt < 100 else 0.5
        r = math.sqrt(rng.uniform((min_m * shrink) ** 2, (max_m * shrink) ** 2))
        lat, lon = offset(centre[0], centre[1], r, rng.uniform(0, 2 * math.pi))
        if accept(lat, lon, zip_code):
            return round(lat, 5), round(lon, 5)
    raise RuntimeError(f"no land point found around ZIP {zip_code}")
