"""Completed visits: recorded one by one (a crew's app) or imported from a CSV crew sheet.

The CSV import follows :mod:`crm.importer`: read and type every cell, check every row against
the file and the database, and write only when no row has an error. A completion is keyed by
(agreement, date), so importing the same sheet twice changes nothing; a row that would change
a visit already invoiced is an error (correct it with a credit note, not by editing the work).

Public API::

    record_completion(session, agreement, date, crew, started_at, ended_at, ...)
    import_completions(session, source, tz) -> ImportReport
    COMPLETION_COLUMNS
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from crm import parsing as p
from crm.agreements import Agreement
from crm.billing import VisitCompletion
from crm.crews import Crew
from crm.csv_schema import Column, Row, Source, read_table, source_name
from crm.import_report import ImportReport

_planned_visit = table("planned_visit", column("id"))
"""A lightweight handle on scheduling's table: ``crm`` must not import ``scheduling``."""


class CompletionError(ValueError):
    """A completion that cannot be recorded; the message names the field and the value."""


def record_completion(
    session: Session,
    *,
    agreement: Agreement,
    date: dt.date,
    crew: Crew,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    planned_visit_id: int | None = None,
    note: str | None = None,
) -> VisitCompletion:
    """Record that ``crew`` did ``agreement``'s visit on ``date`` from ``started_at`` to
    ``ended_at`` (timezone-aware, so that a crew sheet and the server agree on the hour).
    Times are stored in UTC: SQLite keeps no offset, so local times would be ambiguous.

    Raises
    ------
    CompletionError
        For naive or inverted times, or a second completion of the agreement on that date.
    """
    if started_at.tzinfo is None or ended_at.tzinfo is None:
        raise CompletionError("started_at and ended_at must be timezone-aware")
    if ended_at < started_at:
        raise CompletionError(f"ended_at {ended_at} is before started_at {started_at}")
    existing = session.scalars(
        select(VisitCompletion.id).where(
            VisitCompletion.agreement_id == agreement.id, VisitCompletion.date == date
        )
    ).first()
    if existing is not None:
        raise CompletionError(
            f"agreement {agreement.external_id} already has a completed visit on {date}"
        )
    completion = VisitCompletion(
        agreement=agreement,
        date=date,
        crew=crew,
        started_at=started_at.astimezone(dt.UTC),
        ended_at=ended_at.astimezone(dt.UTC),
        planned_visit_id=planned_visit_id,
        note=note,
    )
    session.add(completion)
    session.flush()
    return completion


# --- CSV import --------------------------------------------------------------------------

COMPLETION_COLUMNS: tuple[Column, ...] = (
    Column("agreement_id", partial(p.parse_text, max_len=64), required=True),
    Column("date", p.parse_date, required=True),
    Column("crew_id", partial(p.parse_text, max_len=64), required=True),
    Column("start", p.parse_time, required=True),
    Column("end", p.parse_time, required=True),
    Column("planned_visit_id", partial(p.parse_int, lo=1)),
    Column("note", lambda text: text),
)
"""The crew sheet: times are HH:MM local time of the company on ``date``."""

_FIELDS = ("crew_id", "started_at", "ended_at", "planned_visit_id", "note")


@dataclass
class _Item:
    row: Row
    values: dict[str, Any]
    existing: VisitCompletion | None
    status: str


