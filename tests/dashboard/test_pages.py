"""The first pages: customer list (search, status, paging, counts) and crews."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from crm.customers import Customer


def _text(html: str) -> str:
    """Visible text with tags stripped and whitespace collapsed, for readable asserts."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_customer_list_shows_status_and_counts(signed_in: Callable[[str], FlaskClient]) -> None:
    """Each row: name, id, status, sites and agreements (Bayview has 2 sites, 2 agreements)."""
    page = _text(signed_in("dispatcher").get("/customers").get_data(as_text=True))
    assert "Alice Anders CU1 active" in page
    assert "Bayview Dental CU2 active office@bayview.example.com 813-555-0102 2 2" in page
    assert "Carlos Cruz CU3 prospect 0 0" in page
    assert "1–3 of 3" in page


def test_customer_search_by_name(signed_in: Callable[[str], FlaskClient]) -> None:
    """Search matches part of the name, in any case."""
    page = signed_in("dispatcher").get("/customers?q=bAyV").get_data(as_text=True)
    assert "Bayview Dental" in page and "Alice Anders" not in page


def test_customer_search_treats_wildcards_literally(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    """``%`` is a character to look for, not "anything"."""
    page = signed_in("dispatcher").get("/customers?q=%25").get_data(as_text=True)
    assert "No customers match" in page


def test_customer_status_filter(signed_in: Callable[[str], FlaskClient]) -> None:
    """The status filter keeps only prospects."""
    page = signed_in("dispatcher").get("/customers?status=prospect").get_data(as_text=True)
    assert "Carlos Cruz" in page and "Alice Anders" not in page


def test_customer_paging(app: Flask, signed_in: Callable[[str], FlaskClient]) -> None:
    """Two per page: page 2 holds the third customer; out-of-range pages clamp to the last."""
    app.config["CUSTOMERS_PER_PAGE"] = 2
    client = signed_in("dispatcher")
    first = _text(client.get("/customers").get_data(as_text=True))
    assert "Page 1 of 2" in first and "Carlos Cruz" not in first
    second = _text(client.get("/customers?page=2").get_data(as_text=True))
    assert "Carlos Cruz" in second and "3–3 of 3" in second
    assert "Carlos Cruz" in client.get("/customers?page=99").get_data(as_text=True)


def test_paging_keeps_the_search(
    app: Flask, session: Session, signed_in: Callable[[str], FlaskClient]
) -> None:
    """The next-page link carries the search and the status filter."""
    session.add_all(Customer(external_id=f"Z{i}", name=f"Zed {i}") for i in range(3))
    session.commit()
    app.config["CUSTOMERS_PER_PAGE"] = 2
    page = signed_in("dispatcher").get("/customers?q=zed&status=active").get_data(as_text=True)
    assert 'href="/customers?page=2&amp;q=zed&amp;status=active"' in page


def test_empty_customer_list_explains_import(
    client: FlaskClient, add_user: Callable[..., object]
) -> None:
    """With no customers the page says how to get some."""
    add_user("d@example.com", password="password-1")
    client.post("/login", data={"email": "d@example.com", "password": "password-1"})
    page = client.get("/customers").get_data(as_text=True)
    assert "No customers yet" in page and "rounds import customers" in page


def test_crews_page(signed_in: Callable[[str], FlaskClient]) -> None:
    """Crews show colour, skills, shifts in CSV notation, lunch, depot and cost."""
    html = signed_in("dispatcher").get("/crews").get_data(as_text=True)
    assert "--swatch: #4C78A8" in html
    page = _text(html)
    assert "Blue Crew C1 ladder water fed pole Mon-Fri 07:30-16:00 30 min, 11:30–13:30" in page
    assert "Mon-Fri 07:00-15:30; Sat 08:00-12:00" in page
    assert "Tampa 27.9506, -82.4572 42.50" in page


def test_crew_page_lists_its_round(
    signed_in: Callable[[str], FlaskClient], tiny_company: dict[str, int]
) -> None:
    """A crew's page lists the agreements it does today, with days and windows."""
    page = _text(signed_in("crew").get(f"/crews/{tiny_company['C1']}").get_data(as_text=True))
    assert "Current round (2 agreements)" in page
    assert "101 Palm Ave, Tampa, FL 33602 Window cleaning Tue 08:00–12:00 90" in page
    assert "My round" in page


def test_pages_load_nothing_from_other_sites(signed_in: Callable[[str], FlaskClient]) -> None:
    """No CDN: every script, stylesheet and image is served by the app."""
    client = signed_in("owner")
    for path in ("/login", "/customers", "/crews", "/admin/users"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', html), path
