"""One database session per request (the flaskr pattern over ``crm.db``'s session factory).

The session is created on first use and kept on :data:`flask.g`. Views commit explicitly;
the teardown never commits, it only closes the session, which rolls back whatever a view
left uncommitted (after an exception, for instance).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from crm.db import make_engine, make_session_factory

EXTENSION_KEY = "rounds.db"


@dataclass
class Database:
    """The app's engine and session factory, kept in ``app.extensions``."""

    engine: Engine
    session_factory: sessionmaker[Session]


def init_app(app: Flask) -> Database:
    """Create the engine for ``app.config["DATABASE_URL"]`` and register the teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    database = Database(engine=engine, session_factory=make_session_factory(engine))
    app.extensions[EXTENSION_KEY] = database
    app.teardown_appcontext(close_session)
    return database


def get_database(app: Flask | None = None) -> Database:
    """The :class:`Database` of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION_KEY]  # type: ignore[no-any-return]


def get_session() -> Session:
    """The request's (or app context's) session, opened on first use."""
    if "db_session" not in g:
        g.db_session = get_database().session_factory()
    return g.db_session  # type: ignore[no-any-return]


def close_session(_exc: BaseException | None = None) -> None:
    """Close the context's session; uncommitted work is rolled back, nothing is committed."""
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
