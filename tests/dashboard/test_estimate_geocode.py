"""A new estimate's site found from its address alone, over HTTP to a fake Nominatim."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.customers import Customer, GeocodeStatus, Site
from crm.estimates import Estimate
from crm.geocache import GeocodeCacheEntry
from dashboard.estimate_views import ADDRESS_NOT_FOUND
from tests.crm.fake_nominatim import FakeNominatim

Client = Callable[[str], FlaskClient]
KNOWN = "5 Hyde Park Ave, Tampa"


@pytest.fixture
def nominatim(app: Flask) -> Iterator[FakeNominatim]:
    """A fake Nominatim that knows one address; the app's ``GEOCODER_URL`` points to it."""
    with FakeNominatim(places={KNOWN: (27.938, -82.474)}) as server:
        app.config["GEOCODER_URL"] = server.url
        yield server


def _customer(session: Session, name: str) -> Customer:
    return session.scalars(select(Customer).where(Customer.name == name)).one()


def _post(client: FlaskClient, customer: Customer, address: str, **fields: str) -> str:
    data = {"customer_id": str(customer.id), "site_id": "new", "address": address,
            "notes": "Front and back lawn", **fields}
    response = client.post("/estimates/new", data=data)
    return response.get_data(as_text=True) if response.status_code == 200 else ""


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_address_alone_is_geocoded(signed_in: Client, session: Session,
                                   nominatim: FakeNominatim) -> None:
    client = signed_in("dispatcher")
    carlos = _customer(session, "Carlos Cruz")
    response = client.post("/estimates/new", data={
        "customer_id": carlos.id, "site_id": "new", "address": KNOWN, "lat": "", "lon": ""})
    assert response.status_code == 302
    session.expire_all()
    estimate = session.scalars(select(Estimate).where(Estimate.customer_id == carlos.id)).one()
    site = session.get(Site, estimate.site_id)
    assert site is not None and (site.lat, site.lon) == (27.938, -82.474)
    assert site.geocode_status is GeocodeStatus.GEOCODED
    assert nominatim.queries() == [KNOWN]


def test_coordinates_typed_are_used_without_asking(signed_in: Client, session: Session,
                                                  nominatim: FakeNominatim) -> None:
    client = signed_in("dispatcher")
    carlos = _customer(session, "Carlos Cruz")
    assert _post(client, carlos, "1 Unknown Way", lat="27.5", lon="-82.5") == ""
    site = session.scalars(select(Site).where(Site.address == "1 Unknown Way")).one()
    assert (site.lat, site.lon, site.geocode_status) == (27.5, -82.5, GeocodeStatus.PROVIDED)
    assert nominatim.queries() == []


@pytest.mark.parametrize("trouble", ["unknown", "server error", "offline"])
def test_unfound_address_shows_the_error_and_saves_nothing(
    signed_in: Client, session: Session, nominatim: FakeNominatim, app: Flask, trouble: str
) -> None:
    client = signed_in("dispatcher")
    carlos = _customer(session, "Carlos Cruz")
    address = "12 Nowhere Lane, Tampa"
    if trouble == "server error":
        nominatim.failing.add(address)
    elif trouble == "offline":
        app.config["GEOCODER_URL"] = "http://127.0.0.1:9"  # nothing listens there
    sites, estimates = _count(session, Site), _count(session, Estimate)

    html = _post(client, carlos, address)
    assert html, "the form is shown again, not a redirect"
    error = re.search(r'<p class="field-error" id="address-error">([^<]*)</p>', html)
    assert error is not None and error.group(1) == ADDRESS_NOT_FOUND
    assert f'name="address" id="address" value="{address}"' in html
    assert "Front and back lawn</textarea>" in html
    assert re.search(r'value="new"\s+checked', html)
    assert (_count(session, Site), _count(session, Estimate)) == (sites, estimates)
    assert _count(session, GeocodeCacheEntry) == 0
    if trouble != "offline":
        assert nominatim.queries() == [address]


def test_second_estimate_at_the_same_address_uses_the_cache(
    signed_in: Client, session: Session, nominatim: FakeNominatim
) -> None:
    client = signed_in("dispatcher")
    carlos, other = _customer(session, "Carlos Cruz"), _customer(session, "Alice Anders")
    assert _post(client, carlos, KNOWN) == ""
    assert _post(client, other, "5  hyde park AVE,  Tampa") == ""
    assert nominatim.queries() == [KNOWN]
    assert _count(session, GeocodeCacheEntry) == 1
    session.expire_all()
    points = session.execute(
        select(Site.lat, Site.lon).where(Site.customer_id.in_([carlos.id, other.id]),
                                         Site.geocode_status == GeocodeStatus.GEOCODED)
    ).all()
    assert [tuple(p) for p in points] == [(27.938, -82.474)] * 2


def test_new_form_offers_coordinates_as_a_fallback(signed_in: Client, session: Session) -> None:
    client = signed_in("dispatcher")
    carlos = _customer(session, "Carlos Cruz")
    html = client.get(f"/estimates/new?customer_id={carlos.id}").get_data(as_text=True)
    assert 'name="address" id="address" value=""' in html
    assert "Or enter coordinates" in html and 'aria-label="Latitude (optional)"' in html
    assert "field-error" not in html
