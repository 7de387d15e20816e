"""Alembic environment for Rounds: the target metadata is every table of every package.

This module sits at the top of the import chain: :func:`dashboard.migrate.target_metadata`
imports ``crm.models`` and ``scheduling.models`` so that the metadata is complete.
It is run by :mod:`dashboard.migrate`, which hands over an open connection; running
``alembic`` by hand with ``-x url=...`` (or ``sqlalchemy.url``) works as well.
"""

from __future__ import annotations

from alembic import context

from crm.db import make_engine
from dashboard.migrate import target_metadata as all_tables

config = context.config
target_metadata = all_tables()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``--sql``) instead of connecting."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
