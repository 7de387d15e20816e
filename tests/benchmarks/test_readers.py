"""Instance, solution and manifest readers, on the public files and on hand-made quirks."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.cordeau import parse_cordeau, parse_res, read_res
from benchmarks.formats import detect_format, expand_paths, read_instance, read_solution_routes
from benchmarks.manifest import best_known, read_manifest
from benchmarks.model import decode_combination
from benchmarks.paths import ENV_VAR, instances_dir, resolve_instance
from benchmarks.sintef import parse_sintef
from benchmarks.solomon import format_solomon, parse_solomon

TINY_SOLOMON = (
    "TINY\r\n\r\nVEHICLE\r\nNUMBER     CAPACITY\r\n  2         10\r\n\r\nCUSTOMER\r\n"
    "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\r\n \r\n"
    "    0      0         0          0          0       100          0   \r\n"
    "    1      3         4          4          5        50          2   \r\n"
    "    2      6         8          4          0        60          2   \r\n"
)

# A two-day PVRPTW with the header type 2, as pvrptw pr08 has it: 1 vehicle a day, 2
# customers, duration limit 50, capacity 10. Customer 1 (f=1) may go on day 1 (mask 2 = 10b)
# or day 2 (mask 1 = 01b); customer 2 (f=2) on both days (mask 3 = 11b).
TYPE2_PVRPTW = """2 1 2 2
50 10
50 10
0 0.0 0.0 0 0 0 0 0 100
1 3.0 4.0 1 4 1 2 2 1 5 50
2 6.0 8.0 1 4 2 1 3 0 60
"""


def test_solomon_c101_fields(bench_dir: Path) -> None:
    """C101: 25 vehicles of 200, depot (40, 50) open until 1236, customer 1 as in the file."""
    inst = read_instance(bench_dir / "solomon" / "C101.txt")
    assert (inst.name, inst.format, inst.days) == ("C101", "solomon", 1)
    assert (inst.vehicles_per_day, inst.capacity, inst.num_customers) == (25, 200, 100)
    assert (inst.depot.x, inst.depot.y, inst.depot.due) == (40, 50, 1236)
    c = inst.customer(1)
    assert (c.x, c.y, c.demand, c.ready, c.due, c.service) == (45, 68, 10, 912, 967, 90)
    assert c.combinations == (frozenset({1}),) and c.frequency == 1


def test_solomon_line_endings_do_not_matter() -> None:
    """CRLF (as published) and LF read the same."""
    assert parse_solomon(TINY_SOLOMON) == parse_solomon(TINY_SOLOMON.replace("\r\n", "\n"))


def test_solomon_round_trip() -> None:
    """format_solomon writes what parse_solomon reads back (used to cut test instances)."""
    inst = parse_solomon(TINY_SOLOMON)
    assert parse_solomon(format_solomon(inst)) == inst


def test_solomon_rejects_a_short_row() -> None:
    """A customer row with a missing field is an error, not a silent shift of columns."""
    with pytest.raises(ValueError, match="expected 7"):
        parse_solomon(TINY_SOLOMON.replace("    2      6         8", "    2      6"))


def test_homberger_is_named_by_its_file(bench_dir: Path) -> None:
    """Gehring-Homberger files share the layout; the c1_2_1-style name marks the format."""
    inst = read_instance(bench_dir / "homberger" / "c1_2_1.txt")
    assert (inst.format, inst.num_customers, inst.vehicles_per_day) == ("homberger", 200, 50)


@pytest.mark.parametrize("folder", ["solomon", "homberger", "pvrp", "pvrptw"])
def test_every_listed_file_reads_with_the_manifest_size(bench_dir: Path, folder: str) -> None:
    """All public instances parse and have the customer count their manifest states."""
    for row in read_manifest(bench_dir / folder / "manifest.csv"):
        inst = read_instance(bench_dir / row.file)
        assert inst.num_customers == row.customers, row.file


@pytest.mark.parametrize(
    ("mask", "days", "expected"),
    [
        (10, 5, {2, 4}),
        (16, 5, {1}),
        (1, 5, {5}),
        (31, 5, {1, 2, 3, 4, 5}),
        (2, 2, {1}),
        (1, 2, {2}),
        (0, 3, set()),
    ],
)
def test_day_combination_leftmost_bit_is_day_one(mask: int, days: int, expected: set[int]) -> None:
    """With t = 5, 10 = 01010 = days 2 and 4 (README); 16 = 10000 = day 1."""
    assert decode_combination(mask, days) == expected


def test_day_combination_too_wide() -> None:
    """A mask wider than the horizon is a data error."""
    with pytest.raises(ValueError):
        decode_combination(32, 5)


def test_p01_dummy_customer_at_depot(bench_dir: Path) -> None:
    """p01's customer 51 sits on the depot with q = Q = 160, fixed to day 1 (mask 2 of 2 days)."""
    inst = read_instance(bench_dir / "pvrp" / "p01")
    dummy = inst.customer(51)
    assert (dummy.x, dummy.y) == (inst.depot.x, inst.depot.y)
    assert (dummy.demand, dummy.combinations) == (160, (frozenset({1}),))
    assert inst.is_dummy(dummy)
    assert [c.number for c in inst.customers if inst.is_dummy(c)] == [51]


