"""Reader for the Solomon / Gehring-Homberger VRPTW text format.

Layout (Solomon 1987; Gehring & Homberger 1999 reuse it)::

    C101
    VEHICLE
    NUMBER     CAPACITY
      25         200
    CUSTOMER
    CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME
        0      40         50          0          0       1236          0
        1      45         68         10        912        967         90

Row 0 is the depot; its due date is the horizon by which every vehicle must be back. The
public copies have CRLF line endings and blank lines between the blocks, so parsing goes by
keywords and numeric rows rather than by line numbers. ``NUMBER`` is the fleet limit.
"""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks.model import Customer, Depot, Instance

_HOMBERGER_NAME = re.compile(r"(?i)(c|r|rc)[12]_\d+_\d+")


def parse_solomon(text: str, name: str | None = None) -> Instance:
    """Parse the text of a Solomon or Gehring-Homberger file.

    Parameters
    ----------
    text
        The whole file; CRLF or LF line endings.
    name
        Overrides the name on the first line.

    Returns
    -------
    Instance
        A one-day instance; ``format`` is ``"homberger"`` when the name looks like ``c1_2_1``,
        else ``"solomon"``.

    Raises
    ------
    ValueError
        When a block is missing or a customer row is malformed.
    """
    lines = [line.strip() for line in text.splitlines()]
    nonblank = [line for line in lines if line]
    if not nonblank:
        raise ValueError("empty file")
    file_name = nonblank[0]
    upper = [line.upper() for line in lines]
    try:
        fleet_at = next(i for i, line in enumerate(upper) if line.startswith("NUMBER"))
        table_at = next(i for i, line in enumerate(upper) if line.startswith("CUST NO"))
    except StopIteration:
        raise ValueError("not a Solomon file: no NUMBER/CAPACITY or CUST NO. header") from None
    fleet_row = next((line.split() for line in lines[fleet_at + 1 :] if line), [])
    if len(fleet_row) != 2:
        raise ValueError("not a Solomon file: expected 'NUMBER CAPACITY' values")
    vehicles, capacity = int(fleet_row[0]), int(fleet_row[1])

    rows = [line.split() for line in lines[table_at + 1 :] if line]
    for row in rows:
        if len(row) != 7:
            raise ValueError(f"customer row with {len(row)} fields, expected 7: {' '.join(row)}")
    if not rows or int(rows[0][0]) != 0:
        raise ValueError("the first customer row must be the depot (number 0)")
    _, dx, dy, _, d_ready, d_due, _ = (float(v) for v in rows[0])
    depot = Depot(x=dx, y=dy, ready=d_ready, due=d_due)
    customers = tuple(
        Customer(
            number=int(row[0]),
            x=float(row[1]),
            y=float(row[2]),
            demand=int(float(row[3])),
            ready=float(row[4]),
            due=float(row[5]),
            service=float(row[6]),
        )
        for row in rows[1:]
    )
    final_name = name or file_name
    fmt = "homberger" if _HOMBERGER_NAME.fullmatch(final_name) else "solomon"
    return Instance(
        name=final_name,
        format=fmt,
        days=1,
        vehicles_per_day=vehicles,
        capacity=capacity,
        depot=depot,
        customers=customers,
    )


def read_solomon(path: Path) -> Instance:
    """Read a Solomon or Gehring-Homberger file; see `parse_solomon`."""
    return parse_solomon(Path(path).read_text())


def format_solomon(instance: Instance) -> str:
    """Write an instance back in Solomon layout (CRLF), e.g. to cut a small test instance."""
    head = [
        instance.name,
        "",
        "VEHICLE",
        "NUMBER     CAPACITY",
        f"  {instance.vehicles_per_day}         {instance.capacity}",
        "",
        "CUSTOMER",
        "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME",
        "",
    ]
    d = instance.depot
    rows = [f"{0:5d} {d.x:10g} {d.y:10g} {0:10d} {d.ready:10g} {d.due:10g} {0:10d}"]
    rows += [
        f"{c.number:5d} {c.x:10g} {c.y:10g} {c.demand:10d} {c.ready:10g} {c.due:10g}"
        f" {c.service:10g}"
        for c in instance.customers
    ]
    return "\r\n".join(head + rows) + "\r\n"
