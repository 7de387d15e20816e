"""A tiny HTTP server on 127.0.0.1 that answers like Nominatim's ``/search?format=json&q=...``.

Geocoding is tested over real HTTP through geopy, not against a mock object, so that the
rate limit, the cache and the handling of server errors are exercised as in production. The
server records every request (arrival time, query, user agent) for the tests to inspect.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Request:
    at: float
    query: str
    params: dict[str, str]
    user_agent: str


@dataclass
class FakeNominatim:
    """``places`` answer with one result, ``failing`` with HTTP 500; anything else with ``[]``.

    Addresses are matched case-insensitively, as Nominatim does.
    """

    places: dict[str, tuple[float, float]] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def queries(self) -> list[str]:
        with self._lock:
            return [r.query for r in self.requests]

    def arrival_times(self) -> list[float]:
        with self._lock:
            return [r.at for r in self.requests]

    def _answer(self, query: str) -> tuple[int, object]:
        key = query.casefold()
        if key in {f.casefold() for f in self.failing}:
            return 500, {"error": "internal server error"}
        for address, (lat, lon) in self.places.items():
            if address.casefold() == key:
                return 200, [
                    {
                        "place_id": 1000 + len(address),
                        "licence": "Data (c) OpenStreetMap contributors, ODbL 1.0",
                        "osm_type": "node",
                        "osm_id": 42,
                        "lat": f"{lat:.7f}",
                        "lon": f"{lon:.7f}",
                        "class": "place",
                        "type": "house",
                        "place_rank": 30,
                        "importance": 0.00001,
                        "addresstype": "place",
                        "name": "",
                        "display_name": f"{address}, Tampa, Florida, United States",
                        "boundingbox": [
                            f"{lat - 1e-4:.7f}",
                            f"{lat + 1e-4:.7f}",
                            f"{lon - 1e-4:.7f}",
                            f"{lon + 1e-4:.7f}",
                        ],
                    }
                ]
        return 200, []

    def start(self) -> FakeNominatim:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                arrived = time.monotonic()
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path != "/search" or params.get("format") != "json" or "q" not in params:
                    self._send(400, {"error": f"unexpected request {self.path}"})
                    return
                with fake._lock:
                    fake.requests.append(
                        Request(arrived, params["q"], params, self.headers.get("User-Agent", ""))
                    )
                self._send(*fake._answer(params["q"]))

            def _send(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeNominatim:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
