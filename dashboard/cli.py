"""The ``rounds`` command line: a Flask CLI group over :func:`dashboard.create_app`.

The app is built with the schema check off, so that ``rounds db ...`` works on a database
that is behind; every command that reads or writes data checks the schema itself and stops
with the one-line ``rounds db upgrade`` hint. User errors end as one line on stderr and a
non-zero exit (click's ``ClickException``), never as a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext
from sqlalchemy import select

from crm.crews import Crew
from crm.users import Role, User
from dashboard import create_app
from dashboard.cli_support import (
    first_line,
    require_current_schema,
    translated_errors,
    user_errors,
)
from dashboard.db import get_database
from dashboard.demo import (
    CREW_PASSWORD,
    DEFAULT_DATA_DIR,
    DEMO_KINDS,
    DISPATCHER_EMAIL,
    DISPATCHER_PASSWORD,
    OWNER_EMAIL,
    OWNER_PASSWORD,
    DemoError,
    drop_everything,
    row_counts,
)
from dashboard.demo import load_demo as _load_demo
from dashboard.migrate import (
    current_revision,
    downgrade_database,
    head_revision,
    new_revision,
    upgrade_database,
)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8


def _make_app() -> Flask:
    return create_app(check_schema_on_start=False)


class RoundsGroup(FlaskGroup):
    """The ``rounds`` group; also translates errors raised while building the app."""

    def invoke(self, ctx: click.Context) -> Any:
        with translated_errors():
            return super().invoke(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The group's own commands, without building the app (``rounds --help`` stays quick).

        The app's ``app.cli`` holds the same commands (:func:`register_commands`), so
        Flask's loading of the app here would only cost the time of importing every page.
        """
        self._load_plugin_commands()
        return sorted(self.commands)


cli = RoundsGroup(
    name="rounds",
    create_app=_make_app,
    add_default_commands=False,
    add_version_option=False,
    help="Rounds: plan recurring field-service rounds, and serve the dashboard.\n\n"
    "The database is DATABASE_URL (default: instance/rounds.sqlite3).",
)
# The app is always this package's factory: Flask's --app option would be silently ignored.
cli.params = [p for p in cli.params if p.name != "app"]
click.version_option(package_name="rounds", prog_name="rounds")(cli)


def _database_url() -> str:
    return str(current_app.config["DATABASE_URL"])


# --- serving -------------------------------------------------------------------------------


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="TCP port."
)
@click.option(
    "--debug/--no-debug",
    default=False,
    help="Reloader and interactive debugger: for development on your own machine only.",
)
@with_appcontext
@user_errors
def run_command(host: str, port: int, debug: bool) -> None:
    """Serve the dashboard with the development server (use a WSGI server in production)."""
    from werkzeug.serving import run_simple

    require_current_schema()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"Rounds dashboard on http://{host}:{port}/  (Ctrl+C to stop)")
    _echo_demo_logins()
    run_simple(host, port, app, use_reloader=debug, use_debugger=debug, threaded=True)


def _echo_demo_logins() -> None:
    """Repeat the demo logins when the demo users exist, so they are on screen at the end."""
    with get_database().session_factory() as session:
        kept = session.scalars(
            select(User.email).where(User.email.in_([OWNER_EMAIL, DISPATCHER_EMAIL]))
        ).all()
    if kept:
        click.echo(
            f"demo logins, unless changed: {OWNER_EMAIL} / {OWNER_PASSWORD}, "
            f"{DISPATCHER_EMAIL} / {DISPATCHER_PASSWORD}, crew-<crew id>@example.com / "
            f"{CREW_PASSWORD}"
        )


# --- database ------------------------------------------------------------------------------


@click.group("db")
def db_group() -> None:
    """Create and migrate the database schema."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
@user_errors
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    url = _database_url()
    before = current_revision(url)
    upgrade_database(url, revision)
    after = current_revision(url)
    if before == after:
        click.echo(f"database already at {after or '(empty)'}")
    else:
        click.echo(f"database upgraded from {before or '(empty)'} to {after}")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
@user_errors
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ("base" drops every table)."""
    url = _database_url()
    before = current_revision(url)
    downgrade_database(url, revision)
    after = current_revision(url)
    click.echo(f"database downgraded from {before or '(empty)'} to {after or '(empty)'}")


