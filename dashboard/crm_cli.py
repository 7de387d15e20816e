"""``rounds customers duplicates|merge`` and ``rounds reminders``: the CRM from a shell.

Each command owns its transaction: a merge commits everything it moved at once, or nothing.
"""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from crm.customers import Customer
from crm.duplicates import find_duplicates, merge_customers
from crm.reminders import ensure_default_rules, evaluate
from dashboard.cli_support import require_current_schema, user_errors
from dashboard.db import get_database


@click.group("customers")
def customers_group() -> None:
    """Find duplicate customers and merge them."""


@customers_group.command("duplicates")
@click.option("--threshold", default=0.5, show_default=True, type=click.FloatRange(0, 1),
              help="Lowest score listed.")
@with_appcontext
@user_errors
def duplicates_command(threshold: float) -> None:
    """List likely duplicate customers, best first, with the reasons."""
    require_current_schema()
    with get_database().session_factory() as session:
        pairs = find_duplicates(session, threshold)
        for p in pairs:
            click.echo(f"{p.score:4.0%}  {p.first.external_id:<12} {p.second.external_id:<12} "
                       f"{p.first.name} / {p.second.name}: {'; '.join(p.reasons)}")
    click.echo(f"{len(pairs)} pair(s)")


@customers_group.command("merge")
@click.argument("keep")
@click.argument("remove")
@with_appcontext
@user_errors
def merge_command(keep: str, remove: str) -> None:
    """Merge customer REMOVE into KEEP (external ids): everything moves, REMOVE is archived."""
    require_current_schema()
    with get_database().session_factory.begin() as session:
        found = {c.external_id: c for c in session.scalars(
            select(Customer).where(Customer.external_id.in_([keep, remove])))}
        missing = [x for x in (keep, remove) if x not in found]
        if missing:
            raise click.ClickException(f"no customer with id {', '.join(missing)}")
        moved = merge_customers(session, found[keep], found[remove], author="rounds CLI")
    what = ", ".join(f"{n} {table}" for table, n in sorted(moved.items())) or "nothing"
    click.echo(f"merged {remove} into {keep}: moved {what}")


@click.command("reminders")
@click.option("--as-of", default=None, help="Date (YYYY-MM-DD, default: today).")
@with_appcontext
@user_errors
def reminders_command(as_of: str | None) -> None:
    """List today's customer-care reminders (adds the default rules if there are none)."""
    require_current_schema()
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise click.BadParameter(f"{as_of!r} is not a date (use YYYY-MM-DD)") from None
    with get_database().session_factory.begin() as session:
        ensure_default_rules(session)
        reminders = evaluate(session, day)
        for r in reminders:
            click.echo(f"{r.due}  {r.customer.external_id:<12} {r.customer.name:<28} {r.why}")
    click.echo(f"{len(reminders)} reminder(s) as of {day}")


COMMANDS: tuple[click.Command, ...] = (customers_group, reminders_command)
