"""Plan a week: build the problem from the database, solve it, store a draft.

The solve runs outside any open transaction; the draft is written in one short transaction
afterwards, so a run that fails or is killed mid-solve leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from optimizer import Progress, SolveParams
from optimizer.periodic import solve_periodic
from scheduling.builder import Horizon, Mode, build_problem
from scheduling.models import Plan
from scheduling.plans import store_draft
from scheduling.recurrence import week_start

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


def parse_week(text: str, today: dt.date | None = None) -> dt.date:
    """The Monday of ``"2026-W49"``, ``"next"``, ``"this"`` or any ``YYYY-MM-DD`` in the week.

    Raises ``ValueError`` with the accepted forms.
    """
    today = today or dt.date.today()
    value = text.strip().lower()
    if value == "next":
        return week_start(today) + dt.timedelta(weeks=1)
    if value == "this":
        return week_start(today)
    match = _ISO_WEEK.match(text.strip().upper())
    try:
        if match:
            return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        return week_start(dt.date.fromisoformat(value))
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a week: use 2026-W49, next, this or a date YYYY-MM-DD")


def plan_week(
    session_factory: sessionmaker[Session],
    first_monday: dt.date,
    params: SolveParams,
    *,
    weeks: int = 1,
    mode: Mode = "optimize",
    created_by: str | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> int:
    """Solve the horizon and store the result as a new draft; returns the plan id."""
    horizon = Horizon(first_monday, weeks)
    with session_factory() as session:
        built = build_problem(session, horizon, mode=mode)
    result = solve_periodic(built.problem, params, progress=progress)
    with session_factory.begin() as session:
        plan: Plan = store_draft(
            session,
            built,
            result,
            params={"mode": mode, **params.to_dict()},
            created_by=created_by,
            note="as-is days and crews, re-ordered" if mode == "as_is" else None,
        )
        return plan.id
