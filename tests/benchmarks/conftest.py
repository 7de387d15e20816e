"""Fixtures for the benchmark tests.

The public instance files are not in the repository. Tests that need them use `bench_dir`,
which skips with the reason when the directory (``$ROUNDS_BENCHMARKS_DIR`` or
``../shared/benchmarks`` beside the repository) is absent.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from benchmarks.formats import read_instance
from benchmarks.model import Customer, Depot, Instance
from benchmarks.paths import ENV_VAR, instances_dir
from benchmarks.solomon import format_solomon


@pytest.fixture(scope="session")
def bench_dir() -> Path:
    """The public instances directory; skips when it is absent."""
    base = instances_dir()
    if not (base / "solomon" / "manifest.csv").is_file():
        pytest.skip(f"benchmark instances not found in {base} (set {ENV_VAR})")
    return base


def _synthetic_10() -> Instance:
    """Ten customers on a ring of radius 10 around the depot, wide windows, demand 10 each.

    Stands in for the C101 cut when the public files are absent, so the runner and solver
    tests still run.
    """
    import math

    customers = tuple(
        Customer(
            k,
            round(50 + 10 * math.cos(k), 3),
            round(50 + 10 * math.sin(k), 3),
            demand=10,
            service=10,
            ready=0,
            due=200,
        )
        for k in range(1, 11)
    )
    return Instance(
        name="TINY10",
        format="solomon",
        days=1,
        vehicles_per_day=3,
        capacity=50,
        depot=Depot(50, 50, 0, 400),
        customers=customers,
    )


@pytest.fixture
def c101_cut(tmp_path: Path) -> Path:
    """The depot and first 10 customers of C101 with the fleet cut to 3, in a temporary file.

    Falls back to a synthetic 10-customer instance when the public files are absent.
    """
    source = instances_dir() / "solomon" / "C101.txt"
    if source.is_file():
        full = read_instance(source)
        small = dataclasses.replace(full, vehicles_per_day=3, customers=full.customers[:10])
    else:
        small = _synthetic_10()
    path = tmp_path / "small_10.txt"
    path.write_text(format_solomon(small), newline="")
    return path


@pytest.fixture
def line() -> Instance:
    """Four customers on a 3-4-5 grid, no windows worth mentioning, two vehicles of capacity 10.

    Node coordinates: depot (0,0); 1 (3,4); 2 (6,8); 3 (0,5); 4 (0,-5).
    Distances: 0-1 = 5, 1-2 = 5, 0-2 = 10, 0-3 = 5, 0-4 = 5, 3-4 = 10, 1-3 = sqrt(10).
    """
    customers = (
        Customer(1, 3, 4, demand=4, service=1),
        Customer(2, 6, 8, demand=4, service=1),
        Customer(3, 0, 5, demand=3, service=1),
        Customer(4, 0, -5, demand=3, service=1),
    )
    return Instance(
        name="line",
        format="solomon",
        days=1,
        vehicles_per_day=2,
        capacity=10,
        depot=Depot(0, 0, 0, 100),
        customers=customers,
    )
