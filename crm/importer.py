"""CSV import of crews, customers, sites and agreements (the contract is ``data/README.md``).

An import reads the whole file, types every cell, checks every row against the others and
the database, and only then writes, and only if no row had an error: one bad row and
nothing of the file is written (the caller owns the transaction and rolls back anyway; this
module never commits). Rows are matched by external id, so importing the same file twice
reports 0 created and 0 updated the second time.

Public API::

    import_csv(session, kind, path_or_file, *, geocoder=None, dry_run=False, no_geocode=False)
    export_csv(session, kind, path)
    ImportReport, RowError, IMPORT_KINDS
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from crm.csv_schema import SCHEMAS, Row, Source, read_table, source_name
from crm.customers import Customer, Site
from crm.export import export_all, export_csv
from crm.geocode import Geocoder, make_geocoder
from crm.import_report import ImportReport, RowError
from crm.import_rows import (
    Item,
    Options,
    check_agreements,
    check_crews,
    check_customers,
    check_sites,
    write_agreements,
    write_crews,
    write_customers,
    write_sites,
)

__all__ = [
    "IMPORT_KINDS",
    "ImportReport",
    "RowError",
    "export_all",
    "export_csv",
    "import_csv",
]

IMPORT_KINDS: tuple[str, ...] = ("crews", "customers", "sites", "agreements")
"""The importable files, in the order they must be loaded (later ones refer to earlier ones)."""


def _check(kind: str) -> Callable[[Session, Sequence[Row], Options, ImportReport], list[Item]]:
    if kind == "sites":
        return check_sites

    simple = {"crews": check_crews, "customers": check_customers, "agreements": check_agreements}[
        kind
    ]
    return lambda session, rows, opts, _report: simple(session, rows, opts)


_WRITERS: dict[str, Callable[[Session, Sequence[Item]], None]] = {
    "crews": write_crews,
    "customers": write_customers,
    "sites": write_sites,
    "agreements": write_agreements,
}


def import_csv(
    session: Session,
    kind: str,
    source: Source,
    *,
    geocoder: Geocoder | None = None,
    dry_run: bool = False,
    no_geocode: bool = False,
) -> ImportReport:
    """Validate one CSV file completely, then upsert its rows unless any row is bad.

    Parameters
    ----------
    session:
        The caller's session; rows are added and flushed, never committed.
    kind:
        One of :data:`IMPORT_KINDS`.
    source:
        A path, or a file object opened in binary (preferred) or text mode.
    geocoder:
        Used for sites without lat/lon; default :func:`crm.geocode.make_geocoder` (created only
        when a row needs it).
    dry_run:
        Check everything (geocoding included) and count what would change; write nothing.
    no_geocode:
        Reject sites without coordinates instead of geocoding them.

    Returns
    -------
    ImportReport
        ``errors`` lists every bad cell or row; when it is not empty nothing was written.

    Raises
    ------
    ValueError
        For a ``kind`` that is not one of :data:`IMPORT_KINDS` (a programming error).
    """
    if kind not in IMPORT_KINDS:
        raise ValueError(f"unknown import kind {kind!r} (use {', '.join(IMPORT_KINDS)})")
    report = ImportReport(kind=kind, source=source_name(source), dry_run=dry_run)
    table = read_table(source, SCHEMAS[kind])
    report.rows = len(table.rows)
    if table.errors:
        report.errors = table.errors
        return report
    opts = Options(geocoder=geocoder, no_geocode=no_geocode, default_geocoder=make_geocoder)
    with session.no_autoflush:
        items = _check(kind)(session, table.rows, opts, report)
    report.errors = [error for row in table.rows for error in row.errors]
    for item in items:
        setattr(report, item.status, getattr(report, item.status) + 1)
    if report.errors or dry_run:
        return report
    _WRITERS[kind](session, items)
    if opts.geocoder is not None and opts.used_results:
        opts.geocoder.remember(session, opts.used_results)
    session.flush()
    if report.created:
        _expire_parent_collections(session)
    return report


def _expire_parent_collections(session: Session) -> None:
    """New rows are inserted in bulk, past the ORM: collections the session has already
    loaded (a customer's sites, a site's agreements) reload on next access instead of
    missing them."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Customer):
            session.expire(obj, ["contacts", "sites"])
        elif isinstance(obj, Site):
            session.expire(obj, ["agreements"])
