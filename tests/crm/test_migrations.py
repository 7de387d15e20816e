"""The migrations build exactly the models' schema, and go down and up again cleanly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import crm.models  # noqa: F401  (complete metadata)
from crm.db import Base, make_engine
from dashboard.migrate import (
    SchemaOutOfDateError,
    check_schema,
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_single_head_named_initial() -> None:
    """Nothing is released yet: one linear history whose first revision is 0001_initial."""
    assert head_revision() == "0001_initial"


def test_upgrade_creates_every_model_table(each_backend_url: str) -> None:
    """After ``upgrade head`` every table of ``Base.metadata`` exists and the revision is head."""
    upgrade_database(each_backend_url)
    assert current_revision(each_backend_url) == head_revision()
    assert set(Base.metadata.tables) <= _tables(each_backend_url)


def test_downgrade_to_base_then_upgrade_again(each_backend_url: str) -> None:
    """Down to base leaves only Alembic's table; up again restores the full schema."""
    upgrade_database(each_backend_url)
    downgrade_database(each_backend_url, "base")
    assert current_revision(each_backend_url) is None
    assert _tables(each_backend_url) <= {"alembic_version"}
    upgrade_database(each_backend_url)
    assert current_revision(each_backend_url) == head_revision()
    assert set(Base.metadata.tables) <= _tables(each_backend_url)


def test_migrations_match_the_models(each_backend_url: str) -> None:
    """Autogenerate finds nothing to do: whoever changes a model also writes its migration."""
    upgrade_database(each_backend_url)
    engine = make_engine(each_backend_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations differ; run `rounds db revision -m ...`: {diff}"


def test_check_schema_names_both_revisions_and_the_command(each_backend_url: str) -> None:
    """An unmigrated database fails the check with the command that fixes it."""
    engine = make_engine(each_backend_url)
    try:
        with engine.connect() as connection, pytest.raises(SchemaOutOfDateError) as caught:
            check_schema(connection)
    finally:
        engine.dispose()
    message = str(caught.value)
    assert message == (
        f"database at revision (empty), code expects {head_revision()}: run `rounds db upgrade`"
    )
