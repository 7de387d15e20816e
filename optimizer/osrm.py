"""Road-network travel matrices from an OSRM server's ``/table`` service.

OSRM answers ``GET {base}/table/v1/{profile}/{lon,lat;lon,lat;...}?annotations=duration,distance``
with ``{"code": "Ok", "durations": [[s]], "distances": [[m]]}`` (floats, ``null``
when a pair cannot be routed). Servers cap the number of coordinates per
request (``--max-table-size``, 100 by default), so large sets are fetched in
blocks with the ``sources``/``destinations`` parameters.

Only the standard library is used (``urllib``); the base URL is always
explicit, because the public demo server forbids heavy use.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any

import numpy as np

from optimizer.exceptions import MatrixError
from optimizer.problem import Location


class OsrmProvider:
    """:class:`~optimizer.matrix.MatrixProvider` backed by an OSRM ``/table`` endpoint.

    Parameters
    ----------
    base_url
        e.g. ``http://127.0.0.1:5000`` (no trailing path).
    profile
        OSRM profile in the URL (``driving``).
    max_table_size
        The server's coordinate limit per request; blocks use half of it for
        sources and half for destinations.
    timeout_s
        Per-request timeout.
    """

    def __init__(
        self,
        base_url: str,
        profile: str = "driving",
        max_table_size: int = 100,
        timeout_s: float = 30.0,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {base_url!r}")
        if max_table_size < 2:
            raise ValueError(f"max_table_size must be >= 2, got {max_table_size}")
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.max_table_size = max_table_size
        self.timeout_s = timeout_s

    def matrices(self, locations: Sequence[Location]) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(durations_s, distances_m)`` int64 ``[L, L]`` from the server.

        Raises
        ------
        MatrixError
            The server cannot be reached, answers with an error code, or
            cannot route a pair (the message names both locations).
        """
        n = len(locations)
        durations = np.zeros((n, n), dtype=np.int64)
        distances = np.zeros((n, n), dtype=np.int64)
        block = max(1, self.max_table_size // 2) if n > self.max_table_size else max(n, 1)
        for src in range(0, n, block):
            for dst in range(0, n, block):
                rows = list(range(src, min(src + block, n)))
                cols = list(range(dst, min(dst + block, n)))
                self._fill(locations, rows, cols, durations, distances)
        return durations, distances

    def _url(self, points: list[Location], sources: list[int], destinations: list[int]) -> str:
        coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)
        query = {"annotations": "duration,distance"}
        if len(sources) < len(points) or len(destinations) < len(points):
            query["sources"] = ";".join(map(str, sources))
            query["destinations"] = ";".join(map(str, destinations))
        return (
            f"{self.base_url}/table/v1/{urllib.parse.quote(self.profile)}/{coords}"
            f"?{urllib.parse.urlencode(query, safe=';,')}"
        )

    def _fill(
        self,
        locations: Sequence[Location],
        rows: list[int],
        cols: list[int],
        durations: np.ndarray,
        distances: np.ndarray,
    ) -> None:
        union = sorted(set(rows) | set(cols))
        position = {index: k for k, index in enumerate(union)}
        url = self._url(
            [locations[i] for i in union], [position[i] for i in rows], [position[j] for j in cols]
        )
        answer = self._get(url)
        for key, target in (("durations", durations), ("distances", distances)):
            table = answer.get(key)
            if not isinstance(table, list) or len(table) != len(rows):
                raise MatrixError(f"OSRM answer lacks a {len(rows)}-row {key!r} table ({url})")
            for r, row in zip(rows, table, strict=True):
                if not isinstance(row, list) or len(row) != len(cols):
                    raise MatrixError(f"OSRM {key!r} row for location {r} has the wrong length")
                for c, value in zip(cols, row, strict=True):
                    if value is None:
                        raise MatrixError(
                            f"OSRM cannot route from {locations[r].id!r} to {locations[c].id!r}"
                        )
                    target[r, c] = round(float(value))

    def _get(self, url: str) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            detail = _osrm_message(error.read())
            raise MatrixError(
                f"OSRM at {self.base_url} answered HTTP {error.code}: {detail}"
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise MatrixError(f"cannot reach OSRM at {self.base_url}: {reason}") from None
        try:
            answer = json.loads(body)
        except ValueError:
            raise MatrixError(
                f"OSRM at {self.base_url} did not answer JSON: {body[:80]!r}"
            ) from None
        if not isinstance(answer, dict) or answer.get("code") != "Ok":
            raise MatrixError(f"OSRM at {self.base_url} refused the request: {_osrm_message(body)}")
        return answer


def _osrm_message(body: bytes) -> str:
    """``"Code: message"`` from an OSRM error document, or the start of the raw body."""
    try:
        answer = json.loads(body)
        return f"{answer.get('code', '?')}: {answer.get('message', '')}".strip()
    except (ValueError, AttributeError):
        return body[:80].decode("utf-8", "replace") or "(empty body)"
