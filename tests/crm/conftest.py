"""Fixtures of the crm tests: fresh databases, the baseline company, a fake Nominatim.

Each test gets its own SQLite file with every table created from the models (no migrations:
these are unit tests of crm). With ``TEST_DATABASE_URL`` set (a PostgreSQL server), each
fresh database is instead a throwaway schema there, dropped at the end of the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

import crm.models  # noqa: F401 - every table on Base.metadata
import scheduling.models  # noqa: F401 - billing links completions to planned visits
from crm.db import Base, make_engine, make_session_factory
from tests.crm.fake_nominatim import FakeNominatim
from tests.crm.import_helpers import import_all, write_baseline

SessionMaker = Callable[[], Session]


@pytest.fixture
def new_session(tmp_path: Path) -> Iterator[SessionMaker]:
    """Call it to get a Session on a new, empty database (as many as a test needs)."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    opened: list[tuple[Session, Engine, str | None]] = []

    def make() -> Session:
        schema = None
        if server_url:
            schema = f"crm_test_{uuid.uuid4().hex[:12]}"
            admin = make_engine(server_url)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            admin.dispose()
            engine = make_engine(server_url, connect_args={"options": f"-csearch_path={schema}"})
        else:
            engine = make_engine(f"sqlite:///{tmp_path / f'crm{len(opened)}.sqlite3'}")
        Base.metadata.create_all(engine)
        session = make_session_factory(engine)()
        opened.append((session, engine, schema))
        return session

    yield make
    for session, engine, schema in opened:
        session.close()
        engine.dispose()
        if schema:
            admin = make_engine(server_url)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


@pytest.fixture
def session(new_session: SessionMaker) -> Session:
    """A Session on a fresh database with every table and no rows."""
    return new_session()


@pytest.fixture
def baseline_paths(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "baseline"
    folder.mkdir()
    return write_baseline(folder)


@pytest.fixture
def seeded(session: Session, baseline_paths: dict[str, Path]) -> Session:
    """``session`` with the baseline company imported (flushed, not committed)."""
    import_all(session, baseline_paths, no_geocode=True)
    return session


@pytest.fixture
def nominatim() -> Iterator[FakeNominatim]:
    """A running fake Nominatim with a few known addresses; tests add more or failing ones."""
    with FakeNominatim(
        places={
            "10 Palm Ave, Tampa": (27.9601, -82.4512),
            "20 Pine St, Tampa": (28.0102, -82.4803),
            "30 Elm Rd, Tampa": (27.9003, -82.5104),
            "40 Ash Ct, Tampa": (27.9804, -82.3905),
        }
    ) as server:
        yield server
