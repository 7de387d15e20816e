"""Addresses to coordinates: geopy (Nominatim by default) behind a rate limiter and a cache table.

Nominatim's usage policy allows at most one request per second for the whole application, a
real user agent, and caching; the public server must never be bulk-geocoded. So:

* every answer, including a definite "not found", goes into ``geocode_cache`` and is never
  asked for again; server errors and timeouts are *not* cached (they say nothing about the
  address);
* requests go through geopy's :class:`~geopy.extra.rate_limiter.RateLimiter` (``min_delay_s``
  apart; retries wait longer);
* answers are also kept in memory, so that a file rejected for another reason and imported
  again in the same process does not ask again, even though the rejected import wrote nothing;
* the public server gets at most :data:`PUBLIC_SERVER_REQUEST_CAP` requests per geocoder:
  beyond that, run your own Nominatim (``make_geocoder(url)``) or put lat/lon in the file.

Reading and writing the cache are separate (:meth:`Geocoder.lookup`, :meth:`Geocoder.remember`)
so that an import can geocode while validating and write cache rows only when it writes
anything at all (all-or-nothing). :meth:`Geocoder.geocode` does both, for one-off use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.geocache import GeocodeCacheEntry

DEFAULT_USER_AGENT = "rounds/0.1 (+https://github.com/rounds)"
PUBLIC_NOMINATIM = "https://nominatim.openstreetmap.org"
PUBLIC_SERVER_REQUEST_CAP = 200
"""Requests one geocoder sends to the public server before it refuses (no bulk geocoding)."""

URL_ENV = "ROUNDS_NOMINATIM_URL"
"""Environment variable naming a Nominatim server when ``make_geocoder`` gets no URL."""

Point = tuple[float, float]


class GeocodingError(Exception):
    """The geocoder could not answer (server error, timeout, refused): says nothing about
    the address, so it is not cached and the row may be tried again later."""


@dataclass(frozen=True)
class GeocodeResult:
    """The answer for one normalised query: ``point`` None means "no such place"."""

    query: str
    point: Point | None
    display_name: str | None = None


def normalise_query(address: str) -> str:
    """The cache key: case and runs of blanks do not make a different address."""
    return " ".join(address.split()).casefold()


class Geocoder:
    """A geopy geocoder behind a cache table, an in-memory memo and a request budget.

    Parameters
    ----------
    search:
        ``address -> geopy Location | None``; usually a ``RateLimiter`` around a geopy
        geocoder's ``geocode``. It may raise :class:`geopy.exc.GeopyError`.
    provider:
        Cache namespace (e.g. ``nominatim:nominatim.openstreetmap.org``): answers from one
        server are not reused for another.
    max_requests:
        Refuse (``GeocodingError``) after this many requests; None for no cap.
    """

    def __init__(
        self,
        search: Callable[[str], Any],
        *,
        provider: str,
        max_requests: int | None = None,
    ) -> None:
        self._search = search
        self.provider = provider[:40]
        self.max_requests = max_requests
        self.requests = 0
        self._memo: dict[str, GeocodeResult] = {}

    def lookup(self, session: Session, address: str) -> GeocodeResult:
        """Answer from memory, the cache table, or the server; writes nothing to the database.

        Raises
        ------
        GeocodingError
            When the server fails or the request budget is spent.
        """
        key = normalise_query(address)
        if key in self._memo:
            return self._memo[key]
        entry = session.scalars(
            select(GeocodeCacheEntry)
            .where(GeocodeCacheEntry.provider == self.provider, GeocodeCacheEntry.query == key)
            .order_by(GeocodeCacheEntry.id.desc())
            .limit(1)
        ).first()
        if entry is not None:
            point = None if entry.lat is None or entry.lon is None else (entry.lat, entry.lon)
            result = GeocodeResult(key, point, entry.display_name)
        else:
            result = self._ask(key, " ".join(address.split()))
        self._memo[key] = result
        return result

    def prefetch(self, session: Session, addresses: Iterable[str]) -> None:
        """Load the cached answers for many addresses at once (one query per 500, not per row)."""
        keys = sorted({normalise_query(a) for a in addresses} - self._memo.keys())
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            entries = session.scalars(
                select(GeocodeCacheEntry)
                .where(
                    GeocodeCacheEntry.provider == self.provider,
                    GeocodeCacheEntry.query.in_(chunk),
                )
                .order_by(GeocodeCacheEntry.id)
            )
            for entry in entries:
                point = None if entry.lat is None or entry.lon is None else (entry.lat, entry.lon)
                self._memo[entry.query] = GeocodeResult(entry.query, point, entry.display_name)

    def _ask(self, key: str, address: str) -> GeocodeResult:
        if self.max_requests is not None and self.requests >= self.max_requests:
            raise GeocodingError(
                f"request budget of {self.max_requests} spent (the public Nominatim server "
                "must not be bulk-geocoded: run your own server or give lat/lon)"
            )
        self.requests += 1
        try:
            location = self._search(address)
        except GeopyError as exc:
            raise GeocodingError(str(exc) or type(exc).__name__) from exc
        if location is None:
            return GeocodeResult(key, None)
        name = getattr(location, "address", None)
        return GeocodeResult(
            key,
            (float(location.latitude), float(location.longitude)),
            str(name)[:400] if name else None,
        )

    def remember(self, session: Session, results: Iterable[GeocodeResult]) -> int:
        """Add cache rows for the ``results`` the table does not hold yet; returns how many."""
        pending = {r.query: r for r in results}
        keys = list(pending)
        stored: set[str] = set()
        for start in range(0, len(keys), 500):
            stored.update(
                session.scalars(
                    select(GeocodeCacheEntry.query).where(
                        GeocodeCacheEntry.provider == self.provider,
                        GeocodeCacheEntry.query.in_(keys[start : start + 500]),
                    )
                )
            )
        new = [r for q, r in pending.items() if q not in stored]
        session.add_all(
            GeocodeCacheEntry(
                provider=self.provider,
                query=r.query[:300],
                lat=r.point[0] if r.point else None,
                lon=r.point[1] if r.point else None,
                display_name=r.display_name,
            )
            for r in new
        )
        return len(new)

    def geocode(self, session: Session, address: str) -> Point | None:
        """``(lat, lon)`` of ``address``, or None when the geocoder knows no such place.

        The answer is cached in ``session`` (not committed). Raises :class:`GeocodingError`
        when the server cannot answer.
        """
        result = self.lookup(session, address)
        self.remember(session, [result])
        return result.point


def make_geocoder(
    url: str | None = None,
    *,
    user_agent: str = DEFAULT_USER_AGENT,
    min_delay_s: float = 1.0,
    timeout_s: float = 10.0,
    max_retries: int = 1,
    error_wait_s: float = 5.0,
    max_requests: int | None = None,
) -> Geocoder:
    """A Nominatim geocoder for ``url`` (default ``$ROUNDS_NOMINATIM_URL``, else the public server).

    ``url`` may carry a path prefix (``https://example.org/nominatim``); a trailing ``/search``
    is dropped. Requests are at least ``min_delay_s`` apart; a server error is retried
    ``max_retries`` times after ``error_wait_s`` (never less than ``min_delay_s``). The public
    server gets a cap of :data:`PUBLIC_SERVER_REQUEST_CAP` requests unless ``max_requests``
    says otherwise.
    """
    url = (url or os.environ.get(URL_ENV) or PUBLIC_NOMINATIM).rstrip("/")
    url = url.removesuffix("/search")
    parts = urlsplit(url if "://" in url else f"https://{url}")
    if not parts.netloc:
        raise ValueError(f"not a geocoder URL: {url!r}")
    domain = parts.netloc + parts.path.rstrip("/")
    nominatim = Nominatim(
        domain=domain, scheme=parts.scheme, user_agent=user_agent, timeout=timeout_s
    )
    search = RateLimiter(
        nominatim.geocode,
        min_delay_seconds=min_delay_s,
        max_retries=max_retries,
        error_wait_seconds=max(error_wait_s, min_delay_s),
        swallow_exceptions=False,
    )
    if max_requests is None and parts.netloc == urlsplit(PUBLIC_NOMINATIM).netloc:
        max_requests = PUBLIC_SERVER_REQUEST_CAP
    return Geocoder(search, provider=f"nominatim:{domain}", max_requests=max_requests)
