"""The JSON API: who may read what, publishing with a token, JSON errors, the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.agreements import Agreement
from crm.users import ApiToken, User
from dashboard import create_app
from dashboard.api_tokens import create_token, hash_token, revoke_token
from dashboard.config import TestConfig
from dashboard.db import get_database
from dashboard.openapi import openapi_document
from scheduling.models import Notice, Plan, PlannedVisit, PlanStatus

WEEK = dt.date(2026, 11, 30)
TUESDAY, FRIDAY = WEEK + dt.timedelta(days=1), WEEK + dt.timedelta(days=4)
H = 3600


@pytest.fixture
def plans(session: Session, tiny_company: dict[str, int]) -> dict[str, int]:
    """A published plan (Blue Crew A1, A2 on Tuesday; Green Crew A3 on Friday) and a draft
    based on it that moves A3 to Thursday."""
    ids = {a.external_id: a.id for a in session.scalars(select(Agreement))}
    c1, c2 = tiny_company["C1"], tiny_company["C2"]

    def visits(a3_day: dt.date) -> list[PlannedVisit]:
        return [
            PlannedVisit(agreement_id=ids["A1"], date=TUESDAY, crew_id=c1, sequence=0,
                         arrival_s=8 * H, start_s=8 * H, end_s=9 * H, travel_s=600),
            PlannedVisit(agreement_id=ids["A2"], date=TUESDAY, crew_id=c1, sequence=1,
                         arrival_s=9 * H + 600, start_s=9 * H + 600, end_s=10 * H, travel_s=600),
            PlannedVisit(agreement_id=ids["A3"], date=a3_day, crew_id=c2, sequence=0,
                         arrival_s=8 * H, start_s=8 * H, end_s=9 * H, travel_s=900),
        ]

    published = Plan(week_start=WEEK, version=1, status=PlanStatus.PUBLISHED,
                     published_at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
                     kpis={"visits": 3}, params={"mode": "optimize"})
    published.visits = visits(FRIDAY)
    session.add(published)
    session.flush()
    draft = Plan(week_start=WEEK, version=2, status=PlanStatus.DRAFT, based_on_id=published.id,
                 kpis={"visits": 3})
    draft.visits = visits(WEEK + dt.timedelta(days=3))
    session.add(draft)
    session.commit()
    return {"published": published.id, "draft": draft.id, "C1": c1, "C2": c2}


@pytest.fixture
def token_for(session: Session, users: dict[str, str]) -> Callable[[str], str]:
    """``token_for("crew")``: a fresh API token of that role's user."""

    def make(role: str) -> str:
        _, token = create_token(session, users[role], f"{role} test")
        session.commit()
        return token

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _api_rules(app: Flask) -> list[tuple[str, str]]:
    """(method, OpenAPI-style path) of every /api route."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def _error(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.is_json, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["status"] == response.status_code
    assert body["error"]["message"]
    return body["error"]


# --- who may call --------------------------------------------------------------------------


def test_every_private_route_is_401_json_for_anonymous(app: Flask, client: FlaskClient) -> None:
    """Anonymous calls get a JSON 401 with a Bearer challenge on every route but health/docs."""
    public = {"/api/health", "/api/openapi.json"}
    checked = 0
    for method, path in _api_rules(app):
        if path in public:
            continue
        url = path.replace("{plan_id}", "1").replace("{crew_id}", "1")
        response = client.open(url, method=method)
        assert response.status_code == 401, (method, url)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        _error(response)
        checked += 1
    assert checked >= 6


def test_public_routes_need_no_sign_in(client: FlaskClient) -> None:
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/openapi.json").get_json()["openapi"] == "3.1.0"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer rnd_not-a-token",
                                    "Bearer not-even-the-prefix"])
def test_bad_authorization_headers_are_401(
    client: FlaskClient, plans: dict[str, int], header: str
) -> None:
    response = client.get("/api/plans", headers={"Authorization": header})
    assert response.status_code == 401
    _error(response)


def test_session_reads_work_but_session_posts_are_refused(
    signed_in: Callable[[str], FlaskClient], plans: dict[str, int]
) -> None:
    """The dashboard's session may read; a cookie alone never publishes (no CSRF exposure)."""
    client = signed_in("dispatcher")
    assert len(client.get("/api/plans").get_json()["plans"]) == 2
    response = client.post(f"/api/plans/{plans['draft']}/publish")
    assert response.status_code == 401
    assert "bearer token" in _error(response)["message"]


def test_revoked_token_is_refused(
    client: FlaskClient, session: Session, users: dict[str, str], plans: dict[str, int]
) -> None:
    row, token = create_token(session, users["dispatcher"], "to revoke")
    session.commit()
    assert client.get("/api/plans", headers=bearer(token)).status_code == 200
    revoke_token(session, row.id)
    session.commit()
    response = client.get("/api/plans", headers=bearer(token))
    assert response.status_code == 401 and "revoked" in _error(response)["message"]


