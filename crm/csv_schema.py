"""The columns of each import file, and reading a file into typed, row-numbered cells.

The column tables mirror ``data/README.md``; text limits come from the model columns, so a
value that PostgreSQL would refuse is reported as a row error instead of failing the flush.
Reading is done by pandas with every column as a string and no NA guessing (``"NA"`` is a
customer's initials, not a missing value); typing is ours, cell by cell, so every problem gets
its row and column.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

import pandas as pd
from sqlalchemy import String

from crm import parsing as p
from crm.agreements import AgreementStatus
from crm.crews import Crew
from crm.customers import Customer, CustomerStatus, Site
from crm.import_report import RowError

Source = str | os.PathLike[str] | IO[bytes] | IO[str]
"""A path, or an open file in binary or text mode (e.g. an upload in the dashboard)."""

Parser = Callable[[str], Any]


@dataclass(frozen=True)
class Column:
    """One CSV column: its header name, whether it must be present and non-empty, its parser."""

    name: str
    parse: Parser
    required: bool = False


def _limit(column: Any) -> int:
    """The length of a ``String(n)`` model column."""
    sql_type = column.property.columns[0].type
    assert isinstance(sql_type, String) and sql_type.length
    return int(sql_type.length)


def _text(column: Any) -> Parser:
    return partial(p.parse_text, max_len=_limit(column))


def _free_text(text: str) -> str:
    return text


EXTERNAL_ID = _text(Customer.external_id)

CUSTOMER_COLUMNS = (
    Column("customer_id", EXTERNAL_ID, required=True),
    Column("name", _text(Customer.name), required=True),
    Column("status", partial(p.parse_choice, enum_cls=CustomerStatus)),
    Column("email", partial(p.parse_email, max_len=_limit(Customer.email))),
    Column("phone", _text(Customer.phone)),
    Column("contact_name", _text(Customer.name)),
    Column("tags", p.parse_list),
    Column("notes", _free_text),
)

SITE_COLUMNS = (
    Column("site_id", EXTERNAL_ID, required=True),
    Column("customer_id", EXTERNAL_ID, required=True),
    Column("address", _text(Site.address), required=True),
    Column("lat", p.parse_lat),
    Column("lon", p.parse_lon),
    Column("access_notes", _free_text),
    Column("required_skills", p.parse_skills),
    Column("region", _text(Site.region)),
)

MAX_DURATION_MIN = 24 * 60

AGREEMENT_COLUMNS = (
    Column("agreement_id", EXTERNAL_ID, required=True),
    Column("site_id", EXTERNAL_ID, required=True),
    Column("service", partial(p.parse_text, max_len=40), required=True),
    Column("frequency", p.parse_frequency, required=True),
    Column("day_patterns", p.parse_patterns),
    Column("min_spacing_days", partial(p.parse_int, lo=0, hi=6)),
    Column("tw_start", p.parse_time),
    Column("tw_end", p.parse_time),
    Column("duration_min", partial(p.parse_positive_int, hi=MAX_DURATION_MIN)),
    Column("price", p.parse_money),
    Column("season_start", p.parse_day_of_year),
    Column("season_end", p.parse_day_of_year),
    Column("preferred_crew_id", EXTERNAL_ID),
    Column("preferred_weekday", p.parse_weekday),
    Column("current_crew_id", EXTERNAL_ID),
    Column("current_days", p.parse_weekday_set),
    Column("anchor_date", p.parse_date),
    Column("priority", partial(p.parse_int, lo=1, hi=5)),
    Column("start_date", p.parse_date),
    Column("end_date", p.parse_date),
    Column("status", partial(p.parse_choice, enum_cls=AgreementStatus)),
)

CREW_COLUMNS = (
    Column("crew_id", EXTERNAL_ID, required=True),
    Column("name", _text(Crew.name), required=True),
    Column("skills", p.parse_skills, required=True),
    Column("start_lat", p.parse_lat, required=True),
    Column("start_lon", p.parse_lon, required=True),
    Column("end_lat", p.parse_lat),
    Column("end_lon", p.parse_lon),
    Column("shifts", p.parse_shifts, required=True),
    Column("lunch_min", partial(p.parse_int, lo=0, hi=240)),
    Column("lunch_start", p.parse_time),
    Column("lunch_end", p.parse_time),
    Column("hourly_cost", p.parse_money),
    Column("colour", p.parse_colour),
    Column("region", _text(Crew.region)),
)

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "crews": CREW_COLUMNS,
    "customers": CUSTOMER_COLUMNS,
    "sites": SITE_COLUMNS,
    "agreements": AGREEMENT_COLUMNS,
}
"""Columns of each file, in the order ``export_csv`` writes them."""


# --------------------------------------------------------------------------- rows


@dataclass
class Row:
    """One data row: raw cells, typed values (None = empty) and its errors so far."""

    number: int
    cells: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str | None, reason: str) -> None:
        """Record a problem; the column's value is not used by later checks."""
        self.errors.append(RowError(self.number, column, reason))
        if column is not None:
            self.failed.add(column)

    def ok(self, *columns: str) -> bool:
        """True when none of ``columns`` has failed (so checks across them make sense)."""
        return not self.failed.intersection(columns)

    def get(self, column: str) -> Any:
        """The typed value, or None when empty, absent from the file, or unreadable."""
        return None if column in self.failed else self.values.get(column)

    def both_or_neither(self, a: str, b: str) -> bool:
        """Report a pair (lat/lon, tw_start/tw_end) given by halves; True when it is fine."""
        if not self.ok(a, b):
            return False
        has_a, has_b = self.values.get(a) is not None, self.values.get(b) is not None
        if has_a and not has_b:
            self.error(b, f"{a} is given, so {b} is required too (both or neither)")
            return False
        if has_b and not has_a:
            self.error(a, f"{b} is given, so {a} is required too (both or neither)")
            return False
        return True


