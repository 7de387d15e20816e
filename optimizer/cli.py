"""Command line: solve a problem file without any database.

``solve_command`` is a plain click command so that the product's ``rounds``
group can register it as ``rounds solve``; ``python -m optimizer solve`` runs
the same command through :func:`main`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from optimizer.exceptions import InvalidProblemError
from optimizer.params import SolveParams
from optimizer.problem import ProblemData
from optimizer.solution import Progress
from optimizer.solve import solve


def _load(path: Path) -> ProblemData:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise click.ClickException(f"{path.name}: cannot read: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise click.ClickException(
            f"{path.name}: not valid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    try:
        return ProblemData.from_dict(document)
    except InvalidProblemError as error:
        raise click.ClickException(f"{path.name}: {error}") from None


class ProgressBar:
    """A one-line progress bar on stderr, redrawn from the solver's own callback.

    Shows the best cost seen so far and how many solutions were reported: the weekly planner
    reports every routing it tries (each day's solve counts its own solutions from 1), so both
    are kept here rather than read from the latest report.
    """

    def __init__(self, limit: float | None, enabled: bool) -> None:
        self.limit = limit
        self.enabled = enabled
        self.last = 0.0
        self.best: int | None = None
        self.reports = 0

    def __call__(self, progress: Progress) -> None:
        self.reports += 1
        if self.best is None or progress.best_cost < self.best:
            self.best = progress.best_cost
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.1:
            return
        self.last = now
        width = 30
        done = width if not self.limit else min(width, int(width * progress.elapsed_s / self.limit))
        limit = f"/{self.limit:.0f}" if self.limit else ""
        click.echo(
            f"\r[{'#' * done}{'.' * (width - done)}] {progress.elapsed_s:5.1f}{limit} s  "
            f"best {self.best}  ({self.reports} solution{'' if self.reports == 1 else 's'})",
            nl=False,
            err=True,
        )

    def close(self) -> None:
        if self.enabled and self.last:
            click.echo("", err=True)


@click.command("solve")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Problem file (JSON form of ProblemData, see optimizer/README.md).",
)
@click.option(
    "--output",
    "output_path",
    default="-",
    show_default=True,
    type=click.Path(path_type=Path, allow_dash=True),
    help="Where to write the solution document; '-' for stdout.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds of search (default: from --params, else 10).",
)
@click.option(
    "--params",
    "params_path",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="Solver settings (TOML).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel searches, one process each.",
)
@click.option(
    "--progress/--no-progress", default=True, show_default=True, help="Progress bar on stderr."
)
def solve_command(
    input_path: Path,
    output_path: Path,
    time_limit: float | None,
    params_path: Path | None,
    workers: int | None,
    progress: bool,
) -> None:
    """Solve a routing problem file and write the solution document."""
    data = _load(input_path)
    try:
        params = SolveParams.from_toml(params_path) if params_path else SolveParams()
    except (ValueError, TypeError) as error:
        raise click.ClickException(f"{params_path}: {error}") from None
    changes: dict[str, Any] = {}
    if time_limit is not None:
        changes["time_limit_s"] = time_limit
    if workers is not None:
        changes["num_workers"] = workers
    if changes:
        params = SolveParams.from_dict({**params.to_dict(), **changes})
    bar = ProgressBar(params.time_limit_s, progress)
    result = solve(data, params, progress=bar)
    bar.close()
    text = json.dumps(result.to_dict(), indent=2)
    if str(output_path) == "-":
        click.echo(text)
    else:
        output_path.write_text(text + "\n", encoding="utf-8")
    click.echo(result.summary(), err=True)


@click.group()
def main() -> None:
    """Rounds optimizer (solver only, no database)."""


main.add_command(solve_command)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