def test_token_of_a_deactivated_user_is_refused(
    client: FlaskClient, session: Session, token_for: Callable[[str], str], users: dict[str, str]
) -> None:
    token = token_for("dispatcher")
    user = session.scalars(select(User).where(User.email == users["dispatcher"])).one()
    user.active = False
    session.commit()
    assert client.get("/api/crews", headers=bearer(token)).status_code == 401


def test_token_use_is_noted_and_only_the_hash_is_stored(
    client: FlaskClient, session: Session, token_for: Callable[[str], str]
) -> None:
    token = token_for("owner")
    assert client.get("/api/crews", headers=bearer(token)).status_code == 200
    session.expire_all()
    row = session.scalars(select(ApiToken)).one()
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert row.last_used_at is not None


# --- what each role reads ------------------------------------------------------------------


def test_office_token_reads_plans_with_kpis_and_filters(
    client: FlaskClient, plans: dict[str, int], token_for: Callable[[str], str]
) -> None:
    headers = bearer(token_for("dispatcher"))
    listed = client.get("/api/plans?week=2026-W49", headers=headers).get_json()["plans"]
    assert [p["id"] for p in listed] == [plans["draft"], plans["published"]]
    assert listed[0]["kpis"] == {"visits": 3}
    drafts = client.get("/api/plans?status=draft", headers=headers).get_json()["plans"]
    assert [p["id"] for p in drafts] == [plans["draft"]]
    assert client.get("/api/plans?week=2026-12-14", headers=headers).get_json()["plans"] == []
    detail = client.get(f"/api/plans/{plans['draft']}", headers=headers).get_json()["plan"]
    assert detail["based_on_id"] == plans["published"] and detail["unplaced"] == []


def test_office_reads_every_visit_and_crew(
    client: FlaskClient, plans: dict[str, int], token_for: Callable[[str], str]
) -> None:
    headers = bearer(token_for("owner"))
    visits = client.get(f"/api/plans/{plans['published']}/visits", headers=headers).get_json()
    assert [v["agreement"] for v in visits["visits"]] == ["A1", "A2", "A3"]
    first = visits["visits"][0]
    assert (first["start_s"], first["crew"], first["service"]) == (8 * H, "Blue Crew",
                                                                   "window_clean")
    assert first["site"]["address"].startswith("101 Palm Ave")
    tuesday = client.get(f"/api/plans/{plans['published']}/visits?date=2026-12-01&crew_id="
                         f"{plans['C1']}", headers=headers).get_json()["visits"]
    assert len(tuesday) == 2
    crews = client.get("/api/crews", headers=headers).get_json()["crews"]
    assert [c["name"] for c in crews] == ["Blue Crew", "Green Crew"]
    assert crews[0]["hourly_cost"] == "42.50"
    assert crews[0]["shifts"][0] == {"weekday": 0, "start": "07:30", "end": "16:00"}


def test_crew_token_reads_only_its_own_crew(
    client: FlaskClient, plans: dict[str, int], token_for: Callable[[str], str]
) -> None:
    """A crew sees published plans, its own visits and crew record; nothing of other crews."""
    headers = bearer(token_for("crew"))
    listed = client.get("/api/plans", headers=headers).get_json()["plans"]
    assert [p["id"] for p in listed] == [plans["published"]] and "kpis" not in listed[0]
    assert client.get(f"/api/plans/{plans['draft']}", headers=headers).status_code == 404
    assert client.get(f"/api/plans/{plans['draft']}/visits", headers=headers).status_code == 404
    visits = client.get(f"/api/plans/{plans['published']}/visits", headers=headers).get_json()
    assert {v["crew_id"] for v in visits["visits"]} == {plans["C1"]}
    other = client.get(f"/api/plans/{plans['published']}/visits?crew_id={plans['C2']}",
                       headers=headers)
    assert other.status_code == 403
    _error(other)
    crews = client.get("/api/crews", headers=headers).get_json()["crews"]
    assert [c["id"] for c in crews] == [plans["C1"]] and "hourly_cost" not in crews[0]
    assert client.get(f"/api/crews/{plans['C1']}", headers=headers).status_code == 200
    assert client.get(f"/api/crews/{plans['C2']}", headers=headers).status_code == 403
    assert client.post(f"/api/plans/{plans['draft']}/publish", headers=headers).status_code == 403


# --- publish -------------------------------------------------------------------------------


def test_publish_with_a_token_is_idempotent(
    client: FlaskClient, session: Session, plans: dict[str, int], token_for: Callable[[str], str]
) -> None:
    """The draft becomes published and the old plan superseded; publishing again is a no-op."""
    headers = bearer(token_for("dispatcher"))
    url = f"/api/plans/{plans['draft']}/publish"
    first = client.post(url, headers=headers)
    assert first.status_code == 200, first.get_data(as_text=True)
    body = first.get_json()
    assert body["plan"]["status"] == "published" and body["already_published"] is False
    assert body["changes"] == 1 and body["customers_affected"] == 1  # A3 moved to Thursday
    again = client.post(url, headers=headers, json={})
    assert again.status_code == 200 and again.get_json()["already_published"] is True
    session.expire_all()
    assert session.get(Plan, plans["published"]).status is PlanStatus.SUPERSEDED
    assert len(session.scalars(select(Notice)).all()) == 1
    superseded = client.post(f"/api/plans/{plans['published']}/publish", headers=headers)
    assert superseded.status_code == 409 and "superseded" in _error(superseded)["message"]


