"""Duplicate customers: find likely pairs with reasons, and merge one into the other.

Candidates are found by blocking (pairs sharing the first three letters of a name word,
phone digits, e-mail or the start of a site address), so the sample company's 400 customers
are compared in far fewer than 80,000 pairs; each candidate pair is then scored:

====================================  ======
reason                                weight
====================================  ======
same phone digits (last 10)           0.45
same e-mail                           0.45
similar name (normalised, >= 0.80)    0.55 x similarity
same site address (normalised)        0.45
similar site address (>= 0.90)        0.30
====================================  ======

The score is capped at 1.0; pairs at or above ``threshold`` (0.5) are reported.

The merge moves every row that points at the removed customer (found from the schema's
foreign keys, so tables added later are moved too) in the caller's transaction; agreements,
completions and planned visits follow their sites. The removed customer stays, INACTIVE,
with a "merged into" note: nothing is deleted.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Table, or_, select, update
from sqlalchemy.orm import Session, selectinload

from crm.customers import Customer, CustomerStatus
from crm.db import Base
from crm.notes import SYSTEM_AUTHOR, add_note

NAME_SIMILAR = 0.80
ADDRESS_SIMILAR = 0.90
THRESHOLD = 0.5
MERGED_PREFIX = "merged into "

_COMPANY_WORDS = {"llc", "inc", "ltd", "co", "corp", "company", "the", "and", "of"}
_STREET_WORDS = {
    "street": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr", "court": "ct",
    "lane": "ln", "boulevard": "blvd", "place": "pl", "circle": "cir", "north": "n",
    "south": "s", "east": "e", "west": "w", "highway": "hwy", "parkway": "pkwy",
}


def normalize_name(name: str) -> str:
    """Lower case, punctuation dropped, company suffixes dropped, words sorted."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    return " ".join(sorted(w for w in words if w not in _COMPANY_WORDS))


def normalize_address(address: str) -> str:
    """Lower case, punctuation dropped, street words abbreviated the USPS way."""
    words = re.findall(r"[a-z0-9]+", address.lower())
    return " ".join(_STREET_WORDS.get(w, w) for w in words)


def phone_digits(phone: str | None) -> str:
    """The last 10 digits (a leading country code 1 is ignored); "" when fewer than 7."""
    digits = re.sub(r"\D", "", phone or "")[-10:]
    return digits if len(digits) >= 7 else ""


def name_similarity(a: str, b: str) -> float:
    """The larger of the sequence ratio and the word-set overlap of the normalised names."""
    na, nb = normalize_name(a), normalize_name(b)
    if not na or not nb:
        return 0.0
    ratio = difflib.SequenceMatcher(None, na, nb).ratio()
    wa, wb = set(na.split()), set(nb.split())
    overlap = len(wa & wb) / min(len(wa), len(wb))
    return max(ratio, overlap if len(wa & wb) >= 2 or min(len(wa), len(wb)) == 1 else 0.0)


@dataclass(frozen=True)
class DuplicatePair:
    """Two customers that look like one; ``first`` is the older (the usual one to keep)."""

    first: Customer
    second: Customer
    score: float
    reasons: tuple[str, ...]


def _keys(customer: Customer) -> set[str]:
    keys = {f"n:{w[:3]}" for w in normalize_name(customer.name).split() if len(w) >= 3}
    if phone := phone_digits(customer.phone):
        keys.add(f"p:{phone}")
    if customer.email:
        keys.add(f"e:{customer.email.strip().lower()}")
    for site in customer.sites:
        words = normalize_address(site.address).split()
        if words:
            keys.add("a:" + " ".join(words[:3]))
    return keys


