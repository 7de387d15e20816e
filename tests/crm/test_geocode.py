"""The geocoder against a fake Nominatim on 127.0.0.1: answers, cache, rate limit, failures."""

from __future__ import annotations

from itertools import pairwise

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.geocache import GeocodeCacheEntry
from crm.geocode import (
    DEFAULT_USER_AGENT,
    PUBLIC_SERVER_REQUEST_CAP,
    GeocodingError,
    make_geocoder,
)
from tests.crm.fake_nominatim import FakeNominatim

FAST = {"min_delay_s": 0.0, "max_retries": 0, "timeout_s": 5.0}


def test_found_address_gives_its_coordinates(session: Session, nominatim: FakeNominatim) -> None:
    geocoder = make_geocoder(nominatim.url, **FAST)
    assert geocoder.geocode(session, "10 Palm Ave, Tampa") == (27.9601, -82.4512)
    request = nominatim.requests[0]
    assert request.params["format"] == "json" and request.query == "10 Palm Ave, Tampa"
    assert request.user_agent == DEFAULT_USER_AGENT


def test_answers_and_not_found_are_cached_in_the_table(
    session: Session, nominatim: FakeNominatim
) -> None:
    """A second geocoder (no memory of the first) asks the table, not the server."""
    first = make_geocoder(nominatim.url, **FAST)
    assert first.geocode(session, "10 Palm Ave, Tampa") is not None
    assert first.geocode(session, "99 Nowhere Lane") is None
    session.flush()
    entries = session.scalars(select(GeocodeCacheEntry).order_by(GeocodeCacheEntry.id)).all()
    assert [(e.query, e.lat) for e in entries] == [
        ("10 palm ave, tampa", 27.9601),
        ("99 nowhere lane", None),
    ]
    assert entries[0].display_name == "10 Palm Ave, Tampa, Tampa, Florida, United States"
    assert entries[0].provider == f"nominatim:{nominatim.url.removeprefix('http://')}"

    second = make_geocoder(nominatim.url, **FAST)
    assert second.geocode(session, "10  PALM ave,   Tampa") == (27.9601, -82.4512)
    assert second.geocode(session, "99 Nowhere Lane") is None
    assert len(nominatim.requests) == 2 and second.requests == 0


def test_requests_are_spaced_by_the_rate_limit(session: Session, nominatim: FakeNominatim) -> None:
    """Nominatim's policy in small: requests arrive at least min_delay_s apart."""
    geocoder = make_geocoder(nominatim.url, min_delay_s=0.2, max_retries=0)
    for address in nominatim.places:
        geocoder.geocode(session, address)
    times = nominatim.arrival_times()
    assert len(times) == 4
    assert min(b - a for a, b in pairwise(times)) >= 0.2 - 0.01


def test_server_error_raises_and_is_not_cached(session: Session, nominatim: FakeNominatim) -> None:
    nominatim.failing.add("50 Broken Rd")
    geocoder = make_geocoder(nominatim.url, **FAST)
    with pytest.raises(GeocodingError, match="500"):
        geocoder.geocode(session, "50 Broken Rd")
    session.flush()
    assert session.scalars(select(GeocodeCacheEntry)).all() == []
    nominatim.failing.clear()
    nominatim.places["50 Broken Rd"] = (27.5, -82.5)
    assert geocoder.geocode(session, "50 Broken Rd") == (27.5, -82.5)


def test_server_errors_are_retried_after_a_wait(session: Session, nominatim: FakeNominatim) -> None:
    nominatim.failing.add("50 Broken Rd")
    geocoder = make_geocoder(nominatim.url, min_delay_s=0.0, max_retries=1, error_wait_s=0.1)
    with pytest.raises(GeocodingError):
        geocoder.geocode(session, "50 Broken Rd")
    first, second = nominatim.arrival_times()
    assert second - first >= 0.1 - 0.01


def test_unreachable_server_is_a_geocoding_error(session: Session) -> None:
    with FakeNominatim() as server:
        url = server.url
    geocoder = make_geocoder(url, **FAST)
    with pytest.raises(GeocodingError):
        geocoder.geocode(session, "10 Palm Ave, Tampa")


def test_request_budget_is_enforced_before_asking(
    session: Session, nominatim: FakeNominatim
) -> None:
    geocoder = make_geocoder(nominatim.url, max_requests=1, **FAST)
    geocoder.geocode(session, "10 Palm Ave, Tampa")
    with pytest.raises(GeocodingError, match="request budget of 1 spent"):
        geocoder.geocode(session, "20 Pine St, Tampa")
    assert len(nominatim.requests) == 1


def test_public_server_is_the_default_and_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """No request is made here: only the configuration is checked."""
    monkeypatch.delenv("ROUNDS_NOMINATIM_URL", raising=False)
    geocoder = make_geocoder()
    assert geocoder.provider == "nominatim:nominatim.openstreetmap.org"
    assert geocoder.max_requests == PUBLIC_SERVER_REQUEST_CAP


def test_url_from_the_environment_and_path_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUNDS_NOMINATIM_URL", "https://geo.example.org/nominatim/search")
    geocoder = make_geocoder()
    assert geocoder.provider == "nominatim:geo.example.org/nominatim"
    assert geocoder.max_requests is None


def test_trailing_slash_in_the_url_is_ignored(session: Session) -> None:
    with FakeNominatim(places={"1 A St": (1.0, 2.0)}) as server:
        geocoder = make_geocoder(server.url + "/", **FAST)
        assert geocoder.geocode(session, "1 A St") == (1.0, 2.0)
