"""Fixtures of the dashboard tests: the tiny company, users of every role, signed-in clients."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from crm.crews import Crew
from crm.importer import IMPORT_KINDS, import_csv
from crm.services import ensure_default_services
from crm.users import Role, User

TINY = Path(__file__).parent / "fixtures" / "tiny"
"""Two crews, three customers (one prospect), three sites, three agreements."""

PASSWORD = "password-1"


@pytest.fixture
def tiny_company(session: Session) -> dict[str, int]:
    """Import the tiny CSV company into the test database; returns crew ids by external id."""
    ensure_default_services(session)
    for kind in IMPORT_KINDS:
        report = import_csv(session, kind, TINY / f"{kind}.csv", no_geocode=True)
        assert not report.errors, [str(e) for e in report.errors]
    session.commit()
    return {c.external_id: c.id for c in session.scalars(select(Crew))}


@pytest.fixture
def users(add_user: Callable[..., User], tiny_company: dict[str, int]) -> dict[str, str]:
    """One user per role (the crew user belongs to crew C1); returns e-mails by role name."""
    add_user("owner@example.com", Role.OWNER, PASSWORD)
    add_user("dispatcher@example.com", Role.DISPATCHER, PASSWORD)
    add_user("crew1@example.com", Role.CREW, PASSWORD, crew_id=tiny_company["C1"])
    return {
        "owner": "owner@example.com",
        "dispatcher": "dispatcher@example.com",
        "crew": "crew1@example.com",
    }


@pytest.fixture
def signed_in(
    client: FlaskClient,
    users: dict[str, str],
    login: Callable[[FlaskClient, str, str], TestResponse],
) -> Callable[[str], FlaskClient]:
    """``signed_in("dispatcher")``: the test client, signed in as that role's user."""

    def sign_in(role: str) -> FlaskClient:
        response = login(client, users[role], PASSWORD)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in
