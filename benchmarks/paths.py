"""Where the benchmark instances live.

Instance files are public and large, so they are never copied into the repository. They are
found, in this order, in the directory given by ``--instances``, the ``ROUNDS_BENCHMARKS_DIR``
environment variable, or ``../shared/benchmarks`` next to the repository root.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "ROUNDS_BENCHMARKS_DIR"
REPO_ROOT = Path(__file__).resolve().parents[1]


def instances_dir(override: str | Path | None = None) -> Path:
    """The instances directory (it may not exist; callers decide what that means)."""
    if override:
        return Path(override)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return (REPO_ROOT / ".." / "shared" / "benchmarks").resolve()


def resolve_instance(arg: str | Path, base: Path) -> Path:
    """A file named on the command line: as given if it exists, else relative to ``base``.

    Raises
    ------
    FileNotFoundError
        When neither exists.
    """
    path = Path(arg)
    if path.exists():
        return path
    if not path.is_absolute() and (base / path).exists():
        return base / path
    raise FileNotFoundError(f"no such instance file: {arg} (also looked in {base})")