def score_pair(a: Customer, b: Customer) -> tuple[float, tuple[str, ...]]:
    """The pair's score (0..1) and the reasons behind it, as the table above."""
    score, reasons = 0.0, []
    if (pa := phone_digits(a.phone)) and pa == phone_digits(b.phone):
        score += 0.45
        reasons.append(f"same phone {pa}")
    if a.email and b.email and a.email.strip().lower() == b.email.strip().lower():
        score += 0.45
        reasons.append(f"same e-mail {a.email.strip().lower()}")
    similarity = name_similarity(a.name, b.name)
    if similarity >= NAME_SIMILAR:
        score += 0.55 * similarity
        reasons.append("same name" if similarity == 1.0 else f"similar name ({similarity:.0%})")
    best_address, best_text = 0.0, ""
    for sa, sb in itertools.product(a.sites, b.sites):
        na, nb = normalize_address(sa.address), normalize_address(sb.address)
        ratio = 1.0 if na == nb else difflib.SequenceMatcher(None, na, nb).ratio()
        if ratio > best_address:
            best_address, best_text = ratio, sa.address
    if best_address == 1.0:
        score += 0.45
        reasons.append(f"same address {best_text}")
    elif best_address >= ADDRESS_SIMILAR:
        score += 0.30
        reasons.append(f"similar address ({best_address:.0%}): {best_text}")
    return min(score, 1.0), tuple(reasons)


def find_duplicates(session: Session, threshold: float = THRESHOLD) -> list[DuplicatePair]:
    """Likely duplicate pairs among customers that are not merged away, best first."""
    customers = list(
        session.scalars(
            select(Customer)
            .where(or_(Customer.notes.is_(None), ~Customer.notes.like(f"{MERGED_PREFIX}%")))
            .order_by(Customer.id)
            .options(selectinload(Customer.sites))
        )
    )
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, customer in enumerate(customers):
        for key in _keys(customer):
            blocks[key].append(index)
    candidates = {
        pair for members in blocks.values() if len(members) < 50
        for pair in itertools.combinations(members, 2)
    }
    pairs = []
    for i, j in sorted(candidates):
        score, reasons = score_pair(customers[i], customers[j])
        if score >= threshold:
            pairs.append(DuplicatePair(customers[i], customers[j], round(score, 2), reasons))
    return sorted(pairs, key=lambda p: (-p.score, p.first.id, p.second.id))


# --- merge -------------------------------------------------------------------------------


class MergeError(ValueError):
    """A merge that cannot be done (a customer into itself)."""


def referencing_columns() -> list[tuple[Table, str]]:
    """Every (table, column) with a foreign key to ``customer.id``, other than the customer."""
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name == "customer":
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "customer" and fk.column.name == "id":
                found.append((table, fk.parent.name))
    return found


def merge_customers(
    session: Session, keep: Customer, remove: Customer, *, author: str = SYSTEM_AUTHOR
) -> dict[str, int]:
    """Move everything of ``remove`` to ``keep`` in the caller's transaction.

    Sites (with their agreements, completions and planned visits), contacts, notes,
    estimates, invoices, payments and any other row pointing at ``remove`` now point at
    ``keep``; tags are united and missing e-mail/phone copied. ``remove`` becomes INACTIVE
    with the note "merged into <name> (<id>)", and both histories record the merge.

    Returns
    -------
    dict[str, int]
        Rows moved per table (tables with none left out).
    """
    if keep.id == remove.id:
        raise MergeError("a customer cannot be merged into itself")
    session.flush()
    moved: dict[str, int] = {}
    for table, column in referencing_columns():
        result = session.execute(
            update(table).where(table.c[column] == remove.id).values({column: keep.id})
        )
        if result.rowcount:
            moved[table.name] = moved.get(table.name, 0) + result.rowcount
    keep.tags = sorted(set(keep.tags) | set(remove.tags))
    keep.email = keep.email or remove.email
    keep.phone = keep.phone or remove.phone
    if remove.status is CustomerStatus.ACTIVE or keep.status is CustomerStatus.ACTIVE:
        keep.status = CustomerStatus.ACTIVE
    remove.status = CustomerStatus.INACTIVE
    remove.notes = f"{MERGED_PREFIX}{keep.name} ({keep.external_id})" + (
        f"\n{remove.notes}" if remove.notes else ""
    )
    session.flush()
    session.expire_all()  # the bulk updates bypassed the identity map; everything is flushed
    summary = ", ".join(f"{n} {table}" for table, n in sorted(moved.items())) or "nothing"
    add_note(session, remove.id, f"Merged into {keep.name} ({keep.external_id}); moved {summary}",
             author=author)
    add_note(session, keep.id, f"Merged {remove.name} ({remove.external_id}) into this "
             f"customer; moved {summary}", author=author)
    return moved
