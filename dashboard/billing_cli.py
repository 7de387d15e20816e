"""``rounds completions import``, ``rounds invoice`` and ``rounds aging``: billing from a shell.

Each command owns its transaction: the monthly batch commits its numbered invoices at once,
or nothing; a crew sheet with one bad row writes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from crm.billing import Invoice, InvoiceKind
from crm.invoicing import Period, export_quickbooks_csv, invoice_period
from crm.payments import BUCKETS, ar_aging
from dashboard.cli_support import require_current_schema, user_errors
from dashboard.db import get_database


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def _period(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    try:
        return str(Period.parse(value))
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.group("completions")
def completions_group() -> None:
    """Record the visits crews have done (what invoicing bills)."""


@completions_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@with_appcontext
@user_errors
def completions_import(file: Path, dry_run: bool) -> None:
    """Import a crew sheet FILE (agreement_id, date, crew_id, start, end, ...): all or nothing.

    Times are read in the company's TIMEZONE; importing the same sheet twice changes nothing.
    """
    from crm.completions import import_completions  # reads sheets with pandas: not for --help

    require_current_schema()
    tz = ZoneInfo(str(current_app.config["TIMEZONE"]))
    with get_database().session_factory() as session:
        report = import_completions(session, file, tz, dry_run=dry_run)
        if report.errors or dry_run:
            session.rollback()
        else:
            session.commit()
    if report.errors:
        for error in report.errors[:20]:
            click.echo(f"{file.name}: {error}", err=True)
        if len(report.errors) > 20:
            click.echo(f"... and {len(report.errors) - 20} more", err=True)
        raise click.ClickException(
            f"{len(report.errors)} error(s) in {file.name}: nothing was imported"
        )
    click.echo(report.summary())


@click.command("invoice")
@click.option("--period", required=True, callback=_period, help="The month to bill, 2026-11.")
@click.option("--issue-date", default=None, callback=_date,
              help="Invoice date (default: the day after the period).")
@click.option("--net-days", default=30, show_default=True, type=click.IntRange(0, 365),
              help="Payment terms in days.")
@click.option("--export", "export_path", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the period's invoices as a QuickBooks Online import CSV.")
@with_appcontext
@user_errors
def invoice_command(
    period: str, issue_date: dt.date | None, net_days: int, export_path: Path | None
) -> None:
    """Invoice the completed, not yet invoiced visits of a month: one draft per customer."""
    require_current_schema()
    with get_database().session_factory.begin() as session:
        invoices = invoice_period(session, period, issue_date=issue_date, net_days=net_days)
        if not invoices:
            click.echo(f"{period}: nothing to invoice (every completed visit is invoiced)")
        else:
            total = sum(i.total for i in invoices)
            visits = sum(len(i.lines) for i in invoices)
            click.echo(
                f"{period}: {len(invoices)} invoice(s), {invoices[0].number} to "
                f"{invoices[-1].number}, {visits} visit(s), total {total:.2f}"
            )
            for invoice in invoices:
                click.echo(f"  {invoice.number}  {invoice.customer.name:<30} "
                           f"{len(invoice.lines):>3} visit(s)  {invoice.total:>10.2f}")
        if export_path is not None:
            of_period = session.scalars(
                select(Invoice)
                .where(Invoice.period == period, Invoice.kind == InvoiceKind.INVOICE)
                .order_by(Invoice.number)
            ).all()
            with export_path.open("w", encoding="utf-8", newline="") as file:
                rows = export_quickbooks_csv(of_period, file)
            click.echo(f"wrote {export_path} ({rows} line(s))")


@click.command("aging")
@click.option("--as-of", default=None, callback=_date, help="Date of the report (default: today).")
@with_appcontext
@user_errors
def aging_command(as_of: dt.date | None) -> None:
    """Accounts receivable aging: open amounts per customer by days past due."""
    require_current_schema()
    day = as_of or dt.date.today()
    with get_database().session_factory() as session:
        report = ar_aging(session, day)
    header = "".join(f"{b:>11}" for b in BUCKETS)
    click.echo(f"aging as of {day}\n{'customer':<30}{header}{'total':>11}")
    for row in report.rows:
        cells = "".join(f"{row.buckets[b]:>11.2f}" for b in BUCKETS)
        click.echo(f"{row.customer_name[:29]:<30}{cells}{row.total:>11.2f}")
    totals = report.totals
    cells = "".join(f"{totals[b]:>11.2f}" for b in BUCKETS)
    click.echo(f"{'total':<30}{cells}{sum(totals.values()):>11.2f}")


COMMANDS: tuple[click.Command, ...] = (completions_group, invoice_command, aging_command)