def test_p11_frequency_zero_customer(bench_dir: Path) -> None:
    """p11 customer 131 has f = 0 but lists five single-day combinations."""
    inst = read_instance(bench_dir / "pvrp" / "p11")
    c = inst.customer(131)
    assert c.frequency == 0
    assert set(c.combinations) == {frozenset({d}) for d in range(1, 6)}


def test_pvrp_header_and_limits(bench_dir: Path) -> None:
    """pr01 (PVRP): 2 vehicles a day over 4 days, D = 500, Q = 200, no windows."""
    inst = read_instance(bench_dir / "pvrp" / "pr01")
    assert (inst.format, inst.days, inst.vehicles_per_day) == ("pvrp", 4, 2)
    assert (inst.max_duration, inst.capacity) == (500, 200)
    assert inst.depot.due == float("inf")
    assert inst.customer(1).combinations == (frozenset({1, 2, 3, 4}),)


def test_pvrp_without_duration_limit(bench_dir: Path) -> None:
    """D = 0 in the file means no route-duration limit."""
    assert read_instance(bench_dir / "pvrp" / "p01").max_duration is None


def test_pvrptw_windows(bench_dir: Path) -> None:
    """pvrptw pr01: CRLF file, windows on every line, depot open [0, 1000]."""
    inst = read_instance(bench_dir / "pvrptw" / "pr01")
    assert (inst.format, inst.vehicles_per_day) == ("pvrptw", 3)
    assert (inst.depot.ready, inst.depot.due) == (0, 1000)
    c = inst.customer(1)
    assert (c.ready, c.due, c.service, c.demand, c.frequency) == (354, 509, 2, 12, 4)


def test_type2_header_with_windows_reads_as_pvrptw() -> None:
    """pr08's header says type 2; the windows on the node lines decide the format."""
    inst = parse_cordeau(TYPE2_PVRPTW, name="pr08-like")
    assert inst.format == "pvrptw"
    assert inst.customer(1).combinations == (frozenset({1}), frozenset({2}))
    assert inst.customer(2).combinations == (frozenset({1, 2}),)
    assert (inst.customer(2).ready, inst.customer(2).due) == (0, 60)


def test_type2_without_windows_is_not_periodic() -> None:
    """Type 2 is the multi-depot VRP in Cordeau's scheme; without windows it is refused."""
    text = "\n".join(
        " ".join(line.split()[:-2]) if i >= 3 else line
        for i, line in enumerate(TYPE2_PVRPTW.splitlines())
    )
    with pytest.raises(ValueError, match="type 2"):
        parse_cordeau(text, name="mdvrp")


def test_cordeau_counts_are_checked() -> None:
    """A missing customer line or a wrong combination count is an error."""
    with pytest.raises(ValueError, match="node lines"):
        parse_cordeau(TYPE2_PVRPTW.rsplit("2 6.0", 1)[0], name="short")
    with pytest.raises(ValueError, match="combination count"):
        parse_cordeau(TYPE2_PVRPTW.replace("1 2 2 1 5 50", "1 3 2 1 5 50"), name="bad")


