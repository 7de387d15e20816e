"""Properties: canonical forms read back as themselves; valid generated rows round-trip."""

from __future__ import annotations

import io
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

import crm.models  # noqa: F401
from crm import parsing as p
from crm.agreements import FrequencyUnit
from crm.db import Base, make_engine
from crm.importer import export_csv, import_csv

weekday_sets = st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True).map(sorted)
times = st.integers(0, 23 * 60 + 59)


@given(st.lists(weekday_sets, min_size=1, max_size=5, unique_by=tuple))
def test_patterns_round_trip(patterns: list[list[int]]) -> None:
    assert p.parse_patterns(p.format_patterns(patterns)) == patterns


@given(
    st.one_of(
        st.builds(p.Frequency, st.just(FrequencyUnit.WEEK), st.integers(1, 52), st.just(1)),
        st.builds(p.Frequency, st.just(FrequencyUnit.WEEK), st.just(1), st.integers(1, 6)),
        st.builds(p.Frequency, st.just(FrequencyUnit.MONTH), st.integers(1, 12), st.just(1)),
    )
)
def test_frequency_round_trips(freq: p.Frequency) -> None:
    assert p.parse_frequency(p.format_frequency(freq)) == freq


@given(
    st.dictionaries(
        st.integers(0, 6), st.tuples(times, times).filter(lambda t: t[0] < t[1]), min_size=1
    )
)
def test_shifts_round_trip(shifts: dict[int, tuple[int, int]]) -> None:
    assert p.parse_shifts(p.format_shifts(shifts)) == dict(sorted(shifts.items()))


@given(st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2))
def test_money_round_trips(value: Decimal) -> None:
    assert p.parse_money(p.format_money(value)) == value


@given(st.floats(-90, 90))
def test_latitude_round_trips_exactly(value: float) -> None:
    assert p.parse_lat(p.format_float(value)) == value


@given(st.lists(weekday_sets.filter(lambda s: len(s) > 1), min_size=1))
def test_max_spaced_visits_matches_brute_force(days_lists: list[list[int]]) -> None:
    """The greedy count equals the largest subset whose gaps are all >= the spacing."""
    from itertools import combinations

    for days in days_lists:
        for spacing in range(1, 5):
            best = max(
                k
                for k in range(1, len(days) + 1)
                if any(p.spacing(c) >= spacing for c in combinations(days, k))
            )
            assert p.max_spaced_visits(days, spacing) == best


text_cells = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30
).map(str.strip)


@st.composite
def customer_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    ids = draw(
        st.lists(
            st.from_regex(r"[A-Z]{1,3}-\d{1,5}", fullmatch=True),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    return [
        {
            "customer_id": cid,
            "name": draw(text_cells.filter(bool)),
            "status": draw(st.sampled_from(["prospect", "active", "inactive"])),
            "email": draw(st.sampled_from(["", "a@b.co", "office@example.org"])),
            "phone": draw(st.from_regex(r"(\+1 \d{3} \d{3} \d{4})?", fullmatch=True)),
            "contact_name": "",
            "tags": ";".join(
                draw(
                    st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), max_size=3, unique=True)
                )
            ),
            "notes": draw(text_cells),
        }
        for cid in ids
    ]


def _csv(rows: list[dict[str, str]]) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


@settings(max_examples=25, deadline=None)
@given(customer_rows())
def test_valid_customer_rows_import_and_export_unchanged(rows: list[dict[str, str]]) -> None:
    """Any valid file in canonical form comes back byte for byte, and re-imports unchanged."""
    engine = make_engine("sqlite:///:memory:")
    Base.metadata.create_all(engine)
    text = _csv(rows)
    with Session(engine) as session:
        report = import_csv(session, "customers", io.StringIO(text))
        assert report.ok, [str(e) for e in report.errors]
        assert report.created == len(rows)
        out = io.StringIO()
        export_csv(session, "customers", out)
        assert out.getvalue() == text
        again = import_csv(session, "customers", io.StringIO(out.getvalue()))
        assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows))
    engine.dispose()
