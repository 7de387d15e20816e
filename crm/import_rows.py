"""The rules of each import file: checks across columns, references, and the upsert.

Each kind has a ``check_*`` function that turns parsed rows into :class:`Item` s (what would be
created or updated, with every row error recorded on its row) without writing anything, and a
``write_*`` function that applies the items. :mod:`crm.importer` only calls ``write_*`` when
no row of the file has an error: that is the whole of the all-or-nothing rule.

One module per kind (:mod:`crm.import_crews`, :mod:`crm.import_customers`,
:mod:`crm.import_sites`, :mod:`crm.import_agreements`) over :mod:`crm.import_common`; this
module gathers what the importer and the nightly job use.
"""

from __future__ import annotations

from crm.import_agreements import check_agreements, write_agreements
from crm.import_common import Item, Options
from crm.import_crews import check_crews, write_crews
from crm.import_customers import check_customers, write_customers
from crm.import_sites import check_sites, nearest_region, write_sites

__all__ = [
    "Item",
    "Options",
    "check_agreements",
    "check_crews",
    "check_customers",
    "check_sites",
    "nearest_region",
    "write_agreements",
    "write_crews",
    "write_customers",
    "write_sites",
]
