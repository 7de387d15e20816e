"""Shared fixtures: databases (SQLite by default, PostgreSQL with ``TEST_DATABASE_URL``), the app.

Every test that asks for ``database_url`` gets its own freshly migrated database. Migrating
costs a few hundred milliseconds, so the schema is built once per test run into a template
(an SQLite file that is copied, or a PostgreSQL template database) and cloned per test.

Set ``TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres`` to run everything on
PostgreSQL: each test then gets a uniquely named database created through that URL and
dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, make_url, select, text, update
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from crm.agreements import Agreement, AgreementStatus
from crm.crews import Crew
from crm.db import make_engine, make_session_factory
from crm.importer import IMPORT_KINDS, import_csv
from crm.services import ensure_default_services
from crm.users import Role, User
from dashboard import create_app
from dashboard.config import TestConfig
from dashboard.db import get_database
from dashboard.demo import load_demo
from dashboard.migrate import upgrade_database

POSTGRES_ENV = "TEST_DATABASE_URL"
POSTGRES_SKIP_REASON = "TEST_DATABASE_URL not set: PostgreSQL tests skipped"

TINY = Path(__file__).parent / "dashboard" / "fixtures" / "tiny"
"""Two crews (C1 ladder Mon-Fri 07:30-16:00, 30 min lunch; C2 mower and pool), three customers
(one prospect), three sites, three agreements."""


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Hash test passwords with a cheap PBKDF2 instead of scrypt (about 100 ms per hash).

    Verification reads the method from the stored hash, so checking stays correct; only
    hashes made during tests are weak, and they never leave the test databases.
    """
    from werkzeug.security import generate_password_hash

    import crm.users

    def fast(password: str, method: str = "pbkdf2:sha256:1000", salt_length: int = 16) -> str:
        return generate_password_hash(password, method=method, salt_length=salt_length)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crm.users, "generate_password_hash", fast)
        yield


# --- PostgreSQL helpers --------------------------------------------------------------------


def _pg_admin_engine(base_url: str) -> Engine:
    return make_engine(base_url, isolation_level="AUTOCOMMIT")


def _pg_url_for(base_url: str, name: str) -> str:
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def _pg_create(base_url: str, name: str, template: str | None = None) -> str:
    engine = _pg_admin_engine(base_url)
    try:
        with engine.connect() as connection:
            clause = f' TEMPLATE "{template}"' if template else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    finally:
        engine.dispose()
    return _pg_url_for(base_url, name)


def _pg_drop(base_url: str, name: str) -> None:
    engine = _pg_admin_engine(base_url)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def _unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database at the migration head, cloned by ``database_url`` (path or PG db name)."""
    base = os.environ.get(POSTGRES_ENV)
    if base:
        name = _unique_name("rounds_template")
        upgrade_database(_pg_create(base, name))
        yield name
        _pg_drop(base, name)
    else:
        path = tmp_path_factory.mktemp("template") / "rounds.sqlite3"
        upgrade_database(f"sqlite:///{path}")
        yield str(path)


# --- databases -----------------------------------------------------------------------------


@pytest.fixture
def database_url(_migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database at the migration head, for this test only.

    SQLite file under ``tmp_path`` by default; a new PostgreSQL database when
    ``TEST_DATABASE_URL`` is set (dropped after the test).
    """
    base = os.environ.get(POSTGRES_ENV)
    if base:
        name = _unique_name("rounds_test")
        yield _pg_create(base, name, template=_migrated_template)
        _pg_drop(base, name)
    else:
        path = tmp_path / "rounds.sqlite3"
        shutil.copyfile(_migrated_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database with no tables at all (same backend choice as ``database_url``)."""
    base = os.environ.get(POSTGRES_ENV)
    if base:
        name = _unique_name("rounds_empty")
        yield _pg_create(base, name)
        _pg_drop(base, name)
    else:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database; the test is skipped without ``TEST_DATABASE_URL``."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(POSTGRES_SKIP_REASON)
    name = _unique_name("rounds_pg")
    yield _pg_create(base, name)
    _pg_drop(base, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def each_backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on SQLite, then on PostgreSQL (skipped without ``TEST_DATABASE_URL``)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'backend.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on ``database_url`` (disposed after the test)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test database; the test may commit (the database is thrown away)."""
    with make_session_factory(engine)() as session:
        yield session


@pytest.fixture
def add_user(engine: Engine) -> Callable[..., User]:
    """``add_user(email, role=Role.DISPATCHER, password="password-1", crew_id=None)``.

    Commits the user in its own session and returns it (detached).
    """

    def add(
        email: str,
        role: Role | str = Role.DISPATCHER,
        password: str = "password-1",
        crew_id: int | None = None,
        name: str | None = None,
        active: bool = True,
    ) -> User:
        with make_session_factory(engine)() as db:
            user = User(
                email=email.lower(),
                name=name or email.split("@")[0],
                role=Role(role),
                crew_id=crew_id,
                active=active,
            )
            user.set_password(password)
            db.add(user)
            db.commit()
            return user

    return add


# --- companies -----------------------------------------------------------------------------


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
def sample_company(database_url: str) -> Iterator[Callable[..., sessionmaker[Session]]]:
    """``sample_company(active=25)`` loads the sample company and returns a session factory.

    With ``active``, only the first that many active agreements (by external id) stay active,
    the rest are paused: a week that plans in seconds. The engine is disposed after the test.
    """
    engine = make_engine(database_url)
    factory = make_session_factory(engine)

    def load(active: int | None = None) -> sessionmaker[Session]:
        with factory.begin() as session:
            load_demo(session)
            if active is not None:
                keep = session.scalars(
                    select(Agreement.id)
                    .where(Agreement.status == AgreementStatus.ACTIVE)
                    .order_by(Agreement.external_id)
                    .limit(active)
                ).all()
                session.execute(
                    update(Agreement)
                    .where(Agreement.id.not_in(keep))
                    .values(status=AgreementStatus.PAUSED)
                )
        return factory

    yield load
    engine.dispose()


# --- the app -------------------------------------------------------------------------------


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """``create_app(TestConfig(database_url))``: testing mode, CSRF off."""
    app = create_app(TestConfig(database_url))
    yield app
    get_database(app).engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Invokes ``rounds`` commands against ``app``: ``runner.invoke(args=["db", "current"])``."""
    return app.test_cli_runner()


@pytest.fixture
def login() -> Callable[[FlaskClient, str, str], TestResponse]:
    """``login(client, email, password)`` posts the sign-in form and returns the response."""

    def do_login(client: FlaskClient, email: str, password: str) -> TestResponse:
        return client.post("/login", data={"email": email, "password": password})

    return do_login
