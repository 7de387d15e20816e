"""What an import tells its caller: counts, and every problem with its row and column.

Kept apart from the import logic so that the CLI and the dashboard can render reports without
importing pandas or the per-kind rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class RowError:
    """One problem: ``row`` counts the header as row 1 (as a spreadsheet shows it).

    ``row`` is None for problems with the whole file (encoding, no header); ``column`` is None
    when no single column is to blame.
    """

    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column}" if self.column is not None else "",
            )
            if part
        )
        return f"{where}: {self.reason}" if where else self.reason


@dataclass
class ImportReport:
    """The outcome of :func:`crm.importer.import_csv` for one file.

    With errors nothing was written and the counts say what *would* have happened to the rows
    that were valid; with ``dry_run`` nothing was written either.
    """

    kind: str
    source: str = ""
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    geocoded: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file had no errors (and, unless a dry run, was written)."""
        return not self.errors

    def summary(self) -> str:
        """One line for a terminal or a flash message."""
        name = self.source or f"{self.kind}.csv"
        if self.errors:
            return (
                f"{name}: {len(self.errors)} error(s) in {self.rows} row(s); nothing was imported"
            )
        verb = "would be" if self.dry_run else "were"
        text = (
            f"{name}: {self.rows} row(s); {self.created} {verb} created, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )
        if self.geocoded:
            text += f"; {self.geocoded} address(es) geocoded"
        return text + (" (dry run)" if self.dry_run else "")
