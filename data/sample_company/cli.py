"""Command line of the generator: `python data/generate_company.py --seed 7 --out data/sample`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .company import DEFAULT_CUSTOMERS, DEFAULT_SEED, generate
from .report import print_report, summarise
from .writer import write_all

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "sample"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="generate_company.py",
        description="Generate the seeded sample company (customers, sites, agreements, crews "
        "as CSV) and print the capacity check of its sample week 2026-W49.",
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 7)")
    p.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default data/sample)"
    )
    p.add_argument(
        "--customers",
        type=int,
        default=DEFAULT_CUSTOMERS,
        help="number of customers; crews scale with it (default 400)",
    )
    p.add_argument("--quiet", action="store_true", help="print only the files written")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.customers < 20:
        print("error: --customers must be at least 20", file=sys.stderr)
        return 2
    try:
        company = generate(args.seed, args.customers)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    paths = write_all(args.out, company.customers, company.sites, company.agreements, company.crews)
    active = [a for a in company.agreements if a.status == "active"]
    print(
        f"{company.name}: {len(company.customers)} customers, {len(company.sites)} sites, "
        f"{len(company.agreements)} agreements ({len(active)} active), "
        f"{len(company.crews)} crews"
    )
    for line in company.hired:
        print(line)
    if not args.quiet:
        stats, routes = summarise(company.crews, company.agreements, company.loads.routes)
        print_report(stats, routes, company.crews)
    for path in paths:
        print(f"wrote {path}")
    return 0
