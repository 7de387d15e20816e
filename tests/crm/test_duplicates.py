"""Duplicate detection with reasons, and a merge that moves everything and loses nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select, table
from sqlalchemy.orm import Session

from crm.agreements import Agreement
from crm.billing import PaymentMethod
from crm.customers import Contact, Customer, CustomerStatus, Site
from crm.db import Base
from crm.duplicates import (
    MergeError,
    find_duplicates,
    merge_customers,
    name_similarity,
    normalize_address,
    phone_digits,
    referencing_columns,
)
from crm.estimates import Estimate
from crm.invoicing import invoice_period
from crm.notes import add_note, history
from crm.payments import balance, record_payment
from tests.crm.billing_helpers import complete, make_company
from tests.crm.crm_helpers import make_estimate


def test_normalisers() -> None:
    """Phones compare on digits, addresses on USPS abbreviations, names on sorted words."""
    assert phone_digits("+1 (813) 555-0102") == phone_digits("813.555.0102") == "8135550102"
    assert phone_digits("555") == ""
    assert normalize_address("12 Palm Avenue, Tampa") == normalize_address("12 palm ave tampa")
    assert name_similarity("Smith, Ann", "Ann Smith") == 1.0
    assert name_similarity("Bay Pools LLC", "Bay Pools") == 1.0
    assert name_similarity("Ann Smith", "Bob Jones") < 0.5


def _customer(session: Session, ext: str, name: str, address: str, **kw: str) -> Customer:
    customer = Customer(external_id=ext, name=name, **kw)
    Site(external_id=f"S-{ext}", customer=customer, address=address)
    session.add(customer)
    return customer


def test_find_duplicates_scores_with_reasons(session: Session) -> None:
    """Same phone + similar name + same address is a near-certain pair; strangers are not."""
    a = _customer(session, "D1", "Ann Smith", "12 Palm Avenue, Tampa", phone="813-555-0102")
    b = _customer(session, "D2", "Smith, Ann", "12 Palm Ave, Tampa", phone="(813) 555 0102")
    _customer(session, "D3", "Bob Jones", "99 Elm Rd, Tampa", phone="813-555-9999")
    c = _customer(session, "D4", "Anne Smyth", "7 Oak St, Tampa")
    session.flush()
    pairs = find_duplicates(session)
    top = pairs[0]
    assert (top.first, top.second) == (a, b)
    assert top.score == 1.0
    assert top.reasons == ("same phone 8135550102", "same name",
                           "same address 12 Palm Avenue, Tampa")
    assert all({p.first.external_id, p.second.external_id} != {"D1", "D3"} for p in pairs)
    assert all(c not in (p.first, p.second) for p in pairs), "a similar name alone is weak"
    near = [p for p in find_duplicates(session, threshold=0.4) if c in (p.first, p.second)]
    assert [(p.first, p.reasons) for p in near] == [(a, ("similar name (84%)",)),
                                                    (b, ("similar name (84%)",))]


def _row_counts(session: Session) -> dict[str, int]:
    return {
        name: session.scalar(select(func.count()).select_from(table(name))) or 0
        for name in Base.metadata.tables
    }


def test_merge_moves_everything_and_loses_no_row(session: Session) -> None:
    """Every table has as many rows after the merge as before; all of K2's rows now belong to
    K1; K2 is kept, inactive, with a note saying where it went."""
    company = make_company(session)
    k1, k2 = company.k1, company.k2
    k2.tags, k1.tags = ["pool", "vip"], ["residential"]
    session.add(Contact(customer=k2, name="Front desk", phone="813-555-0000"))
    add_note(session, k2.id, "called about the pump")
    make_estimate(session, k2, company.pool.service_type)
    complete(session, company, company.pool, dt.date(2026, 11, 3))
    complete(session, company, company.windows, dt.date(2026, 11, 4))
    invoices = invoice_period(session, "2026-11")
    k2_invoice = next(i for i in invoices if i.customer_id == k2.id)
    record_payment(session, k2, Decimal("10.00"), PaymentMethod.CASH, dt.date(2026, 12, 5),
                   invoice=k2_invoice)
    balance_before = balance(session, k1) + balance(session, k2)
    before = _row_counts(session)
    moved = merge_customers(session, k1, k2, author="office@example.com")
    session.commit()
    after = _row_counts(session)
    notes_added = 2
    assert after == {**before, "customer_note": before["customer_note"] + notes_added}
    assert moved == {"contact": 1, "customer_note": 1, "estimate": 1, "invoice": 1,
                     "payment": 1, "site": 1}
    for tbl, column in referencing_columns():
        assert session.scalar(
            select(func.count()).select_from(tbl).where(tbl.c[column] == k2.id)
        ) == (notes_added // 2 if tbl.name == "customer_note" else 0), tbl.name
    assert {s.external_id for s in k1.sites} == {"S1", "S2"}
    assert session.scalar(select(func.count(Agreement.id)).join(Site).where(
        Site.customer_id == k1.id)) == 2
    assert session.scalar(select(func.count(Estimate.id)).where(
        Estimate.customer_id == k1.id)) == 1
    assert balance(session, k1) == balance_before
    assert k2.status is CustomerStatus.INACTIVE
    assert k2.notes.startswith("merged into Ann Smith (K1)")
    assert k1.tags == ["pool", "residential", "vip"]
    bodies = [note.body for note in history(session, k1.id)]
    assert bodies[0].startswith("Merged Bay Pools LLC (K2) into this customer; moved 1 contact")
    assert "called about the pump" in bodies
    assert all(k2 not in (p.first, p.second) for p in find_duplicates(session, threshold=0))


def test_merge_into_itself_is_refused(session: Session) -> None:
    company = make_company(session)
    with pytest.raises(MergeError):
        merge_customers(session, company.k1, company.k1)
