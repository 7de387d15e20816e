"""The sample company: a seeded generator of a Tampa Bay window, lawn and pool business.

`generate(seed, n_customers)` builds customers, sites, agreements (with today's as-is crew and
weekday assignment) and crews; `data/generate_company.py` writes them as the CSV files of
data/README.md. The same seed gives the same company on every machine: only numpy's
`default_rng(seed)` draws numbers and nothing reads the clock.
"""

from __future__ import annotations

from .company import Company, generate

__all__ = ["Company", "generate"]
