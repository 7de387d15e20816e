"""The demo company: load the sample CSVs and demo users into an empty database.

Used by ``rounds demo``. The loading function takes a session and never commits, so the
command can run the whole load in one transaction: a bad file leaves the database empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import MetaData, func, inspect, select, table
from sqlalchemy.orm import Session

import data
from crm.crews import Crew
from crm.db import make_engine
from crm.services import ensure_default_services
from crm.users import Role, User

#: The sample company shipped with the package (``data/sample/*.csv``).
DEFAULT_DATA_DIR = Path(data.__file__).resolve().parent / "sample"

#: Load order; equal to ``crm.importer.IMPORT_KINDS`` (a test keeps them in step).
DEMO_KINDS: tuple[str, ...] = ("crews", "customers", "sites", "agreements")

OWNER_EMAIL = "owner@example.com"
DISPATCHER_EMAIL = "dispatcher@example.com"
OWNER_PASSWORD = "rounds-owner"
DISPATCHER_PASSWORD = "rounds-dispatch"
CREW_PASSWORD = "rounds-crew"


class DemoError(Exception):
    """The demo cannot be loaded; the message is one line for the command line."""


@dataclass
class DemoUser:
    email: str
    role: Role
    password: str
    crew: str | None = None


@dataclass
class DemoResult:
    """What was loaded: rows per kind and the users with their passwords."""

    counts: dict[str, int] = field(default_factory=dict)
    users: list[DemoUser] = field(default_factory=list)


def crew_email(crew_external_id: str) -> str:
    """``"C-01"`` -> ``"crew-c-01@example.com"``."""
    return f"crew-{crew_external_id.lower()}@example.com"


def demo_files(data_dir: Path) -> dict[str, Path]:
    """The CSV of every kind in ``data_dir``; :class:`DemoError` names the missing ones."""
    files = {kind: data_dir / f"{kind}.csv" for kind in DEMO_KINDS}
    missing = [p.name for p in files.values() if not p.is_file()]
    if missing:
        raise DemoError(f"no sample data in {data_dir}: missing {', '.join(missing)}")
    return files


def row_counts(url: str) -> dict[str, int]:
    """Rows in every non-empty table of the database (Alembic's own table left out)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            names = [n for n in inspect(connection).get_table_names() if n != "alembic_version"]
            counts = {}
            for name in names:
                n = connection.scalar(select(func.count()).select_from(table(name))) or 0
                if n:
                    counts[name] = n
            return counts
    finally:
        engine.dispose()


def drop_everything(url: str) -> None:
    """Drop every table of the database, whatever created it (reflected, in FK order)."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            metadata = MetaData()
            metadata.reflect(connection)
            metadata.drop_all(connection)
    finally:
        engine.dispose()


def _add_user(
    session: Session, email: str, name: str, role: Role, password: str, crew: Crew | None = None
) -> None:
    user = User(email=email, name=name, role=role, crew_id=crew.id if crew else None)
    user.set_password(password)
    session.add(user)


def load_demo(session: Session, data_dir: Path = DEFAULT_DATA_DIR) -> DemoResult:
    """Import the sample company from ``data_dir`` and add the demo users; never commits.

    Raises
    ------
    DemoError
        When a file is missing or the importer rejects a row (the first error is named).
    """
    from crm.importer import import_csv  # imported here: the importer pulls in pandas

    files = demo_files(data_dir)
    ensure_default_services(session)
    result = DemoResult()
    for kind in DEMO_KINDS:
        # The sample carries coordinates; never reach out to a geocoder for a demo.
        report = import_csv(session, kind, files[kind], no_geocode=True)
        if report.errors:
            more = len(report.errors) - 1
            extra = f" (and {more} more)" if more else ""
            raise DemoError(f"{files[kind].name}: {report.errors[0]}{extra}")
        result.counts[kind] = report.created + report.updated + report.unchanged
    _add_user(session, OWNER_EMAIL, "Olivia Owner", Role.OWNER, OWNER_PASSWORD)
    result.users.append(DemoUser(OWNER_EMAIL, Role.OWNER, OWNER_PASSWORD))
    _add_user(session, DISPATCHER_EMAIL, "Dana Dispatch", Role.DISPATCHER, DISPATCHER_PASSWORD)
    result.users.append(DemoUser(DISPATCHER_EMAIL, Role.DISPATCHER, DISPATCHER_PASSWORD))
    for crew in session.scalars(select(Crew).order_by(Crew.external_id)):
        email = crew_email(crew.external_id)
        _add_user(session, email, crew.name, Role.CREW, CREW_PASSWORD, crew)
        result.users.append(DemoUser(email, Role.CREW, CREW_PASSWORD, crew.external_id))
    session.flush()
    return result
