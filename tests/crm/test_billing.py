"""Completions, invoicing, numbering, voids and credit notes, payments and aging."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.billing import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, PaymentMethod
from crm.completions import CompletionError, import_completions, record_completion
from crm.invoicing import (
    QUICKBOOKS_COLUMNS,
    InvoicingError,
    credit_note,
    export_quickbooks_csv,
    invoice_period,
    mark_sent,
    money,
    next_numbers,
    void_invoice,
)
from crm.payments import ar_aging, balance, bucket, record_payment, update_statuses
from tests.crm.billing_helpers import Company, complete, make_company

NOV = "2026-11"
D = Decimal


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)


@pytest.fixture
def november(session: Session, company: Company) -> Company:
    """K1: two window visits (2 x 48.38 = 96.76); K2: one pool visit (33.33)."""
    complete(session, company, company.windows, dt.date(2026, 11, 3))
    complete(session, company, company.windows, dt.date(2026, 11, 17))
    complete(session, company, company.pool, dt.date(2026, 11, 5))
    complete(session, company, company.pool, dt.date(2026, 12, 1))  # next period
    return company


# --- completions ---------------------------------------------------------------------------


def test_record_completion_rejects_second_visit_same_day(session: Session, company: Company):
    """An agreement is completed at most once a day, so a re-sent sheet cannot double-bill."""
    complete(session, company, company.pool, dt.date(2026, 11, 5))
    with pytest.raises(CompletionError, match="already has a completed visit"):
        complete(session, company, company.pool, dt.date(2026, 11, 5))


def test_record_completion_rejects_naive_times(session: Session, company: Company):
    """Naive datetimes are refused: the crew's hour and the server's must mean the same."""
    start = dt.datetime(2026, 11, 5, 9)
    with pytest.raises(CompletionError, match="timezone-aware"):
        record_completion(session, agreement=company.pool, date=start.date(), crew=company.crew,
                          started_at=start, ended_at=start)


SHEET_HEADER = "agreement_id,date,crew_id,start,end,planned_visit_id,note\n"


def test_import_completions_twice_changes_nothing(session: Session, company: Company):
    """A crew sheet imported twice creates its visits once, then reports them unchanged."""
    sheet = SHEET_HEADER + (
        "A1,2026-11-03,CR1,09:00,09:30,,gate locked\n"
        "A2,2026-11-05,CR1,10:00,10:20,,\n"
    )
    tz = ZoneInfo("America/New_York")
    first = import_completions(session, io.StringIO(sheet), tz)
    second = import_completions(session, io.StringIO(sheet), tz)
    assert (first.created, first.errors) == (2, [])
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)


def test_import_completions_bad_row_writes_nothing(session: Session, company: Company):
    """One unknown agreement and one inverted time: both reported by row, nothing written."""
    sheet = SHEET_HEADER + (
        "A1,2026-11-03,CR1,09:00,09:30,,\n"
        "ZZ,2026-11-04,CR1,09:00,09:30,,\n"
        "A2,2026-11-05,CR1,10:00,09:20,,\n"
    )
    report = import_completions(session, io.StringIO(sheet), ZoneInfo("UTC"))
    assert [(e.row, e.column) for e in report.errors] == [(3, "agreement_id"), (4, "end")]
    assert session.scalars(select(InvoiceLine)).all() == []
    assert report.created == 1 and not report.ok
    from crm.billing import VisitCompletion

    assert session.scalars(select(VisitCompletion)).all() == []


def test_import_completions_refuses_to_change_an_invoiced_visit(session: Session,
                                                                company: Company):
    """Once billed, a visit's times are history: the sheet row becomes an error."""
    tz = ZoneInfo("UTC")
    import_completions(session, io.StringIO(SHEET_HEADER + "A1,2026-11-03,CR1,09:00,09:30,,\n"), tz)
    invoice_period(session, NOV)
    report = import_completions(
        session, io.StringIO(SHEET_HEADER + "A1,2026-11-03,CR1,09:00,10:30,,\n"), tz
    )
    assert [str(e) for e in report.errors] == [
        "row 2: the visit of 2026-11-03 is already invoiced and cannot be changed"
    ]


# --- invoicing -----------------------------------------------------------------------------


def test_invoice_period_one_invoice_per_customer_with_rounded_lines(session: Session,
                                                                    november: Company):
    """K1 gets 2 lines of 45.00 + 3.38 tax; K2 one untaxed line; December is left alone."""
    invoices = invoice_period(session, NOV)
    by_customer = {i.customer.external_id: i for i in invoices}
    k1, k2 = by_customer["K1"], by_customer["K2"]
    assert [(li.amount, li.tax_amount, li.line_total) for li in k1.lines] == [
        (D("45.00"), D("3.38"), D("48.38"))
    ] * 2
    assert (k1.subtotal, k1.tax_total, k1.total) == (D("90.00"), D("6.76"), D("96.76"))
    assert (k2.total, len(k2.lines)) == (D("33.33"), 1)
    assert k1.issue_date == dt.date(2026, 12, 1)
    assert k1.due_date == dt.date(2026, 12, 31)  # net 30
    assert {i.status for i in invoices} == {InvoiceStatus.DRAFT}


