"""Fixtures of the dashboard tests: users of every role, signed-in clients, and for the
browser tests the app served in a thread and Chromium pages.

The tiny and sample companies are in ``tests/conftest.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from crm.users import Role, User
from dashboard import create_app
from dashboard.config import TestConfig
from dashboard.db import get_database
from tests.dashboard.browser import CHROMIUM, CHROMIUM_ARGS

PASSWORD = "password-1"


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


# --- browser tests -------------------------------------------------------------------------


@pytest.fixture
def serve_app(database_url: str) -> Iterator[Callable[..., str]]:
    """``serve_app(SETTING=value, ...)``: the app on ``database_url`` with CSRF on (and those
    config settings), served on 127.0.0.1 in a thread; returns its base URL.

    Stopped after the test, its pooled connections closed before the database goes.
    """
    served: list[tuple[Any, threading.Thread, Any]] = []

    def serve(**settings: Any) -> str:
        config = TestConfig(database_url)
        config.WTF_CSRF_ENABLED = True
        for name, value in settings.items():
            setattr(config, name, value)
        app = create_app(config)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        served.append((server, thread, app))
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server, thread, app in served:
        server.shutdown()
        thread.join(timeout=10)
        get_database(app).engine.dispose()


@pytest.fixture
def open_page() -> Iterator[Callable[..., Any]]:
    """``open_page(base_url, width=1280, height=860)``: a page of a fresh browser context.

    The test is skipped, with the reason, where Chromium or Playwright is missing. Ask for
    this fixture before a costly served-app fixture so a skipped test does not plan first.
    """
    if CHROMIUM is None:
        pytest.skip("chromium not installed: browser tests skipped (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts: list[Any] = []

        def open_(base_url: str, width: int = 1280, height: int = 860) -> Any:
            context = browser.new_context(
                base_url=base_url, viewport={"width": width, "height": height}
            )
            contexts.append(context)
            return context.new_page()

        yield open_
        for context in contexts:
            context.close()
        browser.close()


@pytest.fixture
def demo_page(
    open_page: Callable[..., Any],
    sample_company: Callable[..., Any],
    serve_app: Callable[..., str],
) -> Any:
    """A browser page on the served app holding the whole sample company, signed out."""
    sample_company()
    return open_page(serve_app(), height=900)
