"""Signing in and out, the failed-attempt limit, CSRF, and what each role may open."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from crm.users import User
from dashboard import create_app
from dashboard.config import TestConfig
from dashboard.db import get_database
from dashboard.errors import CSRF_MESSAGE
from tests.dashboard.conftest import PASSWORD

Login = Callable[[FlaskClient, str, str], TestResponse]


def test_login_page_renders(client: FlaskClient) -> None:
    """The sign-in page has the form and the local stylesheet."""
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page
    assert "/static/rounds.css" in page


def test_dispatcher_lands_on_plans(
    client: FlaskClient, users: dict[str, str], login: Login
) -> None:
    """A good password signs in and sends the office to the week's plans."""
    response = login(client, users["dispatcher"], PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/plans"
    assert client.get("/plans").status_code == 200


def test_crew_lands_on_its_own_page(
    client: FlaskClient, users: dict[str, str], tiny_company: dict[str, int], login: Login
) -> None:
    """A crew user is sent to its crew's page."""
    response = login(client, users["crew"], PASSWORD)
    assert response.headers["Location"] == f"/crews/{tiny_company['C1']}"


def test_email_is_case_insensitive(
    client: FlaskClient, users: dict[str, str], login: Login
) -> None:
    """People type their e-mail in any case."""
    assert login(client, users["owner"].upper(), PASSWORD).status_code == 302


@pytest.mark.parametrize("email", ["dispatcher@example.com", "nobody@example.com"])
def test_bad_credentials_get_one_message(
    client: FlaskClient, users: dict[str, str], login: Login, email: str
) -> None:
    """Wrong password and unknown e-mail look the same (no account discovery)."""
    response = login(client, email, "wrong-password")
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    assert client.get("/customers").status_code == 302


def test_inactive_user_cannot_sign_in(
    client: FlaskClient, add_user: Callable[..., User], login: Login
) -> None:
    """A deactivated account is refused even with the right password."""
    add_user("gone@example.com", password=PASSWORD, active=False)
    assert login(client, "gone@example.com", PASSWORD).status_code == 401


def test_sixth_failure_is_refused_with_a_clear_message(
    client: FlaskClient, users: dict[str, str], login: Login
) -> None:
    """After 5 failures for one e-mail and address even the right password waits."""
    for _ in range(5):
        assert login(client, users["dispatcher"], "wrong").status_code == 401
    response = login(client, users["dispatcher"], PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins for this e-mail. Try again in 5 minutes." in (
        response.get_data(as_text=True)
    )


def test_limit_is_per_email_and_address(
    client: FlaskClient, users: dict[str, str], login: Login
) -> None:
    """Failures for one e-mail do not lock out another, nor the same e-mail from elsewhere."""
    for _ in range(5):
        login(client, users["dispatcher"], "wrong")
    assert login(client, users["owner"], PASSWORD).status_code == 302
    other = client.application.test_client()
    response = other.post(
        "/login",
        data={"email": users["dispatcher"], "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 302


def test_success_resets_the_failure_count(
    client: FlaskClient, users: dict[str, str], login: Login
) -> None:
    """Four failures, a success, then four more failures: still allowed."""
    for _ in range(4):
        login(client, users["dispatcher"], "wrong")
    assert login(client, users["dispatcher"], PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(4):
        login(client, users["dispatcher"], "wrong")
    assert login(client, users["dispatcher"], PASSWORD).status_code == 302


def test_next_only_goes_to_this_site(client: FlaskClient, users: dict[str, str]) -> None:
    """``next`` is followed for local paths and ignored for other sites."""
    data = {"email": users["dispatcher"], "password": PASSWORD}
    response = client.post("/login?next=/crews", data=data)
    assert response.headers["Location"] == "/crews"
    client.post("/logout")
    response = client.post("/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/plans"


def test_session_cookie_is_httponly_and_lax(
    client: FlaskClient, users: dict[str, str], login: Login
) -> None:
    """The session cookie cannot be read by scripts nor sent by cross-site POSTs."""
    response = login(client, users["dispatcher"], PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_is_a_post(client: FlaskClient, users: dict[str, str], login: Login) -> None:
    """Signing out needs a POST (a link or image elsewhere cannot sign you out)."""
    login(client, users["dispatcher"], PASSWORD)
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.headers["Location"] == "/login"
    assert client.get("/customers").status_code == 302


def test_password_change_ends_other_sessions(
    client: FlaskClient, users: dict[str, str], login: Login, session: Session
) -> None:
    """A session signed in before a password change is signed out by it."""
    login(client, users["dispatcher"], PASSWORD)
    user = session.scalars(select(User).where(User.email == users["dispatcher"])).one()
    user.set_password("a-new-password")
    session.commit()
    assert client.get("/customers").status_code == 302


# --- CSRF ----------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(database_url: str, users: dict[str, str]) -> Iterator[FlaskClient]:
    """A client of an app with CSRF protection on, as in production."""
    config = TestConfig(database_url)
    config.WTF_CSRF_ENABLED = True
    app = create_app(config)
    yield app.test_client()
    get_database(app).engine.dispose()


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "no CSRF token in the form"
    return match.group(1)


def test_login_without_csrf_token_is_rejected(
    csrf_client: FlaskClient, users: dict[str, str]
) -> None:
    """A form post without the token is refused with an explanation."""
    response = csrf_client.post("/login", data={"email": users["owner"], "password": PASSWORD})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)


def test_login_with_csrf_token_works(csrf_client: FlaskClient, users: dict[str, str]) -> None:
    """The token from the rendered form is accepted; logout needs one too."""
    token = _token(csrf_client.get("/login").get_data(as_text=True))
    data = {"email": users["owner"], "password": PASSWORD, "csrf_token": token}
    assert csrf_client.post("/login", data=data).status_code == 302
    page = csrf_client.get("/customers").get_data(as_text=True)
    assert csrf_client.post("/logout").status_code == 400
    assert csrf_client.post("/logout", data={"csrf_token": _token(page)}).status_code == 302
    assert csrf_client.get("/customers").status_code == 302


# --- roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("owner", "/customers", 200),
        ("owner", "/crews", 200),
        ("owner", "/admin/users", 200),
        ("dispatcher", "/customers", 200),
        ("dispatcher", "/crews", 200),
        ("dispatcher", "/admin/users", 403),
        ("crew", "/customers", 403),
        ("crew", "/crews", 403),
        ("crew", "/admin/users", 403),
    ],
)
def test_role_access(
    signed_in: Callable[[str], FlaskClient], role: str, path: str, status: int
) -> None:
    """Owner: everything; dispatcher: no user admin; crew: none of the office pages."""
    assert signed_in(role).get(path).status_code == status


def test_crew_sees_only_its_own_crew(
    signed_in: Callable[[str], FlaskClient], tiny_company: dict[str, int]
) -> None:
    """A crew user opens its crew's page, not another crew's."""
    client = signed_in("crew")
    assert client.get(f"/crews/{tiny_company['C1']}").status_code == 200
    assert client.get(f"/crews/{tiny_company['C2']}").status_code == 403


def test_dispatcher_sees_every_crew(
    signed_in: Callable[[str], FlaskClient], tiny_company: dict[str, int]
) -> None:
    """The office opens any crew; an unknown crew is a 404."""
    client = signed_in("dispatcher")
    assert client.get(f"/crews/{tiny_company['C2']}").status_code == 200
    assert client.get("/crews/99999").status_code == 404


def test_nav_follows_the_role(signed_in: Callable[[str], FlaskClient]) -> None:
    """Owners see the Users link; dispatchers do not."""
    assert "/admin/users" not in signed_in("dispatcher").get("/customers").get_data(as_text=True)


def test_owner_nav_has_users(signed_in: Callable[[str], FlaskClient], app: Flask) -> None:
    assert "/admin/users" in signed_in("owner").get("/customers").get_data(as_text=True)


def test_crew_account_without_crew_gets_an_explanation(
    client: FlaskClient, add_user: Callable[..., User], login: Login
) -> None:
    """A crew login not linked to a crew lands on a page saying how to link it."""
    add_user("loose@example.com", "crew", PASSWORD)
    response = login(client, "loose@example.com", PASSWORD)
    assert response.headers["Location"] == "/no-crew"
    assert "not linked to a crew" in client.get("/no-crew").get_data(as_text=True)
