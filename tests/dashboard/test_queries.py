"""The list queries' ordering rules, on plain stand-ins (no database needed)."""

from __future__ import annotations

from types import SimpleNamespace

from dashboard.queries import _round_order


def test_crew_round_order_sorts_by_weekday_then_street_and_house_number() -> None:
    def agreement(id_: int, address: str, days: list[int]) -> SimpleNamespace:
        return SimpleNamespace(id=id_, site=SimpleNamespace(address=address), current_days=days)

    rows = [
        agreement(1, "10255 Oak Ave", [0]),
        agreement(2, "1042 Oak Ave", [0]),
        agreement(3, "7 Bay Rd", [3]),
        agreement(4, "Lot B, Harbour Park", [0]),
        agreement(5, "12 Elm St", []),
    ]
    assert [a.id for a in sorted(rows, key=_round_order)] == [4, 2, 1, 3, 5]
