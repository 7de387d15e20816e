"""Generate the sample company's CSV files.

    python data/generate_company.py --seed 7 --out data/sample

The defaults reproduce the committed files in data/sample/ byte for byte. The generator itself
lives in the `data.sample_company` package; see "The sample company" in data/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data.sample_company.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
