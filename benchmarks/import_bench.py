"""Import benchmark: a seeded 10,000-row customers.csv into a fresh SQLite database.

Measures the first import (everything created, then committed) and a re-import of the same
file (the idempotent path: every row compared, nothing written), and prints seconds and rows
per second for each. Run with::

    python -m benchmarks.import_bench [--rows 10000] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

import crm.models  # noqa: F401 - every table on Base.metadata
import scheduling.models  # noqa: F401 - billing links completions to planned visits
from crm.db import Base, make_engine, make_session_factory
from crm.importer import import_csv

FIRST = ["Ann", "Bob", "Carla", "Dev", "Eve", "Femi", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena"]
LAST = ["Smith", "Diaz", "Nguyen", "Okafor", "Park", "Rossi", "Singh", "Weber", "Young", "Zhou"]
TAGS = ["vip", "weekly", "gate", "dog", "commercial", "late_payer", "referral"]


def write_customers(path: Path, rows: int, seed: int) -> None:
    """``rows`` plausible customers; the same seed always writes the same file."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["customer_id", "name", "status", "email", "phone", "contact_name", "tags", "notes"]
        )
        for i in range(1, rows + 1):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            writer.writerow(
                [
                    f"C{i:06d}",
                    f"{first} {last}",
                    rng.choice(["active"] * 8 + ["prospect", "inactive"]),
                    f"{first.lower()}.{last.lower()}{i}@example.com" if rng.random() < 0.8 else "",
                    f"+1 813 555 {rng.randrange(10000):04d}" if rng.random() < 0.7 else "",
                    f"{rng.choice(FIRST)} {last}" if rng.random() < 0.2 else "",
                    ";".join(rng.sample(TAGS, rng.randrange(3))),
                    "side gate, code 1234" if rng.random() < 0.1 else "",
                ]
            )


def run(rows: int, seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "customers.csv"
        write_customers(path, rows, seed)
        engine = make_engine(f"sqlite:///{folder / 'bench.sqlite3'}")
        Base.metadata.create_all(engine)
        factory = make_session_factory(engine)
        results = {}
        for label in ("first import", "re-import"):
            with factory() as session:
                start = time.perf_counter()
                report = import_csv(session, "customers", path)
                session.commit()
                seconds = time.perf_counter() - start
            assert report.ok, report.errors[:5]
            print(
                f"{label:>12}: {rows} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s "
                f"(created {report.created}, updated {report.updated}, "
                f"unchanged {report.unchanged})"
            )
            results[label] = seconds
        engine.dispose()
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    run(args.rows, args.seed)


if __name__ == "__main__":
    main()