def test_res_reader(bench_dir: Path) -> None:
    """p01.res: cost 524.61, first route day 1 vehicle 1, duration 118.52, load 149."""
    sol = read_res(bench_dir / "pvrp" / "solutions" / "p01.res")
    assert sol.cost == 524.61 and len(sol.routes) == 5
    first = sol.routes[0]
    assert (first.route.day, first.route.vehicle, first.duration, first.load) == (1, 1, 118.52, 149)
    assert first.route.customers[:3] == (8, 26, 31) and first.route.customers[-1] == 32


def test_res_reader_rejects_open_routes() -> None:
    """Every route line starts and ends at the depot."""
    with pytest.raises(ValueError):
        parse_res("10.0\n1 1 5.0 3 0 4 5\n")


def test_sintef_reader() -> None:
    """SINTEF routes are one per line after 'Solution', depot left out, all on day 1."""
    sol = parse_sintef("Instance name : x\nAuthors : a\nSolution\nRoute  1 : 3 1\nRoute  2 : 2\n")
    assert sol.instance == "x"
    assert [(r.day, r.vehicle, r.customers) for r in sol.routes] == [(1, 1, (3, 1)), (1, 2, (2,))]


def test_solution_dispatch(bench_dir: Path) -> None:
    """read_solution_routes tells .res and SINTEF files apart."""
    res = read_solution_routes(bench_dir / "pvrp" / "solutions" / "p02.res")
    sintef = read_solution_routes(bench_dir / "homberger" / "solutions" / "c2_2_1.sol.txt")
    assert len({r.day for r in res}) == 5 and {r.day for r in sintef} == {1}


def test_detect_format() -> None:
    """Cordeau files open with four integers, Solomon files carry their keywords."""
    assert detect_format(TYPE2_PVRPTW) == "cordeau"
    assert detect_format(TINY_SOLOMON) == "solomon"
    with pytest.raises(ValueError, match="unrecognised"):
        detect_format("hello\nworld\n")


def test_best_known_both_conventions(bench_dir: Path) -> None:
    """R101: hierarchical 19 vehicles / 1650.80; distance only 1642.88 (20 vehicles)."""
    main, dist_only = best_known(bench_dir / "solomon" / "R101.txt", bench_dir)
    assert main is not None and dist_only is not None
    assert (main.distance, main.vehicles, main.convention) == (1650.80, 19, "hierarchical")
    assert (dist_only.distance, dist_only.convention) == (1642.88, "distance_only")


def test_best_known_is_by_path(bench_dir: Path, c101_cut: Path) -> None:
    """pvrp/pr01 and pvrptw/pr01 differ; a file outside the directory has none."""
    pvrp, _ = best_known(bench_dir / "pvrp" / "pr01", bench_dir)
    pvrptw, _ = best_known(bench_dir / "pvrptw" / "pr01", bench_dir)
    assert pvrp is not None and pvrp.distance == 2209.02
    assert pvrptw is not None and pvrptw.distance is None
    assert best_known(c101_cut, bench_dir) == (None, None)


def test_directory_means_its_manifest(bench_dir: Path) -> None:
    """A folder argument expands to the files its manifest lists, in manifest order."""
    files = expand_paths([bench_dir / "solomon"])
    assert len(files) == 28 and files[0].name == "C101.txt"


def test_instances_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """--instances beats the environment variable, which beats the default."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert instances_dir() == tmp_path
    assert instances_dir("elsewhere") == Path("elsewhere")
    monkeypatch.delenv(ENV_VAR)
    assert instances_dir().parts[-2:] == ("shared", "benchmarks")


def test_resolve_instance(tmp_path: Path) -> None:
    """Names resolve relative to the instances directory; a missing file says where it looked."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.txt").write_text("x")
    assert resolve_instance("a/f.txt", tmp_path) == tmp_path / "a" / "f.txt"
    with pytest.raises(FileNotFoundError, match="no such instance"):
        resolve_instance("a/g.txt", tmp_path)
