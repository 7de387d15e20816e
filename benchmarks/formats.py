"""Format detection: one entry point that reads any supported instance or solution file."""

from __future__ import annotations

from pathlib import Path

from benchmarks.cordeau import parse_cordeau, parse_res
from benchmarks.manifest import listed_files
from benchmarks.model import Instance, Route
from benchmarks.sintef import parse_sintef
from benchmarks.solomon import parse_solomon


def detect_format(text: str) -> str:
    """``"solomon"`` for the VRPTW text layout, ``"cordeau"`` for a periodic file.

    Raises
    ------
    ValueError
        When the text is neither.
    """
    first = next((line.split() for line in text.splitlines() if line.strip()), [])
    if len(first) == 4 and all(tok.lstrip("-").isdigit() for tok in first):
        return "cordeau"
    upper = text.upper()
    if "VEHICLE" in upper and "CUST NO" in upper:
        return "solomon"
    raise ValueError("unrecognised format (expected Solomon/Gehring-Homberger text or Cordeau)")


def read_instance(path: Path) -> Instance:
    """Read an instance file of any supported format.

    Raises
    ------
    ValueError
        With a one-line reason when the file is not a supported instance.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise ValueError(f"{path.name}: not a text file") from None
    try:
        if detect_format(text) == "cordeau":
            return parse_cordeau(text, name=path.name)
        return parse_solomon(text)
    except ValueError as exc:
        raise ValueError(f"{path.name}: {exc}") from None


def read_solution_routes(path: Path) -> list[Route]:
    """Routes of a solution file: our JSON, a Cordeau ``.res`` or a SINTEF text file."""
    path = Path(path)
    text = path.read_text()
    if path.suffix == ".json":
        from benchmarks.results import routes_from_json

        return routes_from_json(text)
    if "solution" in text.lower() and "route" in text.lower():
        return list(parse_sintef(text).routes)
    return [r.route for r in parse_res(text).routes]


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; a directory stands for the files its manifest lists (or all its files)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            listed = listed_files(path)
            out += listed or sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix not in (".csv", ".md")
            )
        else:
            out.append(path)
    return out
