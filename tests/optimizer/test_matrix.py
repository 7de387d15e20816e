"""Travel matrices: haversine against geopy, the cache, and the OSRM provider."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest
from geopy.distance import geodesic
from hypothesis import given
from hypothesis import strategies as st

from optimizer import Location, MatrixError
from optimizer.matrix import (
    CachedProvider,
    HaversineProvider,
    MatrixProvider,
    great_circle_m,
    haversine_matrices,
)
from optimizer.osrm import OsrmProvider
from tests.optimizer.conftest import PROPERTY

lat = st.floats(-80, 80, allow_nan=False)
lon = st.floats(-180, 180, allow_nan=False)


@PROPERTY
@given(st.lists(st.tuples(lat, lon), min_size=2, max_size=6))
def test_haversine_is_within_0_6_percent_of_geodesic(points: list[tuple[float, float]]) -> None:
    """The sphere differs from the WGS84 ellipsoid by at most 0.6 % (+ 1 m of rounding).

    The worst case is north-south near the equator: 111,195 m per degree on the
    sphere against 110,574 m on the ellipsoid (0.56 %).
    """
    lats, lons = np.array(points).T
    ours = great_circle_m(lats, lons)
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            reference = geodesic(a, b).meters
            assert abs(ours[i, j] - reference) <= 0.006 * reference + 1.0


def test_haversine_matrices_apply_detour_and_speed() -> None:
    """One degree of latitude is ~111.2 km; x1.3 detour; at 36 km/h that is 10 m/s."""
    places = [Location("a", 0.0, 0.0), Location("b", 1.0, 0.0)]
    durations, distances = haversine_matrices(places, speed_kmh=36.0, detour=1.3)
    straight = 6_371_008.8 * np.pi / 180  # 111,195 m
    assert distances[0, 1] == round(straight * 1.3)
    assert durations[0, 1] == round(straight * 1.3 / 10)
    assert distances.dtype == np.int64 and distances[0, 0] == 0


def test_haversine_provider_matches_function() -> None:
    """The provider is the function behind the MatrixProvider protocol."""
    places = [Location("a", 27.9, -82.4), Location("b", 28.0, -82.5)]
    provider = HaversineProvider(speed_kmh=30.0)
    assert isinstance(provider, MatrixProvider)
    durations, _ = provider.matrices(places)
    assert np.array_equal(durations, haversine_matrices(places, speed_kmh=30.0)[0])


class CountingProvider:
    def __init__(self) -> None:
        self.calls = 0

    def matrices(self, locations):  # type: ignore[no-untyped-def]
        self.calls += 1
        return haversine_matrices(locations)


def test_cache_is_keyed_by_the_location_set() -> None:
    """The same places in another order are served from the cache, re-indexed."""
    places = [Location("a", 27.9, -82.4), Location("b", 28.0, -82.5), Location("c", 27.7, -82.6)]
    inner = CountingProvider()
    cache = CachedProvider(inner)
    first = cache.matrices(places)
    shuffled = [places[2], places[0], places[1]]
    second = cache.matrices(shuffled)
    assert inner.calls == 1 and cache.hits == 1
    order = [2, 0, 1]
    assert np.array_equal(second[0], first[0][np.ix_(order, order)])
    cache.matrices(places[:2])
    assert inner.calls == 2


# OSRM ----------------------------------------------------------------------------------------
class FakeOsrm(BaseHTTPRequestHandler):
    """Answers /table/v1/driving/... as OSRM does: durations and distances arrays, code Ok."""

    mode = "ok"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urllib.parse.urlsplit(self.path)  # urlparse would cut the path at ";"
        coords = url.path.split("/")[-1].split(";")
        query = urllib.parse.parse_qs(url.query)
        n = len(coords)
        src = [int(i) for i in query["sources"][0].split(";")] if "sources" in query else range(n)
        dst = [int(i) for i in query["destinations"][0].split(";")] if "destinations" in query \
            else range(n)  # fmt: skip
        points = [tuple(map(float, c.split(","))) for c in coords]
        if self.mode == "error":
            self._send(400, {"code": "InvalidQuery", "message": "Query string malformed"})
            return
        durations = [[abs(points[i][0] - points[j][0]) * 1000 + 0.4 for j in dst] for i in src]
        distances = [[abs(points[i][1] - points[j][1]) * 10000 for j in dst] for i in src]
        if self.mode == "unroutable":
            durations[0][-1] = None  # type: ignore[call-overload]
        self._send(200, {"code": "Ok", "durations": durations, "distances": distances})

    def _send(self, status: int, body: dict) -> None:  # type: ignore[type-arg]
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def osrm() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), FakeOsrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    FakeOsrm.mode = "ok"


PLACES = [Location(f"p{i}", 27.0 + i / 100, -82.0 - i / 50) for i in range(5)]


def expected() -> tuple[np.ndarray, np.ndarray]:
    lons = np.array([p.lon for p in PLACES])
    lats = np.array([p.lat for p in PLACES])
    durations = np.rint(np.abs(lons[:, None] - lons[None, :]) * 1000 + 0.4).astype(np.int64)
    distances = np.rint(np.abs(lats[:, None] - lats[None, :]) * 10000).astype(np.int64)
    return durations, distances


def test_osrm_table_in_one_request(osrm: str) -> None:
    """Durations and distances come back rounded to int64 seconds and meters."""
    durations, distances = OsrmProvider(osrm).matrices(PLACES)
    want = expected()
    assert np.array_equal(durations, want[0]) and np.array_equal(distances, want[1])


def test_osrm_table_in_blocks(osrm: str) -> None:
    """With a 4-coordinate server limit the 5x5 table is fetched in 2x2 blocks, same result."""
    durations, distances = OsrmProvider(osrm, max_table_size=4).matrices(PLACES)
    want = expected()
    assert np.array_equal(durations, want[0]) and np.array_equal(distances, want[1])


def test_osrm_error_code_is_reported(osrm: str) -> None:
    """An OSRM error document becomes a MatrixError quoting code and message."""
    FakeOsrm.mode = "error"
    with pytest.raises(MatrixError, match="HTTP 400: InvalidQuery: Query string malformed"):
        OsrmProvider(osrm).matrices(PLACES)


def test_osrm_unroutable_pair_names_the_locations(osrm: str) -> None:
    """A null entry names the two locations that cannot be routed."""
    FakeOsrm.mode = "unroutable"
    with pytest.raises(MatrixError, match="cannot route from 'p0' to 'p4'"):
        OsrmProvider(osrm).matrices(PLACES)


def test_osrm_unreachable_server() -> None:
    """Nothing listening: a clear 'cannot reach' error, not a traceback from urllib."""
    server = HTTPServer(("127.0.0.1", 0), FakeOsrm)
    port = server.server_address[1]
    server.server_close()
    with pytest.raises(MatrixError, match="cannot reach OSRM at http://127.0.0.1"):
        OsrmProvider(f"http://127.0.0.1:{port}", timeout_s=2).matrices(PLACES)