@db_group.command("current")
@with_appcontext
@user_errors
def db_current() -> None:
    """Show the database's revision and the revision the code expects."""
    current, head = current_revision(_database_url()), head_revision()
    state = "up to date" if current == head else "behind: run `rounds db upgrade`"
    click.echo(f"database at {current or '(empty)'}, code expects {head} ({state})")


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does, e.g. 'add plans'.")
@click.option("--empty", is_flag=True, help="Write an empty revision instead of comparing.")
@with_appcontext
@user_errors
def db_revision(message: str, empty: bool) -> None:
    """(Developers) Write a migration from the difference between the models and the database."""
    require_current_schema()
    path = new_revision(_database_url(), message, autogenerate=not empty)
    click.echo(f"wrote {path}: read it and tidy it before committing")


# --- demo ----------------------------------------------------------------------------------


@click.command("demo")
@click.option("--reset", is_flag=True, help="Drop everything in the database first.")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Load only into an empty database; keep (and upgrade) one that holds data.",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATA_DIR,
    show_default="the sample company",
    help="Folder with crews.csv, customers.csv, sites.csv and agreements.csv.",
)
@with_appcontext
@user_errors
def demo_command(reset: bool, if_empty: bool, data_dir: Path) -> None:
    """Create the database and load the sample company with demo users."""
    from dashboard.demo import demo_files

    if reset and if_empty:
        raise click.UsageError("--reset and --if-empty contradict each other")
    try:
        demo_files(data_dir)
    except DemoError as error:
        raise click.ClickException(str(error)) from None
    url = _database_url()
    counts = row_counts(url)
    if counts and if_empty:
        upgrade_database(url)
        click.echo("the database already holds data: kept as it is (`rounds demo --reset` reloads)")
        _echo_demo_logins()
        return
    if counts and not reset:
        summary = ", ".join(f"{n} {name}" for name, n in sorted(counts.items())[:4])
        raise click.ClickException(
            f"the database already holds data ({summary}); "
            "`rounds demo --reset` drops it and loads the sample company"
        )
    get_database().engine.dispose()  # no pooled connection may hold the old tables
    if reset:
        drop_everything(url)
    upgrade_database(url)
    try:
        with get_database().session_factory.begin() as session:
            result = _load_demo(session, data_dir)
    except DemoError as error:
        raise click.ClickException(str(error)) from None
    loaded = ", ".join(f"{result.counts[k]} {k}" for k in DEMO_KINDS)
    click.echo(f"loaded the sample company: {loaded}")
    click.echo("users (e-mail / password):")
    for user in result.users:
        crew = f" ({user.crew})" if user.crew else ""
        click.echo(f"  {user.role.value:<10} {user.email:<32} {user.password}{crew}")


# --- import and export ---------------------------------------------------------------------