def _local(date: dt.date, minutes: int, tz: ZoneInfo) -> dt.datetime:
    local = dt.datetime.combine(date, dt.time(minutes // 60, minutes % 60), tzinfo=tz)
    return local.astimezone(dt.UTC)


def _same(existing: VisitCompletion, values: dict[str, Any]) -> bool:
    """Compare instants: times are stored in UTC, and SQLite gives them back naive."""

    def instant(value: dt.datetime) -> dt.datetime:
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

    return (
        existing.crew_id == values["crew_id"]
        and instant(existing.started_at) == instant(values["started_at"])
        and instant(existing.ended_at) == instant(values["ended_at"])
        and existing.planned_visit_id == values["planned_visit_id"]
        and (existing.note or None) == (values["note"] or None)
    )


def _check_rows(session: Session, rows: list[Row], tz: ZoneInfo) -> list[_Item]:
    agreements = {a.external_id: a for a in session.scalars(select(Agreement))}
    crews = {c.external_id: c.id for c in session.scalars(select(Crew))}
    wanted = {r.get("planned_visit_id") for r in rows} - {None}
    planned = (
        set(session.scalars(select(_planned_visit.c.id).where(_planned_visit.c.id.in_(wanted))))
        if wanted
        else set()
    )
    seen: dict[tuple[str, dt.date], int] = {}
    items = []
    for row in rows:
        agreement = agreements.get(row.get("agreement_id"))
        if row.ok("agreement_id") and agreement is None:
            row.error("agreement_id", f"no agreement with id {row.get('agreement_id')!r}")
        if row.ok("crew_id") and row.get("crew_id") not in crews:
            row.error("crew_id", f"no crew with id {row.get('crew_id')!r}")
        if row.ok("start", "end") and row.get("end") < row.get("start"):
            row.error("end", "is before start")
        pv = row.get("planned_visit_id")
        if pv is not None and pv not in planned:
            row.error("planned_visit_id", f"no planned visit with id {pv}")
        key = (row.cells.get("agreement_id", ""), row.get("date"))
        if row.ok("agreement_id", "date") and key in seen:
            row.error("date", f"agreement {key[0]} on {key[1]} is also on row {seen[key]}")
        seen.setdefault(key, row.number)
        if row.errors or agreement is None:
            continue
        date = row.get("date")
        values = {
            "crew_id": crews[row.get("crew_id")],
            "started_at": _local(date, row.get("start"), tz),
            "ended_at": _local(date, row.get("end"), tz),
            "planned_visit_id": pv,
            "note": row.get("note") or None,
        }
        existing = session.scalars(
            select(VisitCompletion).where(
                VisitCompletion.agreement_id == agreement.id, VisitCompletion.date == date
            )
        ).first()
        if existing is None:
            status = "created"
        elif _same(existing, values):
            status = "unchanged"
        elif existing.invoiced:
            row.error(None, f"the visit of {date} is already invoiced and cannot be changed")
            continue
        else:
            status = "updated"
        items.append(_Item(row, {"agreement": agreement, "date": date, **values}, existing, status))
    return items


def import_completions(
    session: Session, source: Source, tz: ZoneInfo, *, dry_run: bool = False
) -> ImportReport:
    """Validate a crew sheet completely, then add or update its visits unless a row is bad.

    Parameters
    ----------
    session:
        The caller's session; rows are flushed, never committed.
    source:
        A path or an open file with the :data:`COMPLETION_COLUMNS`.
    tz:
        The company's time zone, in which the sheet's HH:MM times are read.
    dry_run:
        Check and count only.

    Returns
    -------
    ImportReport
        ``errors`` lists every bad cell or row; when it is not empty nothing was written.
    """
    report = ImportReport(kind="completions", source=source_name(source), dry_run=dry_run)
    parsed = read_table(source, COMPLETION_COLUMNS)
    report.rows = len(parsed.rows)
    if parsed.errors:
        report.errors = parsed.errors
        return report
    with session.no_autoflush:
        items = _check_rows(session, parsed.rows, tz)
    report.errors = [error for row in parsed.rows for error in row.errors]
    for item in items:
        setattr(report, item.status, getattr(report, item.status) + 1)
    if report.errors or dry_run:
        return report
    for item in items:
        if item.status == "created":
            session.add(VisitCompletion(**item.values))
        elif item.status == "updated" and item.existing is not None:
            for name in _FIELDS:
                setattr(item.existing, name, item.values[name])
    session.flush()
    return report