def parse_row(row: Row, columns: tuple[Column, ...]) -> None:
    """Type every cell of ``row``; empty required cells and unreadable cells become errors."""
    for column in columns:
        text = row.cells.get(column.name, "")
        if not text:
            row.values[column.name] = None
            if column.required:
                row.error(column.name, "is required but empty")
            continue
        try:
            row.values[column.name] = column.parse(text)
        except p.CellError as exc:
            row.error(column.name, str(exc))


# --------------------------------------------------------------------------- files


@dataclass
class Table:
    """A file read into rows, or the file-level errors that prevented it."""

    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class FileProblem(Exception):
    """The file as a whole cannot be read; the message is the one error reported."""


def source_name(source: Source) -> str:
    """A short name for messages: the file name, not the full path."""
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    return Path(str(getattr(source, "name", ""))).name or "upload"


def _read_text(source: Source) -> str:
    if isinstance(source, (str, os.PathLike)):
        try:
            data: bytes | str = Path(source).read_bytes()
        except OSError as exc:
            raise FileProblem(f"cannot read the file: {exc.strerror or exc}") from None
    else:
        data = source.read()
    if isinstance(data, str):
        text = data
    else:
        if b"\x00" in data:
            raise FileProblem("the file is not a CSV text file (it contains binary data)")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise FileProblem(
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
                "save it as 'CSV UTF-8'"
            ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise FileProblem("the file is empty: expected a header row and data rows")
    return text


def _check_header(header: list[str], columns: tuple[Column, ...]) -> list[RowError]:
    known = [c.name for c in columns]
    errors: list[RowError] = []
    seen: set[str] = set()
    for name in header:
        if name == "":
            errors.append(RowError(1, None, "a header cell is empty (every column needs a name)"))
        elif name in seen:
            errors.append(RowError(1, name, "the column appears twice in the header"))
        elif name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]}?" if close else f"expected: {', '.join(known)}"
            errors.append(RowError(1, name, f"unknown column ({hint})"))
        seen.add(name)
    missing = [c.name for c in columns if c.required and c.name not in seen]
    if missing:
        errors.append(RowError(1, None, f"missing required column(s): {', '.join(missing)}"))
    return errors


def _ragged_rows(text: str, width: int) -> list[RowError]:
    """Rows with more cells than the header (pandas only says "Error tokenizing data")."""
    errors = []
    for number, record in enumerate(csv.reader(io.StringIO(text)), start=1):
        if len(record) > width:
            errors.append(
                RowError(number, None, f"{len(record)} cells, but the header has {width} columns")
            )
    return errors


def read_table(source: Source, columns: tuple[Column, ...]) -> Table:
    """Read ``source`` into parsed rows; problems with the file as a whole end up in ``errors``.

    Rows whose cells are all empty are skipped but still counted, so that the numbers in
    messages match what a spreadsheet shows.
    """
    try:
        text = _read_text(source)
    except FileProblem as exc:
        return Table(errors=[RowError(None, None, str(exc))])
    try:
        raw_header = next(csv.reader(io.StringIO(text)))
    except (csv.Error, StopIteration) as exc:
        return Table(errors=[RowError(None, None, f"the header row cannot be read: {exc}")])
    header = [name.strip().lower() for name in raw_header]
    errors = _check_header(header, columns)
    if errors:
        return Table(errors=errors)
    try:
        with warnings.catch_warnings():
            # pandas only *warns* (and drops cells) when a row is longer than the header
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                index_col=False,
                header=0,
                names=header,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        ragged = _ragged_rows(text, len(header))
        return Table(errors=ragged or [RowError(None, None, f"the file is not valid CSV: {exc}")])
    except ValueError as exc:  # pragma: no cover - defensive: pandas' other refusals
        return Table(errors=[RowError(None, None, f"the file is not valid CSV: {exc}")])
    rows: list[Row] = []
    for number, record in enumerate(_records(frame), start=2):
        cells = {name: value.strip() for name, value in record.items()}
        if any(cells.values()):
            rows.append(Row(number, cells))
    for row in rows:
        parse_row(row, columns)
    return Table(rows=rows)


def _records(frame: pd.DataFrame) -> Iterator[dict[str, str]]:
    names = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        yield {
            name: ("" if value is None else str(value))
            for name, value in zip(names, values, strict=True)
        }
