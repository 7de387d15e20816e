"""Travel matrices between locations: straight-line estimate, providers, cache.

The built-in estimate is the great-circle (haversine) distance times a detour
factor, over an average speed. It needs no network and no map data, which is
what a planner working offline or a test wants; a road network (OSRM) plugs in
behind the same :class:`MatrixProvider` protocol (:mod:`optimizer.osrm`).

Accuracy: on the sphere of mean radius 6,371,008.8 m the haversine distance is
within 0.6 % of the WGS84 geodesic (what ``geopy.distance.geodesic``
computes) everywhere; the worst case is north-south near the equator (0.56 %),
at mid latitudes it is about 0.2 %. The property test in
``tests/optimizer/test_matrix.py`` checks 0.6 % + 1 m. The detour factor
(road over straight line, 1.2-1.4) dwarfs this error anyway.

Speed: the distances come from one matrix product of unit vectors (BLAS),
processed in row blocks so memory stays at the two ``int64`` outputs; see
"Measured" in ``optimizer/README.md`` for 5,000 points.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from optimizer.exceptions import InvalidProblemError
from optimizer.problem import Location

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), the sphere that best fits the WGS84 ellipsoid on average."""

DEFAULT_SPEED_KMH = 35.0
"""Average door-to-door speed of a service van in towns and suburbs."""

DEFAULT_DETOUR = 1.3
"""Road distance over straight-line distance; 1.2-1.4 is typical of street networks."""

_BLOCK_ROWS = 512


@runtime_checkable
class MatrixProvider(Protocol):
    """Anything that turns locations into ``(durations_s, distances_m)`` int64 matrices."""

    def matrices(self, locations: Sequence[Location]) -> tuple[np.ndarray, np.ndarray]:
        """Return ``[L, L]`` travel durations (seconds) and distances (meters)."""
        ...


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    cos_phi = np.cos(phi)
    return np.stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)], axis=1)


def great_circle_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Haversine distances in meters (float64 ``[n, n]``) between points in degrees.

    Uses ``d = 2 R asin(|p - q| / 2)`` with the chord ``|p - q|`` from unit
    vectors, ``|p - q|^2 = 2 - 2 p.q``: the same value as the haversine
    formula, but the ``n x n`` part is a single matrix product. Cancellation
    in ``2 - 2 p.q`` costs at most ~0.1 m, below the meter rounding.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    if lat.shape != lon.shape or lat.ndim != 1:
        raise ValueError("lat and lon must be 1-D arrays of the same length")
    points = _unit_vectors(lat, lon)
    out = points @ points.T
    np.multiply(out, -2.0, out=out)
    np.add(out, 2.0, out=out)
    np.clip(out, 0.0, 4.0, out=out)
    np.sqrt(out, out=out)
    np.multiply(out, 0.5, out=out)
    np.arcsin(out, out=out)
    np.multiply(out, 2.0 * EARTH_RADIUS_M, out=out)
    return out


def haversine_matrices(
    locations: Sequence[Location],
    speed_kmh: float = DEFAULT_SPEED_KMH,
    detour: float = DEFAULT_DETOUR,
) -> tuple[np.ndarray, np.ndarray]:
    """Estimated road durations (s) and distances (m) between ``locations``.

    Parameters
    ----------
    locations
        Points in degrees.
    speed_kmh
        Average travel speed, > 0.
    detour
        Road distance / great-circle distance, >= 1.

    Returns
    -------
    tuple of numpy.ndarray
        ``(durations, distances)``, int64 ``[L, L]``, zero diagonal.
    """
    if not speed_kmh > 0:
        raise InvalidProblemError("matrix.speed_kmh", f"{speed_kmh!r} must be > 0")
    if not detour >= 1:
        raise InvalidProblemError("matrix.detour", f"{detour!r} must be >= 1")
    lat = np.fromiter((p.lat for p in locations), dtype=np.float64, count=len(locations))
    lon = np.fromiter((p.lon for p in locations), dtype=np.float64, count=len(locations))
    n = len(lat)
    points = _unit_vectors(lat, lon)
    distances = np.empty((n, n), dtype=np.int64)
    durations = np.empty((n, n), dtype=np.int64)
    seconds_per_meter = 3.6 / speed_kmh
    for first in range(0, n, _BLOCK_ROWS):
        block = points[first : first + _BLOCK_ROWS] @ points.T
        np.multiply(block, -2.0, out=block)
        np.add(block, 2.0, out=block)
        np.clip(block, 0.0, 4.0, out=block)
        np.sqrt(block, out=block)
        np.multiply(block, 0.5, out=block)
        np.arcsin(block, out=block)
        np.multiply(block, 2.0 * EARTH_RADIUS_M * detour, out=block)
        distances[first : first + _BLOCK_ROWS] = np.rint(block)
        np.multiply(block, seconds_per_meter, out=block)
        durations[first : first + _BLOCK_ROWS] = np.rint(block)
    np.fill_diagonal(distances, 0)
    np.fill_diagonal(durations, 0)
    return durations, distances


class HaversineProvider:
    """:class:`MatrixProvider` over :func:`haversine_matrices` with fixed speed and detour."""

    def __init__(self, speed_kmh: float = DEFAULT_SPEED_KMH, detour: float = DEFAULT_DETOUR):
        self.speed_kmh = speed_kmh
        self.detour = detour

    def matrices(self, locations: Sequence[Location]) -> tuple[np.ndarray, np.ndarray]:
        """Return estimated ``(durations, distances)``; see :func:`haversine_matrices`."""
        return haversine_matrices(locations, self.speed_kmh, self.detour)


class CachedProvider:
    """Wrap a provider and remember its answers, keyed by the *set* of locations.

    The same sites come back every week in a different order (new visits,
    cancellations), so the key is order-free: coordinates rounded to 1e-6
    degrees (~0.1 m), sorted. A hit in another order is re-indexed with
    ``np.ix_``. At most ``max_entries`` sets are kept (least recently used
    first out).
    """

    def __init__(self, inner: MatrixProvider, max_entries: int = 8) -> None:
        self.inner = inner
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._store: OrderedDict[tuple[tuple[float, float], ...], tuple[np.ndarray, np.ndarray]]
        self._store = OrderedDict()

    @staticmethod
    def _coords(locations: Sequence[Location]) -> list[tuple[float, float]]:
        return [(round(p.lat, 6), round(p.lon, 6)) for p in locations]

    def matrices(self, locations: Sequence[Location]) -> tuple[np.ndarray, np.ndarray]:
        """Return the cached matrices for this location set, computing them once."""
        coords = self._coords(locations)
        order = sorted(range(len(coords)), key=coords.__getitem__)
        key = tuple(coords[i] for i in order)
        if key in self._store and len(set(key)) == len(key):
            self.hits += 1
            self._store.move_to_end(key)
            durations, distances = self._store[key]
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            index = np.ix_(rank, rank)
            return durations[index], distances[index]
        self.misses += 1
        durations, distances = self.inner.matrices(locations)
        sorted_index = np.ix_(order, order)
        stored = (np.array(durations)[sorted_index], np.array(distances)[sorted_index])
        for array in stored:
            array.setflags(write=False)
        self._store[key] = stored
        while len(self._store) > self.max_entries:
            self._store.popitem(last=False)
        return np.array(durations), np.array(distances)
