"""File-level problems: each gives one clear error, and nothing is written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from crm.importer import IMPORT_KINDS, RowError, import_csv
from tests.crm.import_helpers import assert_untouched, dump

CUSTOMERS_HEADER = "customer_id,name,email\n"


def _import_bytes(session: Session, tmp_path: Path, data: bytes, kind: str = "customers"):
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(data)
    return import_csv(session, kind, path, no_geocode=True)


def test_import_kinds_are_in_load_order() -> None:
    """Crews and customers first, sites refer to customers, agreements to sites and crews."""
    assert IMPORT_KINDS == ("crews", "customers", "sites", "agreements")


def test_row_error_text_names_row_and_column() -> None:
    """The message format the CLI prints, as in data/README.md."""
    assert str(RowError(7, "lat", "95.2 is out of range [-90, 90]")) == (
        "row 7, column lat: 95.2 is out of range [-90, 90]"
    )
    assert str(RowError(3, None, "x")) == "row 3: x"
    assert str(RowError(None, None, "the file is empty")) == "the file is empty"


def test_unknown_kind_is_a_programming_error(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown import kind 'visits'"):
        import_csv(session, "visits", tmp_path / "x.csv")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"", "the file is empty: expected a header row and data rows", id="empty"),
        pytest.param(
            b"  \n\n", "the file is empty: expected a header row and data rows", id="blank"
        ),
        pytest.param(
            CUSTOMERS_HEADER.encode() + "K1,José Núñez,\n".encode("latin-1"),
            "the file is not UTF-8 text (byte 0xe9 on line 2); save it as 'CSV UTF-8'",
            id="latin-1",
        ),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
            "the file is not a CSV text file (it contains binary data)",
            id="binary",
        ),
    ],
)
def test_unreadable_file_is_one_file_level_error(
    session: Session, tmp_path: Path, data: bytes, reason: str
) -> None:
    before = dump(session)
    report = _import_bytes(session, tmp_path, data)
    assert [str(e) for e in report.errors] == [reason]
    assert report.errors[0].row is None and not report.ok
    assert_untouched(session, before)


def test_missing_required_columns_are_named(seeded: Session, tmp_path: Path) -> None:
    """A header without customer_id and name: one error naming both."""
    before = dump(seeded)
    report = _import_bytes(seeded, tmp_path, b"email,phone\nann@example.com,1\n")
    assert [str(e) for e in report.errors] == [
        "row 1: missing required column(s): customer_id, name"
    ]
    assert_untouched(seeded, before)


def test_unknown_column_is_rejected_with_a_suggestion(seeded: Session, tmp_path: Path) -> None:
    """Unknown columns are usually typos: the closest known name is suggested."""
    before = dump(seeded)
    report = _import_bytes(seeded, tmp_path, b"customer_id,name,emial\nK9,New,x@y.z\n")
    assert [str(e) for e in report.errors] == [
        "row 1, column emial: unknown column (did you mean email?)"
    ]
    assert_untouched(seeded, before)


def test_duplicate_header_column_is_rejected(session: Session, tmp_path: Path) -> None:
    report = _import_bytes(session, tmp_path, b"customer_id,name,name\nK1,A,B\n")
    assert [str(e) for e in report.errors] == [
        "row 1, column name: the column appears twice in the header"
    ]


def test_row_with_too_many_cells_is_reported_by_row(seeded: Session, tmp_path: Path) -> None:
    """pandas would silently drop the extra cell; the row is reported instead."""
    before = dump(seeded)
    report = _import_bytes(
        seeded, tmp_path, (CUSTOMERS_HEADER + "K1,Ann,a@b.cd\nK2,Bob,b@c.de,extra\n").encode()
    )
    assert [str(e) for e in report.errors] == ["row 3: 4 cells, but the header has 3 columns"]
    assert_untouched(seeded, before)


def test_header_only_file_imports_nothing(session: Session, tmp_path: Path) -> None:
    report = _import_bytes(session, tmp_path, CUSTOMERS_HEADER.encode())
    assert report.ok and (report.rows, report.created) == (0, 0)


def test_bom_and_header_case_are_accepted(session: Session, tmp_path: Path) -> None:
    """Spreadsheets write a byte-order mark and people capitalise headers."""
    report = _import_bytes(session, tmp_path, "\ufeffCustomer_ID, Name\nK1,Ann\n".encode())
    assert report.ok and report.created == 1


def test_blank_rows_are_skipped_but_counted(session: Session, tmp_path: Path) -> None:
    """Row numbers stay those a spreadsheet shows, even after blank rows."""
    data = (CUSTOMERS_HEADER + "K1,Ann,\n\n,,\nK2,,\n").encode()
    report = _import_bytes(session, tmp_path, data)
    assert [str(e) for e in report.errors] == ["row 5, column name: is required but empty"]
    assert report.rows == 2


def test_multi_line_cell_counts_as_one_row(session: Session, tmp_path: Path) -> None:
    data = b'customer_id,name,notes\nK1,Ann,"gate code 1234\nbeware of the dog"\nK2,,\n'
    report = _import_bytes(session, tmp_path, data)
    assert [str(e) for e in report.errors] == ["row 3, column name: is required but empty"]


def test_na_strings_are_text_not_missing(session: Session, tmp_path: Path) -> None:
    """``keep_default_na=False``: a customer called "NA" or "null" keeps the name."""
    report = _import_bytes(session, tmp_path, b"customer_id,name\nNA,null\n")
    assert report.ok and report.created == 1


@pytest.mark.parametrize("mode", ["binary", "text"])
def test_open_file_objects_are_accepted(session: Session, mode: str) -> None:
    """The dashboard passes uploads as file objects."""
    text = "customer_id,name\nK1,Ann\n"
    source = io.BytesIO(text.encode()) if mode == "binary" else io.StringIO(text)
    report = import_csv(session, "customers", source)
    assert report.ok and report.created == 1
