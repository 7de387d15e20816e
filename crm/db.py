"""The one SQLAlchemy ``Base`` of Rounds, column types reused across packages, engines and sessions.

``crm`` is the system of record, so it owns the declarative base; ``scheduling`` puts its
operational tables on the same base (string foreign keys keep imports one-way).
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    Enum,
    MetaData,
    Numeric,
    create_engine,
    event,
    func,
)
from sqlalchemy.orm import DeclarativeBase, mapped_column, sessionmaker

#: Where the embedded SQLite database lives unless ``DATABASE_URL`` says otherwise.
INSTANCE_DIR = Path(os.environ.get("ROUNDS_INSTANCE_DIR", Path.cwd() / "instance"))


def default_database_url() -> str:
    """``DATABASE_URL`` if set, else an SQLite file under ``instance/``."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'rounds.sqlite3'}"


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[
    dt.datetime, mapped_column(DateTime(timezone=True), server_default=func.now())
]
Money = Decimal


def enum_column(enum_cls: type[enum.Enum], **kwargs: Any):
    """A portable enum column: stored as its lower-case value in a VARCHAR with a CHECK.

    Native PostgreSQL enums would need their own migrations for every new member.
    """
    return mapped_column(
        Enum(
            enum_cls,
            native_enum=False,
            length=20,
            values_callable=lambda cls: [m.value for m in cls],
            validate_strings=True,
        ),
        **kwargs,
    )


#: Deterministic constraint names, so that migrations (SQLite batch mode included) can refer
#: to a unique or foreign key constraint by name later on.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table; money is ``Numeric(12, 2)``, lists are JSON."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    type_annotation_map = {
        Decimal: Numeric(12, 2),
        list[str]: JSON,
        list[int]: JSON,
        list[list[int]]: JSON,
        dict[str, Any]: JSON,
    }


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, enforced foreign keys, durable commits, a busy timeout."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (default: :func:`default_database_url`).

    SQLite gets its pragmas on every connection and its parent folder is created.
    ``postgresql://`` URLs are routed to psycopg 3.
    """
    url = url or default_database_url()
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker:
    """Sessions that keep loaded objects usable after commit (views render after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
