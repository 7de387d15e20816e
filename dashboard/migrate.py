"""Alembic, driven from code: upgrade, downgrade and inspect a database by URL.

Users never see an ``alembic.ini``: the script location is this package's ``migrations/``
folder and the URL comes from the caller (``rounds db ...``, the app's schema check, tests).
Engines come from :func:`crm.db.make_engine`, so SQLite gets the same pragmas as the app.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData

from crm.db import Base, make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class SchemaOutOfDateError(RuntimeError):
    """The database is not at the revision the code expects (behind, or unknown to this code)."""

    def __init__(self, current: str | None, expected: str, *, known: bool = True) -> None:
        self.current = current
        self.expected = expected
        if known:
            hint = "run `rounds db upgrade`"
        else:  # written by newer code: upgrading cannot help, the code is what is behind
            hint = "the database was migrated by a newer version of Rounds"
        super().__init__(
            f"database at revision {current or '(empty)'}, code expects {expected}: {hint}"
        )


def target_metadata() -> MetaData:
    """Every table of every package, as the migrations must build them.

    Importing the model modules registers their tables on the one ``Base``; this is the one
    place that lists them, so that autogenerate and the tests see the same schema.
    """
    import crm.models  # noqa: F401
    import scheduling.models  # noqa: F401

    return Base.metadata


def alembic_config(url: str | None = None) -> AlembicConfig:
    """An in-memory Alembic config pointing at ``dashboard/migrations``."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Revision ids are "0002_add_plans"; the file is named after the id.
    config.set_main_option("file_template", "%%(rev)s")
    if url is not None:
        # ConfigParser interpolation treats "%" specially (URL-encoded passwords).
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@contextmanager
def _connected_config(url: str) -> Iterator[AlembicConfig]:
    """A config whose ``connection`` attribute is an open transaction on ``url``'s database."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            yield config
    finally:
        engine.dispose()


def upgrade_database(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (creating it if SQLite and missing)."""
    with _connected_config(url) as config:
        command.upgrade(config, revision)


def downgrade_database(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``"base"`` drops every table)."""
    with _connected_config(url) as config:
        command.downgrade(config, revision)


@cache
def head_revision() -> str:
    """The revision the code expects: the single head of ``dashboard/migrations`` (cached)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a revision
        raise RuntimeError("no migration revisions found")
    return head


def revision_of(connection: Connection) -> str | None:
    """The revision stamped in an open connection's database, None when never migrated."""
    return MigrationContext.configure(connection).get_current_revision()


def current_revision(url: str) -> str | None:
    """The revision stamped in the database at ``url``, None when it was never migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return revision_of(connection)
    finally:
        engine.dispose()


def check_schema(connection: Connection) -> None:
    """Raise :class:`SchemaOutOfDateError` unless the database is at the head revision."""
    current, expected = revision_of(connection), head_revision()
    if current != expected:
        raise SchemaOutOfDateError(current, expected, known=current in _known_revisions())


@cache
def _known_revisions() -> frozenset[str | None]:
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset([None, *(r.revision for r in script.walk_revisions())])


def new_revision(url: str, message: str, *, autogenerate: bool = True) -> str:
    """Write the next revision file (``NNNN_slug.py``) comparing the models with ``url``'s database.

    The database should be at head, so that the new file holds only the models' changes.
    Returns the path of the new file. Read and tidy it before committing.
    """
    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40] or "revision"
    count = sum(1 for _ in ScriptDirectory.from_config(alembic_config()).walk_revisions())
    rev_id = f"{count + 1:04d}_{slug}"
    with _connected_config(url) as config:
        script = command.revision(config, message=message, autogenerate=autogenerate, rev_id=rev_id)
    assert script is not None and not isinstance(script, list)
    return str(script.path)
