"""``python -m benchmarks report``: Markdown tables from one or more ``results.csv`` files.

The tables in RESULTS.md are pasted from this output, so they can be regenerated from the run
directories rather than typed. Means are over the instances where the solver's solution is
feasible (the count is shown); ratios ours / peer are over the instances where both are.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from statistics import fmean

from benchmarks.solvers import OURS, SOLVER_NAMES


def read_rows(paths: Sequence[Path]) -> list[dict[str, str]]:
    """All rows of the given ``results.csv`` files, in order."""
    rows: list[dict[str, str]] = []
    for path in paths:
        with Path(path).open(newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def _num(text: str) -> float | None:
    return float(text) if text else None


def _fmt(value: float | None, spec: str) -> str:
    return "" if value is None else format(value, spec)


def solver_table(rows: Sequence[dict[str, str]], solver: str) -> str:
    """Per instance: distance, routes, feasibility, gaps to both conventions, seconds."""
    out = [
        f"#### {solver}",
        "",
        "| instance | distance | routes | feasible | gap % (manifest) | gap % (distance only)"
        " | seconds |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        if r["solver"] != solver:
            continue
        if r["feasible"] == "":
            out.append(f"| {r['instance']} | | | {r['status']} | | | |")
            continue
        verdict = "yes" if r["feasible"] == "true" else "**no**"
        if r["feasible"] == "false" and not r["distance"]:
            verdict = "**no solution**"
        out.append(
            f"| {r['instance']} | {_fmt(_num(r['distance']), '.2f')} | {r['routes']} | {verdict}"
            f" | {_fmt(_num(r['gap_pct']), '+.2f')}"
            f" | {_fmt(_num(r['gap_distance_only_pct']), '+.2f')}"
            f" | {_fmt(_num(r['seconds']), '.1f')} |"
        )
    return "\n".join(out)


def _mean(values: Sequence[float]) -> str:
    return f"{fmean(values):+.2f}" if values else ""


def summary_table(rows: Sequence[dict[str, str]], solvers: Sequence[str]) -> str:
    """Per solver: feasible count, mean gaps, mean seconds, mean ratio ours / solver."""
    ours = {
        r["instance"]: float(r["distance"])
        for r in rows
        if r["solver"] == OURS and r["feasible"] == "true"
    }
    out = [
        "| solver | feasible | mean gap % (manifest) | mean gap % (distance only) | mean s"
        " | ours / solver (n) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for s in solvers:
        mine = [r for r in rows if r["solver"] == s]
        ok = [r for r in mine if r["feasible"] == "true"]
        gaps = [float(r["gap_pct"]) for r in ok if r["gap_pct"]]
        gaps_do = [float(r["gap_distance_only_pct"]) for r in ok if r["gap_distance_only_pct"]]
        secs = [float(r["seconds"]) for r in mine if r["seconds"]]
        ratios = [ours[r["instance"]] / float(r["distance"]) for r in ok if r["instance"] in ours]
        ratio = f"{fmean(ratios):.4f} ({len(ratios)})" if ratios and s != OURS else ""
        out.append(
            f"| {s} | {len(ok)}/{len(mine)} | {_mean(gaps)} | {_mean(gaps_do)}"
            f" | {_fmt(fmean(secs) if secs else None, '.1f')} | {ratio} |"
        )
    return "\n".join(out)


def ratio_table(rows: Sequence[dict[str, str]], peers: Sequence[str]) -> str:
    """Per instance: ours / peer where both are feasible (blank otherwise)."""
    feasible = {
        (r["instance"], r["solver"]): float(r["distance"]) for r in rows if r["feasible"] == "true"
    }
    instances = list(dict.fromkeys(r["instance"] for r in rows))
    out = [
        "| instance | " + " | ".join(f"ours / {p}" for p in peers) + " |",
        "|---|" + "---:|" * len(peers),
    ]
    for name in instances:
        ours = feasible.get((name, OURS))
        cells = [
            f"{ours / feasible[(name, p)]:.4f}" if ours and (name, p) in feasible else ""
            for p in peers
        ]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def report(paths: Sequence[Path]) -> str:
    """The whole Markdown report for some ``results.csv`` files."""
    rows = read_rows(paths)
    present = {r["solver"] for r in rows}
    solvers = [s for s in SOLVER_NAMES if s in present]
    parts = [summary_table(rows, solvers)]
    peers = [s for s in solvers if s != OURS]
    if OURS in solvers and peers:
        parts.append(ratio_table(rows, peers))
    parts += [solver_table(rows, s) for s in solvers]
    return "\n\n".join(parts) + "\n"
