"""The app factory: schema check, configuration, request sessions and error responses."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.customers import Customer
from dashboard import SchemaOutOfDateError, create_app
from dashboard.config import Config, TestConfig, load_or_create_secret_key
from dashboard.db import get_database, get_session
from dashboard.migrate import downgrade_database, head_revision


def test_refuses_a_database_that_is_behind(empty_database_url: str) -> None:
    """An unmigrated database stops the app with both revisions and the fixing command."""
    with pytest.raises(SchemaOutOfDateError) as caught:
        create_app(TestConfig(empty_database_url))
    assert str(caught.value) == (
        f"database at revision (empty), code expects {head_revision()}: run `rounds db upgrade`"
    )


def test_refuses_a_downgraded_database(database_url: str) -> None:
    """A database taken back below head is refused as well."""
    downgrade_database(database_url, "base")
    with pytest.raises(SchemaOutOfDateError, match="rounds db upgrade"):
        create_app(TestConfig(database_url))


def test_schema_check_can_be_deferred_for_the_command_line(empty_database_url: str) -> None:
    """``rounds db upgrade`` needs an app on a database that is behind."""
    app = create_app(TestConfig(empty_database_url), check_schema_on_start=False)
    get_database(app).engine.dispose()


def test_config_reads_the_environment_when_created(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from the environment at creation time, with documented defaults."""
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.sqlite3")
    monkeypatch.delenv("TIMEZONE", raising=False)
    monkeypatch.setenv("SOLVER_TIME_LIMIT_S", "12")
    config = Config()
    assert config.DATABASE_URL == "sqlite:///elsewhere.sqlite3"
    assert config.TIMEZONE == "America/New_York"
    assert config.SOLVER_TIME_LIMIT_S == 12


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    """Without SECRET_KEY a random key is stored (mode 0600) and reused after a restart."""
    key = load_or_create_secret_key(tmp_path / "instance")
    assert len(key) == 64
    assert load_or_create_secret_key(tmp_path / "instance") == key
    mode = stat.S_IMODE(os.stat(tmp_path / "instance" / "secret_key").st_mode)
    assert mode == 0o600


def test_mapping_config_overrides_the_environment(database_url: str) -> None:
    """A mapping is applied on top of ``Config`` (handy for one-off settings)."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "TIMEZONE": "UTC"})
    assert app.config["TIMEZONE"] == "UTC"
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    get_database(app).engine.dispose()


def test_request_session_is_shared_and_never_commits(app: Flask, session: Session) -> None:
    """One session per context; what a view does not commit is rolled back at teardown."""
    with app.app_context():
        db = get_session()
        assert get_session() is db
        db.add(Customer(external_id="UNSAVED", name="Not committed"))
        db.flush()
    assert session.scalar(select(func.count()).select_from(Customer)) == 0


def test_health_reports_the_revision(client: FlaskClient) -> None:
    """``/api/health`` needs no sign-in and says whether the schema is current."""
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "revision": head_revision(),
        "expected_revision": head_revision(),
    }


def test_api_errors_are_json(client: FlaskClient) -> None:
    """An unknown API path answers with the JSON error shape, not an HTML page."""
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.json is not None
    assert response.json["error"]["status"] == 404


def test_page_errors_are_html(client: FlaskClient) -> None:
    """An unknown page answers with the HTML error page."""
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Not Found" in response.get_data(as_text=True)


def test_api_needs_sign_in_as_json(app: Flask, client: FlaskClient) -> None:
    """Protected API endpoints answer 401 JSON instead of redirecting to the sign-in page."""
    from flask_login import login_required

    @app.get("/api/secret")
    @login_required
    def secret() -> str:  # pragma: no cover - never reached
        return "secret"

    response = client.get("/api/secret")
    assert response.status_code == 401
    assert response.json == {"error": {"status": 401, "message": "sign in first"}}


def test_pages_need_sign_in(client: FlaskClient) -> None:
    """A page redirects anonymous visitors to the sign-in page, remembering where they were."""
    response = client.get("/customers?q=ann")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_stylesheet_is_served_locally(client: FlaskClient) -> None:
    """The stylesheet comes from the app itself: the dashboard works without internet."""
    response = client.get("/static/rounds.css")
    assert response.status_code == 200
    assert "--brand" in response.get_data(as_text=True)
    response.close()


def test_a_trailing_slash_finds_the_page(signed_in) -> None:  # type: ignore[no-untyped-def]
    """``/plans/`` typed or bookmarked answers like ``/plans``."""
    client = signed_in("dispatcher")
    assert client.get("/plans/").status_code == 200
    assert client.get("/customers/").status_code == 200
