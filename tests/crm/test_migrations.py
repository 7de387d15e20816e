"""The migrations build exactly the models' schema, and go down and up again cleanly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from crm.db import make_engine
from dashboard.migrate import (
    SchemaOutOfDateError,
    alembic_config,
    check_schema,
    current_revision,
    downgrade_database,
    head_revision,
    new_revision,
    target_metadata,
    upgrade_database,
)


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _history() -> list[str]:
    """Revision ids from the first to the head."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, "the history must stay linear"
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_single_head_named_initial() -> None:
    """One linear history: 0001_initial, 0002_billing, 0003_crm, then later revisions."""
    history = _history()
    assert history[:3] == ["0001_initial", "0002_billing", "0003_crm"]
    assert history[-1] == head_revision()


def test_upgrade_creates_every_model_table(each_backend_url: str) -> None:
    """After ``upgrade head`` every model table exists and the revision is head."""
    upgrade_database(each_backend_url)
    assert current_revision(each_backend_url) == head_revision()
    assert set(target_metadata().tables) <= _tables(each_backend_url)


def test_downgrade_to_base_then_upgrade_again(each_backend_url: str) -> None:
    """Down to base leaves only Alembic's table; up again restores the full schema."""
    upgrade_database(each_backend_url)
    downgrade_database(each_backend_url, "base")
    assert current_revision(each_backend_url) is None
    assert _tables(each_backend_url) <= {"alembic_version"}
    upgrade_database(each_backend_url)
    assert current_revision(each_backend_url) == head_revision()
    assert set(target_metadata().tables) <= _tables(each_backend_url)


def test_migrations_match_the_models(each_backend_url: str) -> None:
    """Autogenerate finds nothing to do: whoever changes a model also writes its migration."""
    upgrade_database(each_backend_url)
    engine = make_engine(each_backend_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, target_metadata())
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


def test_new_revision_is_numbered_and_empty_when_models_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``rounds db revision`` writes ``<next>_<slug>.py``; with no model change it does nothing."""
    import dashboard.migrate as migrate

    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade_database(url)
    number, head = len(_history()) + 1, head_revision()
    path = Path(new_revision(url, "Add the plans!"))
    assert path == scripts / "versions" / f"{number:04d}_add_the_plans.py"
    source = path.read_text(encoding="utf-8")
    assert f'down_revision: str | None = "{head}"' in source.replace("'", '"')
    assert "op." not in source.split("def upgrade")[1], "no model change, no operation"


def test_database_from_newer_code_is_not_told_to_upgrade(empty_database_url: str) -> None:
    """A revision this code does not know means the code is old: say so instead."""
    upgrade_database(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_future'")
        with engine.connect() as connection, pytest.raises(SchemaOutOfDateError) as caught:
            check_schema(connection)
    finally:
        engine.dispose()
    assert "newer version of Rounds" in str(caught.value)