def test_invoice_period_twice_invoices_nothing_twice(session: Session, november: Company):
    """The second run finds every visit invoiced and creates nothing (no number used)."""
    first = invoice_period(session, NOV)
    assert invoice_period(session, NOV) == []
    assert next_numbers(session, 2026, 1) == [f"2026-{len(first) + 1:06d}"]


def test_invoice_period_rejects_bad_period(session: Session):
    """A period must be a month written YYYY-MM."""
    with pytest.raises(ValueError, match="2026-13"):
        invoice_period(session, "2026-13")


def test_money_rounds_half_up():
    """2.675 becomes 2.68 (banker's rounding would give 2.67... and surprise customers)."""
    assert money(D("2.675")) == D("2.68")
    assert money(D("-2.675")) == D("-2.68")


# --- numbering -----------------------------------------------------------------------------


def test_next_numbers_are_consecutive_per_year(session: Session):
    """Numbers continue across calls and restart at 1 in a new year."""
    assert next_numbers(session, 2026, 2) == ["2026-000001", "2026-000002"]
    assert next_numbers(session, 2026, 1) == ["2026-000003"]
    assert next_numbers(session, 2027, 1) == ["2027-000001"]


def test_numbers_of_a_rolled_back_batch_are_reused(session: Session, november: Company):
    """A failed batch leaves no gap: its numbers are handed out again after the rollback."""
    session.commit()
    invoice_period(session, NOV)
    session.rollback()
    again = invoice_period(session, NOV)
    assert [i.number for i in again] == ["2026-000001", "2026-000002"]


def test_numbers_have_no_gaps_with_voids_and_credit_notes(session: Session, november: Company):
    """Voids keep their number and credit notes take the next: 1..n without holes."""
    first = invoice_period(session, NOV)
    void_invoice(session, first[0], "wrong customer")
    second = invoice_period(session, NOV)  # re-bills the voided visits
    mark_sent(session, second)
    credit_note(session, second[0], issue_date=dt.date(2026, 12, 5), reason="complaint")
    numbers = sorted(session.scalars(select(Invoice.number)))
    assert numbers == [f"2026-{n:06d}" for n in range(1, len(numbers) + 1)]
    assert len(numbers) == 4


def test_invoice_number_is_unique(session: Session, company: Company):
    """The database refuses a duplicate number whatever the code does."""
    for _ in range(2):
        session.add(Invoice(number="2026-000001", customer=company.k1,
                            issue_date=dt.date(2026, 12, 1), due_date=dt.date(2026, 12, 31)))
    with pytest.raises(IntegrityError):
        session.flush()


# --- void and credit notes -----------------------------------------------------------------


def test_void_releases_visits_for_the_next_batch(session: Session, november: Company):
    """A voided draft's visits are invoiced again by the next run, under a new number."""
    (k1, _k2) = invoice_period(session, NOV)
    void_invoice(session, k1, "price typo")
    (again,) = invoice_period(session, NOV)
    assert k1.status is InvoiceStatus.VOID and "price typo" in (k1.note or "")
    assert again.customer_id == k1.customer_id and again.total == D("96.76")
    assert again.number == "2026-000003"


def test_void_refuses_a_sent_invoice(session: Session, november: Company):
    """Sent invoices are corrected with a credit note, never voided."""
    invoices = invoice_period(session, NOV)
    mark_sent(session, invoices)
    with pytest.raises(InvoicingError, match="credit note"):
        void_invoice(session, invoices[0], "oops")


def test_credit_note_negates_lines_and_settles_the_invoice(session: Session, november: Company):
    """The credit note mirrors the lines with negative amounts; the original is settled."""
    invoice = invoice_period(session, NOV)[0]
    mark_sent(session, [invoice])
    note = credit_note(session, invoice, issue_date=dt.date(2026, 12, 10), reason="complaint")
    assert note.kind is InvoiceKind.CREDIT_NOTE and note.credits_invoice is invoice
    assert [li.line_total for li in note.lines] == [-li.line_total for li in invoice.lines]
    assert note.total == -invoice.total
    assert invoice.status is InvoiceStatus.PAID
    assert balance(session, november.k1) == D("0.00")
    assert invoice_period(session, NOV) == []  # rebill=False: the visits stay billed


def test_credit_note_with_rebill_releases_visits(session: Session, november: Company):
    """rebill=True lets the next batch invoice the visits again (e.g. a wrong price)."""
    invoice = invoice_period(session, NOV)[0]
    mark_sent(session, [invoice])
    credit_note(session, invoice, issue_date=dt.date(2026, 12, 10), reason="price", rebill=True)
    (again,) = invoice_period(session, NOV, issue_date=dt.date(2026, 12, 10))
    assert again.total == invoice.total
    assert balance(session, november.k1) == invoice.total


