"""``rounds completions import``, ``rounds invoice`` and ``rounds aging`` end to end."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import Engine

from crm.db import make_session_factory
from tests.crm.billing_helpers import make_company

SHEET = ("agreement_id,date,crew_id,start,end,planned_visit_id,note\n"
         "A1,2026-11-03,CR1,09:00,09:30,,\nA2,2026-11-05,CR1,10:00,10:20,,\n")


def test_cli_import_invoice_export_aging(runner: FlaskCliRunner, engine: Engine, tmp_path: Path):
    """Import a sheet, invoice November twice (second run: nothing), export, age."""
    with make_session_factory(engine)() as session:
        make_company(session)
        session.commit()
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    result = runner.invoke(args=["completions", "import", str(sheet)])
    assert result.exit_code == 0, result.output
    assert "2 were created" in result.output
    export = tmp_path / "qb.csv"
    result = runner.invoke(args=["invoice", "--period", "2026-11", "--export", str(export)])
    assert result.exit_code == 0, result.output
    assert "2 invoice(s), 2026-000001 to 2026-000002, 2 visit(s), total 81.71" in result.output
    assert len(export.read_text(encoding="utf-8").splitlines()) == 3
    again = runner.invoke(args=["invoice", "--period", "2026-11"])
    assert "nothing to invoice" in again.output
    aging = runner.invoke(args=["aging", "--as-of", "2027-02-14"])
    assert aging.exit_code == 0, aging.output
    assert "81.71" in aging.output.splitlines()[-1]


def test_cli_import_bad_sheet_fails_with_row_errors(runner: FlaskCliRunner, tmp_path: Path):
    """Unknown ids are reported by row and the command exits non-zero."""
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    result = runner.invoke(args=["completions", "import", str(sheet)])
    assert result.exit_code == 1
    assert "row 2, column agreement_id: no agreement with id 'A1'" in result.output
    assert "nothing was imported" in result.output


def test_cli_invoice_rejects_bad_period(runner: FlaskCliRunner):
    """A malformed period is a usage error, not a traceback."""
    result = runner.invoke(args=["invoice", "--period", "Nov"])
    assert result.exit_code == 2 and "not a month" in result.output
