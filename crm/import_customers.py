"""Import rules of ``customers.csv``: a customer and its primary contact."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, selectinload

from crm.csv_schema import Row
from crm.customers import Contact, Customer, CustomerStatus
from crm.import_common import (
    Item,
    Options,
    apply,
    bulk_insert,
    differs,
    fetch_by_external_id,
    flag_duplicates,
    settle,
)


def check_customers(session: Session, rows: Sequence[Row], opts: Options) -> list[Item]:
    """Customers and their primary contact (named after the customer unless given)."""
    flag_duplicates(rows, "customer_id")
    existing = fetch_by_external_id(
        session,
        Customer,
        (r.get("customer_id") for r in rows if r.get("customer_id")),
        selectinload(Customer.contacts),
    )
    items = []
    for row in rows:
        if row.errors:
            continue
        v = row.values
        values = {
            "name": v["name"],
            "status": v["status"] or CustomerStatus.ACTIVE,
            "email": v["email"],
            "phone": v["phone"],
            "tags": v["tags"] or [],
            "notes": v["notes"],
        }
        contact = {"name": v["contact_name"] or v["name"], "email": v["email"], "phone": v["phone"]}
        item = Item(row, v["customer_id"], existing.get(v["customer_id"]), values, contact)
        primary = primary_contact(item.existing) if item.existing is not None else None
        settle(item, item.existing is not None and (primary is None or differs(primary, contact)))
        items.append(item)
    return items


def primary_contact(customer: Customer) -> Contact | None:
    return next((c for c in customer.contacts if c.is_primary), None)


def write_customers(session: Session, items: Sequence[Item]) -> None:
    created = [item for item in items if item.status == "created"]
    ids = bulk_insert(
        session, Customer, [{"external_id": i.external_id, **i.values} for i in created]
    )
    bulk_insert(
        session,
        Contact,
        [
            {"customer_id": cid, "is_primary": True, **i.extra}
            for cid, i in zip(ids, created, strict=True)
        ],
    )
    for item in items:
        if item.status == "updated":
            apply(item.existing, item.values)
            primary = primary_contact(item.existing)
            if primary is None:
                item.existing.contacts.append(Contact(is_primary=True, **item.extra))
            else:
                apply(primary, item.extra)