def test_publish_checks_lock_version(
    client: FlaskClient, plans: dict[str, int], token_for: Callable[[str], str]
) -> None:
    headers = bearer(token_for("owner"))
    url = f"/api/plans/{plans['draft']}/publish"
    stale = client.post(url, headers=headers, json={"lock_version": 99})
    assert stale.status_code == 409
    _error(stale)
    current = client.get(f"/api/plans/{plans['draft']}", headers=headers).get_json()["plan"]
    ok = client.post(url, headers=headers, json={"lock_version": current["lock_version"]})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('{"lock_version": "x"}', "application/json", 400),
        ("lock_version=1", "application/x-www-form-urlencoded", 415),
    ],
)
def test_publish_rejects_bad_bodies_as_json(
    client: FlaskClient, plans: dict[str, int], token_for: Callable[[str], str],
    data: str, content_type: str, status: int,
) -> None:
    response = client.post(f"/api/plans/{plans['draft']}/publish", data=data,
                           content_type=content_type, headers=bearer(token_for("owner")))
    assert response.status_code == status
    _error(response)


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/api/plans/99999", 404),
        ("GET", "/api/plans/99999/visits", 404),
        ("POST", "/api/plans/99999/publish", 404),
        ("GET", "/api/crews/99999", 404),
        ("GET", "/api/plans?week=someday", 400),
        ("GET", "/api/plans?status=final", 400),
        ("GET", "/api/plans/1/visits?crew_id=abc", 400),
        ("GET", "/api/plans/1/visits?date=31-12-2026", 400),
        ("GET", "/api/no-such-thing", 404),
        ("DELETE", "/api/plans/1", 405),
    ],
)
def test_errors_are_json(
    client: FlaskClient, plans: dict[str, int], token_for: Callable[[str], str],
    method: str, url: str, status: int,
) -> None:
    url = url.replace("/plans/1/", f"/plans/{plans['published']}/")
    response = client.open(url, method=method, headers=bearer(token_for("owner")))
    assert response.status_code == status, response.get_data(as_text=True)
    _error(response)


@pytest.fixture
def csrf_app(database_url: str) -> Iterator[Flask]:
    config = TestConfig(database_url)
    config.WTF_CSRF_ENABLED = True
    app = create_app(config)
    yield app
    get_database(app).engine.dispose()


def test_token_posts_need_no_csrf_token(
    csrf_app: Flask, plans: dict[str, int], token_for: Callable[[str], str]
) -> None:
    """With CSRF on, a token POST works (the API is exempt; cookies cannot publish)."""
    response = csrf_app.test_client().post(f"/api/plans/{plans['draft']}/publish",
                                           headers=bearer(token_for("dispatcher")))
    assert response.status_code == 200, response.get_data(as_text=True)


# --- OpenAPI -------------------------------------------------------------------------------


def test_openapi_describes_exactly_the_api_routes(app: Flask) -> None:
    """Every /api route is in the document with its method, and every documented one exists."""
    routes = {(m.lower(), p) for m, p in _api_rules(app)}
    documented = {
        (method, path)
        for path, item in openapi_document()["paths"].items()
        for method in item
    }
    assert routes == documented


def test_openapi_document_is_valid() -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(openapi_document())


# --- the command line ----------------------------------------------------------------------


def test_token_commands(
    runner: FlaskCliRunner, client: FlaskClient, users: dict[str, str], plans: dict[str, int]
) -> None:
    """create prints the token once (it works), list shows it, revoke ends it."""
    created = runner.invoke(args=["token", "create", "--user", "Dispatcher@Example.com",
                                  "--name", "sync"])
    assert created.exit_code == 0, created.output
    token = created.output.splitlines()[0]
    assert token.startswith("rnd_")
    assert client.get("/api/plans", headers=bearer(token)).status_code == 200
    listed = runner.invoke(args=["token", "list"])
    assert "dispatcher@example.com" in listed.output and "active" in listed.output
    token_id = listed.output.split()[0]
    assert runner.invoke(args=["token", "revoke", token_id]).exit_code == 0
    assert client.get("/api/plans", headers=bearer(token)).status_code == 401
    assert "revoked" in runner.invoke(args=["token", "list"]).output


def test_token_create_for_unknown_user_fails_in_one_line(
    runner: FlaskCliRunner, users: dict[str, str]
) -> None:
    result = runner.invoke(args=["token", "create", "--user", "nobody@example.com", "--name", "x"])
    assert result.exit_code != 0 and "no user with e-mail" in result.output
    assert "Traceback" not in result.output
    assert runner.invoke(args=["token", "revoke", "12345"]).exit_code != 0
