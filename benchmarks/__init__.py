"""Benchmark instance readers, an independent checker and the benchmark runner.

Run ``python -m benchmarks --help``. Results are written up in ``benchmarks/RESULTS.md``.
"""

from benchmarks.check import CheckResult as CheckResult
from benchmarks.check import check as check
from benchmarks.formats import read_instance as read_instance
from benchmarks.model import Customer as Customer
from benchmarks.model import Depot as Depot
from benchmarks.model import Instance as Instance
from benchmarks.model import Route as Route