def test_credit_note_only_once(session: Session, november: Company):
    """An invoice is credited at most once."""
    invoice = invoice_period(session, NOV)[0]
    mark_sent(session, [invoice])
    credit_note(session, invoice, issue_date=dt.date(2026, 12, 10), reason="x")
    with pytest.raises(InvoicingError, match="already credited"):
        credit_note(session, invoice, issue_date=dt.date(2026, 12, 11), reason="y")


def test_invoice_line_holds_a_visit_at_most_once(session: Session, november: Company):
    """The unique completion link refuses a second line for the same visit."""
    invoice = invoice_period(session, NOV)[0]
    line = invoice.lines[0]
    invoice.lines.append(InvoiceLine(position=9, completion_id=line.completion_id,
                                     service_code="x", description="dup", unit_price=D("1"),
                                     amount=D("1"), tax_amount=D("0"), line_total=D("1")))
    with pytest.raises(IntegrityError):
        session.flush()


# --- payments, statuses, aging ----------------------------------------------------------------


def _sent_k1(session: Session, company: Company) -> Invoice:
    invoice = next(i for i in invoice_period(session, NOV) if i.customer_id == company.k1.id)
    mark_sent(session, [invoice])
    return invoice


def test_partial_then_full_payment_marks_paid(session: Session, november: Company):
    """96.76 owed: 50.00 leaves it sent, 46.76 more makes it paid."""
    invoice = _sent_k1(session, november)
    record_payment(session, november.k1, D("50.00"), PaymentMethod.CHECK,
                   dt.date(2026, 12, 5), invoice=invoice)
    assert invoice.status is InvoiceStatus.SENT
    assert balance(session, november.k1) == D("46.76")
    record_payment(session, november.k1, D("46.76"), PaymentMethod.CARD,
                   dt.date(2026, 12, 6), invoice=invoice)
    assert invoice.status is InvoiceStatus.PAID
    assert balance(session, november.k1) == D("0.00")


def test_payment_on_account_pays_the_oldest_invoice(session: Session, november: Company):
    """A payment without an invoice settles the oldest open invoice."""
    invoice = _sent_k1(session, november)
    record_payment(session, november.k1, D("96.76"), PaymentMethod.TRANSFER, dt.date(2027, 1, 2))
    assert invoice.status is InvoiceStatus.PAID


def test_update_statuses_marks_overdue_after_due_date(session: Session, november: Company):
    """Due 2026-12-31: sent on that day, overdue the day after."""
    invoice = _sent_k1(session, november)
    update_statuses(session, dt.date(2026, 12, 31))
    assert invoice.status is InvoiceStatus.SENT
    update_statuses(session, dt.date(2027, 1, 1))
    assert invoice.status is InvoiceStatus.OVERDUE


def test_record_payment_rejects_other_customers_invoice(session: Session, november: Company):
    """A payment cannot be applied to another customer's invoice."""
    invoice = _sent_k1(session, november)
    with pytest.raises(ValueError, match="another customer"):
        record_payment(session, november.k2, D("1.00"), PaymentMethod.CASH,
                       dt.date(2026, 12, 5), invoice=invoice)


@pytest.mark.parametrize(
    ("days", "name"),
    [(-5, "current"), (0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"),
     (60, "31-60"), (61, "61-90"), (90, "61-90"), (91, "over 90")],
)
def test_bucket_edges(days: int, name: str):
    """Bucket edges are inclusive at the top: 30 days past due is still 1-30."""
    assert bucket(days) == name


def test_ar_aging_buckets_open_amounts(session: Session, november: Company):
    """K1's 96.76 (due 2026-12-31) is 45 days past due on 2027-02-14; K2 pays in full."""
    invoices = invoice_period(session, NOV)
    mark_sent(session, invoices)
    k2 = next(i for i in invoices if i.customer_id == november.k2.id)
    record_payment(session, november.k2, D("33.33"), PaymentMethod.CASH, dt.date(2026, 12, 2),
                   invoice=k2)
    report = ar_aging(session, dt.date(2027, 2, 14))
    assert [(r.customer_name, r.buckets["31-60"], r.total) for r in report.rows] == [
        ("Ann Smith", D("96.76"), D("96.76"))
    ]
    assert report.totals["current"] == D("0.00")


# --- export --------------------------------------------------------------------------------


def test_quickbooks_export_one_row_per_line(session: Session, november: Company, tmp_path: Path):
    """The export has the QuickBooks header and one row per line, amounts with two decimals."""
    invoices = invoice_period(session, NOV)
    path = tmp_path / "qb.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        assert export_quickbooks_csv(invoices, file) == 3
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert tuple(rows[0]) == QUICKBOOKS_COLUMNS
    first = rows[0]
    assert (first["InvoiceNo"], first["Customer"], first["InvoiceDate"], first["DueDate"]) == (
        "2026-000001", "Ann Smith", "12/01/2026", "12/31/2026"
    )
    assert (first["ItemQuantity"], first["ItemRate"], first["ItemAmount"],
            first["ItemTaxCode"], first["ItemTaxAmount"]) == ("1", "45.00", "45.00", "TAX", "3.38")
    assert rows[2]["ItemTaxCode"] == "NON"
