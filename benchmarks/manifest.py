"""Best-known values from the instance folders' ``manifest.csv`` files.

Each folder's ``manifest.csv`` has the columns
``instance,file,customers,bks_distance,bks_vehicles,convention,source,cross_check,notes``;
``file`` is relative to the instances directory. Solomon has two conventions: ``manifest.csv``
is hierarchical (fewest vehicles first, then distance; SINTEF TOP) and
``solomon/bks_distance_only.csv`` is distance only (more vehicles allowed). A distance-only
optimizer with the fleet limit of the file competes with the first only where the best-known
solution uses the whole fleet, so the runner reports the gap to both.

Values are looked up by the file's path relative to the instances directory, never by name:
a file cut from C101 must not inherit C101's best-known value, and ``pvrp/pr01`` and
``pvrptw/pr01`` are different problems.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MAIN = "manifest.csv"
DISTANCE_ONLY = "bks_distance_only.csv"


@dataclass(frozen=True)
class BestKnown:
    """One manifest row; ``distance``/``vehicles`` are ``None`` where no value is known."""

    instance: str
    file: str
    customers: int
    distance: float | None
    vehicles: int | None
    convention: str
    notes: str


def read_manifest(path: Path) -> tuple[BestKnown, ...]:
    """Read one manifest CSV."""
    with Path(path).open(newline="") as fh:
        return tuple(
            BestKnown(
                instance=row["instance"],
                file=row["file"],
                customers=int(row["customers"]),
                distance=float(row["bks_distance"]) if row["bks_distance"] else None,
                vehicles=int(row["bks_vehicles"]) if row["bks_vehicles"] else None,
                convention=row["convention"],
                notes=row["notes"],
            )
            for row in csv.DictReader(fh)
        )


@cache
def _rows(path: Path) -> dict[str, BestKnown]:
    return {r.file: r for r in read_manifest(path)} if path.is_file() else {}


def best_known(instance_path: Path, base: Path) -> tuple[BestKnown | None, BestKnown | None]:
    """The folder manifest's row and the distance-only row for an instance file.

    Returns ``(None, None)`` for files outside ``base`` or not listed.
    """
    try:
        rel = Path(instance_path).resolve().relative_to(Path(base).resolve())
    except ValueError:
        return None, None
    folder = Path(base).resolve() / rel.parts[0]
    key = rel.as_posix()
    return _rows(folder / MAIN).get(key), _rows(folder / DISTANCE_ONLY).get(key)


def listed_files(folder: Path) -> list[Path]:
    """The instance files a folder's manifest lists, in manifest order (empty if none)."""
    folder = Path(folder)
    manifest = folder / MAIN
    if not manifest.is_file():
        return []
    return [folder / Path(r.file).name for r in read_manifest(manifest)]
