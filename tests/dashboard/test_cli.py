"""The ``rounds`` command line: help everywhere, one-line errors, db, users, import, demo."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from crm.crews import Crew
from crm.customers import Customer
from crm.importer import IMPORT_KINDS
from crm.users import Role, User
from dashboard import create_app
from dashboard.cli import cli
from dashboard.config import TestConfig
from dashboard.db import get_database
from dashboard.demo import DEFAULT_DATA_DIR, DEMO_KINDS
from dashboard.migrate import head_revision
from tests.conftest import TINY

Login = Callable[[FlaskClient, str, str], TestResponse]


def _walk(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _walk(command, (*prefix, name))


ALL_COMMANDS = [(), *_walk(cli)]


def _fails_with_one_line(result: Result, text: str) -> None:
    """Non-zero exit, the reason on one line, and no traceback."""
    assert result.exit_code != 0, result.output
    assert text in result.output, result.output
    assert "Traceback" not in result.output
    error_lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1, result.output


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "rounds")
def test_every_command_has_help(runner: FlaskCliRunner, path: tuple[str, ...]) -> None:
    """``rounds ... --help`` works for every command and group."""
    result = runner.invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_expected_commands_exist() -> None:
    """The documented commands are all there."""
    assert set(cli.commands) >= {"run", "db", "demo", "import", "export", "users", "solve"}
    assert set(cli.commands["db"].commands) >= {"upgrade", "downgrade", "current"}  # type: ignore[attr-defined]


def test_help_does_not_import_the_solver_nor_build_the_app() -> None:
    """``rounds --help`` lists every command without importing the planner, pandas or the
    pages: those imports happen in the commands that need them."""
    code = (
        "import sys\n"
        "from dashboard.cli import main\n"
        "sys.argv = ['rounds', '--help']\n"
        "try:\n    main()\n"
        "except SystemExit:\n    pass\n"
        "heavy = ('optimizer', 'scheduling.planning', 'scheduling.plans', 'pandas', "
        "'dashboard.api', 'dashboard.plan_views')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=120)  # fmt: skip
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr
    assert "solve" in result.stdout and "scheduler" in result.stdout


def test_scheduler_help_names_the_default_cron(runner: FlaskCliRunner) -> None:
    """The help text written without importing the runner says what the runner uses."""
    from dashboard.nightly_cli import DEFAULT_CRON_TEXT
    from scheduling.runner import DEFAULT_CRON

    assert DEFAULT_CRON_TEXT.startswith(f"{DEFAULT_CRON},")
    assert DEFAULT_CRON in runner.invoke(cli, ["scheduler", "--help"]).output


def test_load_order_matches_the_importer() -> None:
    """The demo loads kinds in the importer's order (crews before the agreements naming them)."""
    assert DEMO_KINDS == IMPORT_KINDS


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["run", "--port", "0"], "Invalid value for '--port'"),
        (["db", "downgrade"], "Missing argument 'REVISION'"),
        (["db", "downgrade", "nonsense"], "Can't locate revision identified by 'nonsense'"),
        (["db", "upgrade", "nonsense"], "Can't locate revision identified by 'nonsense'"),
        (["import", "invoices", "x.csv"], "Invalid value for '{crews|customers|sites|agreements}'"),
        (["import", "customers", "missing.csv"], "'missing.csv' does not exist"),
        (["demo", "--data", "no-such-dir"], "no sample data in no-such-dir"),
        (["users", "add", "not-an-email", "--role", "owner"], "is not an e-mail address"),
        (["users", "add", "a@example.com", "--role", "king"], "Invalid value for '--role'"),
        (["users", "add", "a@example.com", "--role", "crew"], "a crew user needs --crew"),
        (
            ["users", "add", "a@example.com", "--role", "owner", "--crew", "C1"],
            "only for --role crew",
        ),
        (
            [
                "users",
                "add",
                "a@example.com",
                "--role",
                "crew",
                "--crew",
                "NOPE",
                "--password",
                "longenough",
            ],
            "no crew with id 'NOPE'",
        ),
        (
            ["users", "add", "a@example.com", "--role", "owner", "--password", "short"],
            "at least 8 characters",
        ),
        (["solve", "--input", "missing.json"], "missing.json"),
        (["nonsense"], "No such command 'nonsense'"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(
    runner: FlaskCliRunner, args: list[str], text: str
) -> None:
    """Every command refuses bad input with a one-line reason, never a traceback."""
    _fails_with_one_line(runner.invoke(cli, args), text)


# --- db ------------------------------------------------------------------------------------


def test_db_current_downgrade_upgrade(runner: FlaskCliRunner) -> None:
    """current -> downgrade base -> current says behind -> upgrade -> current up to date."""
    head = head_revision()
    result = runner.invoke(cli, ["db", "current"])
    assert result.output.strip() == f"database at {head}, code expects {head} (up to date)"
    result = runner.invoke(cli, ["db", "downgrade", "base"])
    assert result.exit_code == 0 and f"from {head} to (empty)" in result.output
    result = runner.invoke(cli, ["db", "current"])
    assert "behind: run `rounds db upgrade`" in result.output
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0 and f"from (empty) to {head}" in result.output
    assert "already at" in runner.invoke(cli, ["db", "upgrade"]).output


def test_commands_on_an_old_database_say_upgrade(empty_database_url: str) -> None:
    """``rounds run`` (and every data command) on a database that is behind: one line, exit 1."""
    app = create_app(TestConfig(empty_database_url), check_schema_on_start=False)
    try:
        runner = app.test_cli_runner()
        for args in (
            ["run"],
            ["users", "add", "a@example.com", "--role", "owner"],
            ["export", "out"],
        ):
            result = runner.invoke(cli, args)
            _fails_with_one_line(result, "code expects")
            assert "run `rounds db upgrade`" in result.output
    finally:
        get_database(app).engine.dispose()


def test_rounds_run_refuses_in_a_real_process(tmp_path: Path) -> None:
    """The console entry point itself: stale database -> exit 1 and the one line on stderr."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}",
        "SECRET_KEY": "x",
        "ROUNDS_INSTANCE_DIR": str(tmp_path / "instance"),
        "PATH": "",
    }
    code = "from dashboard.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "run"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: database at revision (empty), code expects {head_revision()}: "
        "run `rounds db upgrade`"
    )


# --- users ---------------------------------------------------------------------------------


def test_users_add_with_prompt(runner: FlaskCliRunner, session: Session) -> None:
    """Without --password the password is asked for twice, hidden."""
    result = runner.invoke(
        cli,
        ["users", "add", "New@Example.com", "--role", "dispatcher"],
        input="long-password\nlong-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "added dispatcher new@example.com" in result.output
    user = session.scalars(select(User)).one()
    assert user.email == "new@example.com" and user.role is Role.DISPATCHER
    assert user.check_password("long-password")


def test_users_add_crew_and_duplicate(
    runner: FlaskCliRunner, session: Session, tiny_company: dict[str, int]
) -> None:
    """A crew user is linked to its crew; the same e-mail twice is refused."""
    args = [
        "users",
        "add",
        "c@example.com",
        "--role",
        "crew",
        "--crew",
        "C2",
        "--password",
        "crew-pass-1",
    ]
    assert runner.invoke(cli, args).exit_code == 0
    user = session.scalars(select(User)).one()
    assert user.crew_id == tiny_company["C2"] and user.name == "Green Crew"
    _fails_with_one_line(runner.invoke(cli, args), "already exists")


# --- import / export -----------------------------------------------------------------------


def test_import_then_export(runner: FlaskCliRunner, session: Session, tmp_path: Path) -> None:
    """Importing the tiny files in order works; export writes the four files back."""
    for kind in IMPORT_KINDS:
        result = runner.invoke(cli, ["import", kind, str(TINY / f"{kind}.csv"), "--no-geocode"])
        assert result.exit_code == 0, result.output
        assert f"{kind}.csv: " in result.output and " created" in result.output
    assert session.scalar(select(func.count()).select_from(Customer)) == 3
    out = tmp_path / "export"
    result = runner.invoke(cli, ["export", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{k}.csv" for k in IMPORT_KINDS)
    assert "Bayview Dental" in (out / "customers.csv").read_text(encoding="utf-8")


def test_import_twice_changes_nothing(runner: FlaskCliRunner) -> None:
    """The second import of the same file reports every row unchanged."""
    path = str(TINY / "customers.csv")
    runner.invoke(cli, ["import", "customers", path])
    result = runner.invoke(cli, ["import", "customers", path])
    assert result.exit_code == 0 and "3 unchanged" in result.output


def test_import_dry_run_writes_nothing(runner: FlaskCliRunner, session: Session) -> None:
    """--dry-run reports what would happen and leaves the database alone."""
    result = runner.invoke(cli, ["import", "customers", str(TINY / "customers.csv"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    assert session.scalar(select(func.count()).select_from(Customer)) == 0


def test_import_bad_rows_list_errors_and_write_nothing(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    """Row errors are listed with row and column; the last line says nothing was imported."""
    bad = tmp_path / "customers.csv"
    bad.write_text("customer_id,name,status\nX1,Good,active\nX2,,active\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", "customers", str(bad)])
    _fails_with_one_line(result, "1 error(s) in customers.csv: nothing was imported")
    assert "customers.csv: row 3, column name" in result.output
    assert session.scalar(select(func.count()).select_from(Customer)) == 0


def test_export_into_a_file_fails(runner: FlaskCliRunner, tmp_path: Path) -> None:
    """The export target must be a folder."""
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    _fails_with_one_line(runner.invoke(cli, ["export", str(target)]), "file.txt")


# --- demo ----------------------------------------------------------------------------------


@pytest.fixture
def fresh_app(empty_database_url: str) -> Iterator[Flask]:
    """An app on an empty database, as ``rounds`` builds it (schema check deferred)."""
    app = create_app(TestConfig(empty_database_url), check_schema_on_start=False)
    yield app
    get_database(app).engine.dispose()


def test_demo_loads_company_and_users(fresh_app: Flask, login: Login) -> None:
    """``rounds demo`` migrates, loads the CSVs and prints the users; the pages show the data."""
    result = fresh_app.test_cli_runner().invoke(cli, ["demo", "--data", str(TINY)])
    assert result.exit_code == 0, result.output
    assert "loaded the sample company: 2 crews, 3 customers, 3 sites, 3 agreements" in result.output
    assert "owner@example.com" in result.output and "rounds-owner" in result.output
    assert "crew-c1@example.com" in result.output and "rounds-crew" in result.output
    client = fresh_app.test_client()
    assert login(client, "dispatcher@example.com", "rounds-dispatch").status_code == 302
    page = client.get("/customers").get_data(as_text=True)
    assert "Alice Anders" in page and "Bayview Dental" in page
    crew = fresh_app.test_client()
    response = login(crew, "crew-c2@example.com", "rounds-crew")
    assert response.status_code == 302
    assert "Green Crew" in crew.get(response.headers["Location"]).get_data(as_text=True)


def test_demo_refuses_to_overwrite_without_reset(fresh_app: Flask) -> None:
    """A second ``rounds demo`` stops; ``--reset`` drops and loads again."""
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(cli, ["demo", "--data", str(TINY)]).exit_code == 0
    result = runner.invoke(cli, ["demo", "--data", str(TINY)])
    _fails_with_one_line(result, "the database already holds data")
    assert "rounds demo --reset" in result.output
    result = runner.invoke(cli, ["demo", "--reset", "--data", str(TINY)])
    assert result.exit_code == 0, result.output
    with get_database(fresh_app).session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Crew)) == 2
        assert session.scalar(select(func.count()).select_from(User)) == 4


def test_demo_with_a_bad_file_leaves_the_database_empty(fresh_app: Flask, tmp_path: Path) -> None:
    """One transaction: a rejected row means no crews, customers or users at all."""
    for kind in IMPORT_KINDS:
        (tmp_path / f"{kind}.csv").write_bytes((TINY / f"{kind}.csv").read_bytes())
    (tmp_path / "sites.csv").write_text(
        "site_id,customer_id,address,lat,lon\nS1,NOPE,1 Main St,27.9,-82.4\n", encoding="utf-8"
    )
    result = fresh_app.test_cli_runner().invoke(cli, ["demo", "--data", str(tmp_path)])
    _fails_with_one_line(result, "sites.csv: row 2")
    with get_database(fresh_app).session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Crew)) == 0
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_if_empty_keeps_existing_data(fresh_app: Flask) -> None:
    """``--if-empty`` loads once, then leaves the data alone and succeeds (``make run``)."""
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(cli, ["demo", "--if-empty", "--data", str(TINY)])
    assert first.exit_code == 0 and "loaded the sample company" in first.output
    second = runner.invoke(cli, ["demo", "--if-empty", "--data", str(TINY)])
    assert second.exit_code == 0, second.output
    assert "kept as it is" in second.output
    _fails_with_one_line(
        runner.invoke(cli, ["demo", "--if-empty", "--reset", "--data", str(TINY)]), "contradict"
    )


@pytest.mark.slow
@pytest.mark.skipif(not DEFAULT_DATA_DIR.is_dir(), reason="data/sample not generated yet")
def test_demo_with_the_sample_company(fresh_app: Flask, login: Login) -> None:
    """The shipped sample company loads and its customers are listed."""
    result = fresh_app.test_cli_runner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    client = fresh_app.test_client()
    assert login(client, "dispatcher@example.com", "rounds-dispatch").status_code == 302
    page = client.get("/customers").get_data(as_text=True)
    assert "Customers" in page and "No customers yet" not in page