@click.command("import")
@click.argument("kind", type=click.Choice(DEMO_KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--no-geocode", is_flag=True, help="Reject site rows without lat/lon.")
@click.option(
    "--geocoder-url",
    default=None,
    metavar="URL",
    help="Nominatim server for sites without lat/lon (default: ROUNDS_NOMINATIM_URL, "
    "else the public server, a few requests at most).",
)
@with_appcontext
@user_errors
def import_command(
    kind: str, file: Path, dry_run: bool, no_geocode: bool, geocoder_url: str | None
) -> None:
    """Import one CSV file of KIND (crews, customers, sites, agreements): all or nothing.

    Rows are matched by their external id, so importing a file twice changes nothing.
    """
    from crm.importer import import_csv

    require_current_schema()
    geocoder = None  # the importer makes the default one if a row needs it
    if geocoder_url and not no_geocode:
        from crm.geocode import make_geocoder

        try:
            geocoder = make_geocoder(geocoder_url)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--geocoder-url") from None
    with get_database().session_factory() as session:
        report = import_csv(
            session, kind, file, geocoder=geocoder, dry_run=dry_run, no_geocode=no_geocode
        )
        if report.errors or dry_run:
            session.rollback()
        else:
            session.commit()
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.errors:
        shown = report.errors[:20]
        for error in shown:
            click.echo(f"{file.name}: {error}", err=True)
        if len(report.errors) > len(shown):
            click.echo(f"... and {len(report.errors) - len(shown)} more", err=True)
        raise click.ClickException(
            f"{len(report.errors)} error(s) in {file.name}: nothing was imported"
        )
    click.echo(report.summary())


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
@user_errors
def export_command(directory: Path) -> None:
    """Write crews, customers, sites and agreements as CSV files into DIRECTORY."""
    from crm.importer import export_csv

    require_current_schema()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.ClickException(f"cannot create {directory}: {error.strerror}") from None
    with get_database().session_factory() as session:
        for kind in DEMO_KINDS:
            path = directory / f"{kind}.csv"
            export_csv(session, kind, path)
            click.echo(f"wrote {path}")


# --- users ---------------------------------------------------------------------------------


@click.group("users")
def users_group() -> None:
    """Manage the accounts that sign in to the dashboard."""


@users_group.command("add")
@click.argument("email")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="What they may do."
)
@click.option("--crew", "crew_id", metavar="CREW_ID", help="The crew's external id (crew role).")
@click.option("--name", default=None, help="Display name (default: from the e-mail or crew).")
@click.option(
    "--password",
    default=None,
    help="Password (default: asked for, hidden). Prefer the prompt: options end up in history.",
)
@with_appcontext
@user_errors
def users_add(
    email: str, role: str, crew_id: str | None, name: str | None, password: str | None
) -> None:
    """Add a user with EMAIL and a role (owner, dispatcher or crew)."""
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise click.BadParameter(f"{email!r} is not an e-mail address", param_hint="EMAIL")
    the_role = Role(role)
    if the_role is Role.CREW and not crew_id:
        raise click.UsageError("a crew user needs --crew CREW_ID")
    if the_role is not Role.CREW and crew_id:
        raise click.UsageError("--crew is only for --role crew")
    require_current_schema()
    with get_database().session_factory() as session:
        if session.scalars(select(User).where(User.email == email)).first() is not None:
            raise click.ClickException(f"a user with e-mail {email} already exists")
        crew = None
        if crew_id:
            crew = session.scalars(select(Crew).where(Crew.external_id == crew_id)).first()
            if crew is None:
                raise click.ClickException(f"no crew with id {crew_id!r}")
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise click.ClickException(
                f"the password needs at least {MIN_PASSWORD_LENGTH} characters"
            )
        display = name or (crew.name if crew else email.split("@")[0])
        user = User(email=email, name=display, role=the_role, crew_id=crew.id if crew else None)
        user.set_password(password)
        session.add(user)
        session.commit()
    click.echo(f"added {the_role.value} {email}" + (f" for crew {crew_id}" if crew_id else ""))


# --- solver --------------------------------------------------------------------------------


class _SolveCommand(click.Command):
    """``rounds solve``: :func:`optimizer.cli.solve_command`, imported only when it runs.

    The solver's imports (numpy, the planner) would otherwise slow every ``rounds`` command
    and ``rounds --help``. Every argument, ``--help`` included, goes to the real command; if
    the solver cannot be imported, running it says why in one line.
    """

    def __init__(self) -> None:
        super().__init__(
            "solve",
            short_help="Solve a routing problem file and write the solution document.",
            add_help_option=False,
            context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        )

    def invoke(self, ctx: click.Context) -> Any:
        try:
            from optimizer.cli import solve_command
        except ImportError as error:
            reason = first_line(error)
            raise click.ClickException(f"the solver is not available: {reason}") from None
        with solve_command.make_context(self.name, list(ctx.args), parent=ctx.parent) as sub_ctx:
            return solve_command.invoke(sub_ctx)


COMMANDS: tuple[click.Command, ...] = (
    run_command,
    db_group,
    demo_command,
    import_command,
    export_command,
    users_group,
    shell_command,
    routes_command,
)


def register_commands(group: click.Group) -> None:
    """Add the ``rounds`` commands to ``group`` (the CLI group, or an app's ``app.cli``)."""
    for command in COMMANDS:
        group.add_command(command)
    group.add_command(_SolveCommand())
    from dashboard.plan_cli import diff_command, plan_command, publish_command

    for command in (plan_command, diff_command, publish_command):
        group.add_command(command)
    from dashboard.billing_cli import COMMANDS as BILLING_COMMANDS

    for command in BILLING_COMMANDS:
        group.add_command(command)
    from dashboard.crm_cli import COMMANDS as CRM_COMMANDS

    for command in CRM_COMMANDS:
        group.add_command(command)
    from dashboard.nightly_cli import nightly_command, scheduler_command

    for command in (nightly_command, scheduler_command):
        group.add_command(command)
    from dashboard.quote_cli import quote_command

    group.add_command(quote_command)
    from dashboard.token_cli import token_group

    group.add_command(token_group)
    from dashboard.edit_cli import COMMANDS as EDIT_COMMANDS

    for command in EDIT_COMMANDS:
        group.add_command(command)


register_commands(cli)


def main() -> None:
    """Entry point of the ``rounds`` console script."""
    cli.main(prog_name="rounds")
