"""The planning pages: plans list, week board, map, visit edits, re-plan runs, diff and publish."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, event, func, select, update
from sqlalchemy.orm import Session

from crm.agreements import Agreement
from crm.db import make_session_factory
from dashboard import create_app, plan_actions
from dashboard.config import TestConfig
from dashboard.db import get_database
from dashboard.plan_cache import fragments
from dashboard.plan_map import MapCrew, plain_figure, route_lines, street_layout
from dashboard.plan_rows import BoardVisit
from optimizer import SolveParams
from scheduling.models import (
    Notice,
    Plan,
    PlannedVisit,
    PlanningRun,
    PlanStatus,
    RunStatus,
    UnplacedVisit,
)
from scheduling.planning import plan_week
from scheduling.plans import publish

WEEK = dt.date(2026, 11, 30)
MONDAY, TUESDAY, WEDNESDAY = "2026-11-30", "2026-12-01", "2026-12-02"
#: Deterministic and quick: a solution limit, no clock.
PARAMS = SolveParams(time_limit_s=None, solution_limit=10)


@pytest.fixture
def week_plan(engine: Engine, session: Session, tiny_company: dict[str, int]) -> dict[str, int]:
    """A solved draft of week 49 for the tiny company, plus one unplaced visit with a reason.

    The solver puts A2 (Bayview Dental) on Monday and A1 (Alice Anders, 08:00-12:00 window) on
    Tuesday with Blue Crew, and A3 (lawn at Bayview) on Friday with Green Crew. Returns ids:
    plan, visits by agreement, crews by external id.
    """
    plan_id = plan_week(make_session_factory(engine), WEEK, PARAMS, created_by="test")
    agreements = {a.external_id: a.id for a in session.scalars(select(Agreement))}
    session.add(
        UnplacedVisit(
            plan_id=plan_id,
            agreement_id=agreements["A3"],
            week_start=WEEK,
            code="no_crew",
            reason="no crew with the skill pressure_washer works in this region",
        )
    )
    session.commit()
    visits = {
        v.agreement.external_id: v.id
        for v in session.scalars(select(PlannedVisit).where(PlannedVisit.plan_id == plan_id))
    }
    return {"plan": plan_id, **{f"visit_{k}": v for k, v in visits.items()}, **tiny_company}


def _visit(session: Session, visit_id: int) -> PlannedVisit:
    session.expire_all()
    return session.get_one(PlannedVisit, visit_id)


def _version(session: Session, plan_id: int) -> int:
    session.expire_all()
    return session.get_one(Plan, plan_id).lock_version


def _add_run(session: Session, **fields: object) -> int:
    values: dict[str, object] = {
        "kind": "resolve",
        "status": RunStatus.RUNNING,
        "detail": {"progress": 0.4},
        **fields,
    }
    run = PlanningRun(**values)
    session.add(run)
    session.commit()
    return run.id


# --- who may see what ----------------------------------------------------------------------


def _pages(ids: dict[str, int], run_id: int) -> list[str]:
    plan, visit = ids["plan"], ids["visit_A1"]
    return [
        "/plans",
        f"/plans/{plan}",
        f"/plans/{plan}/board",
        f"/plans/{plan}/map",
        f"/plans/{plan}/diff",
        f"/plans/{plan}/visits/{visit}",
        f"/plans/runs/{run_id}",
        f"/plans/runs/{run_id}.json",
    ]


def _posts(ids: dict[str, int]) -> list[str]:
    plan, visit = ids["plan"], ids["visit_A1"]
    return [
        f"/plans/{plan}/visits/{visit}/move",
        f"/plans/{plan}/visits/{visit}/pin",
        f"/plans/{plan}/publish",
        f"/plans/{plan}/replan",
        f"/plans/{plan}/draft",
        "/plans/new",
    ]


def test_plan_pages_refuse_crew_users(signed_in, week_plan, session) -> None:  # type: ignore[no-untyped-def]
    """A crew user gets 403 on every planning page and form, and changes nothing."""
    run_id = _add_run(session)
    client = signed_in("crew")
    for path in _pages(week_plan, run_id):
        assert client.get(path).status_code == 403, path
    for path in _posts(week_plan):
        assert client.post(path, data={"crew_id": "1", "date": TUESDAY}).status_code == 403, path
    assert _version(session, week_plan["plan"]) == 1


def test_plan_pages_send_strangers_to_sign_in(client, week_plan, session) -> None:  # type: ignore[no-untyped-def]
    """Without a sign-in every planning page and form redirects to the sign-in page."""
    run_id = _add_run(session)
    for path in _pages(week_plan, run_id) + _posts(week_plan):
        response = client.post(path) if path in _posts(week_plan) else client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"], path


@pytest.mark.parametrize("role", ["dispatcher", "owner"])
def test_plan_pages_open_for_the_office(signed_in, week_plan, session, role) -> None:  # type: ignore[no-untyped-def]
    """Dispatchers and owners open every planning page."""
    run_id = _add_run(session)
    client = signed_in(role)
    for path in _pages(week_plan, run_id):
        assert client.get(path).status_code == 200, path


def test_office_lands_on_the_plans_list(client, users, login) -> None:  # type: ignore[no-untyped-def]
    """Signing in sends a dispatcher to the plans, and the nav links them."""
    response = login(client, users["dispatcher"], "password-1")
    assert response.headers["Location"] == "/plans"
    page = client.get("/plans").get_data(as_text=True)
    assert 'href="/plans" aria-current="page">Plans</a>' in page


# --- list, board, map ----------------------------------------------------------------------


def test_plans_list_shows_weeks_with_their_plans(signed_in, week_plan) -> None:  # type: ignore[no-untyped-def]
    """The list names the week, the version, status, counts and who created it."""
    page = signed_in("dispatcher").get("/plans").get_data(as_text=True)
    for text in (
        "Week 49 · 30 Nov – 6 Dec 2026",
        "v1",
        "badge-draft",
        "nothing published yet",
        ">test<",
        "Plan week",
        'name="csrf_token"',
    ):
        assert text in page, text
    assert f"/plans/{week_plan['plan']}/board" in page


def test_board_shows_each_crew_day_in_order(signed_in, week_plan) -> None:  # type: ignore[no-untyped-def]
    """Crews are rows, days columns; each visit shows start, customer, service and drive."""
    page = signed_in("dispatcher").get(f"/plans/{week_plan['plan']}/board").get_data(as_text=True)
    for text in (
        "Blue Crew",
        "Green Crew",
        "Mon 30 Nov",
        "Fri 04 Dec",
        "Alice Anders",
        "Bayview Dental",
        "Window cleaning",
        "Lawn mowing",
        "min drive",
        "util-bar",
        ">08:00<",
        "no crew with the skill pressure_washer works in this region",
    ):
        assert text in page, text
    blue_row = page[page.index("Blue Crew</div>") : page.index("Green Crew</div>")]
    # Monday's A2 comes before Tuesday's A1 in Blue Crew's row; Green's lawn is not in it.
    assert blue_row.index("Bayview Dental") < blue_row.index("Alice Anders")
    assert "Lawn mowing" not in blue_row


def test_board_filters_by_crew_service_and_region(signed_in, week_plan) -> None:  # type: ignore[no-untyped-def]
    """The GET filters narrow rows (crew) and visits (service, region; rows without any go)."""
    client = signed_in("dispatcher")
    board = f"/plans/{week_plan['plan']}/board"
    by_crew = client.get(f"{board}?crew={week_plan['C2']}").get_data(as_text=True)
    assert "Lawn mowing" in by_crew and "Alice Anders" not in by_crew
    by_service = client.get(f"{board}?service=lawn_mow").get_data(as_text=True)
    assert "Alice Anders" not in by_service and "1 of 3 visits shown" in by_service
    # Blue Crew does no lawn this week: its row goes; Green Crew's Friday shows.
    assert "Blue Crew</div>" not in by_service and "Green Crew</div>" in by_service
    by_region = client.get(f"{board}?region=Nowhere").get_data(as_text=True)
    assert "0 of 3 visits shown" in by_region and "No crews match" in by_region


def test_board_loads_in_a_fixed_number_of_queries(app: Flask, signed_in, week_plan) -> None:  # type: ignore[no-untyped-def]
    """No query per visit: the board's SQL statements do not depend on the plan's size."""
    client = signed_in("dispatcher")
    statements: list[str] = []
    engine = get_database(app).engine

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    fragments.clear()  # measure the full build, not a cached grid
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(f"/plans/{week_plan['plan']}/board").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # user, plan, fingerprint, crews, shifts, visits, unplaced
    assert len(statements) <= 8, statements


def test_board_never_shows_a_stale_grid(signed_in, week_plan, session) -> None:  # type: ignore[no-untyped-def]
    """A visit changed behind the app's back (no version bump) shows on the next load."""
    client = signed_in("dispatcher")
    board = f"/plans/{week_plan['plan']}/board"
    assert ">08:00<" in client.get(board).get_data(as_text=True)
    session.execute(
        update(PlannedVisit)
        .where(PlannedVisit.id == week_plan["visit_A1"])
        .values(start_s=9 * 3600)
    )
    session.commit()
    page = client.get(board).get_data(as_text=True)
    assert ">09:00<" in page and ">08:00<" not in page


def test_map_draws_routes_from_the_yard_with_numbered_stops(signed_in, week_plan) -> None:  # type: ignore[no-untyped-def]
    """The map page serves plotly from the app and one route per crew-day in crew colours."""
    client = signed_in("dispatcher")
    page = client.get(f"/plans/{week_plan['plan']}/map?day={TUESDAY}").get_data(as_text=True)
    assert "/static/vendor/plotly-basic.min.js" in page and "cdn" not in page.lower()
    assert "/static/vendor/plotly.min.js" in page  # fetched only for the street map
    assert "1 route, 1 stops on Tuesday 01 December" in page
    assert '"#4C78A8"' in page  # Blue Crew's colour
    assert '"white-bg"' in page and "tile.openstreetmap.org" in page
    week = client.get(f"/plans/{week_plan['plan']}/map").get_data(as_text=True)
    assert "3 routes, 3 stops this week" in week and '"Tue 1"' in week
    assert client.get(f"/plans/{week_plan['plan']}/map?day=2027-01-01").status_code == 400
    script = client.get("/static/vendor/plotly.min.js")
    assert script.status_code == 200 and b"plotly.js v" in script.data[:100]
    script.close()


def test_missing_plan_is_404(signed_in, week_plan) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("dispatcher")
    assert client.get("/plans/999/board").status_code == 404
    assert client.get(f"/plans/{week_plan['plan']}/visits/999").status_code == 404


# --- edits ---------------------------------------------------------------------------------


def test_move_visit_moves_pins_and_returns_to_the_filtered_board(
    signed_in, week_plan, session
) -> None:  # type: ignore[no-untyped-def]
    """Moving A1 to Green Crew on Wednesday lands there pinned; the board keeps its filter."""
    plan_id, visit_id = week_plan["plan"], week_plan["visit_A1"]
    response = signed_in("dispatcher").post(
        f"/plans/{plan_id}/visits/{visit_id}/move",
        data={
            "crew_id": week_plan["C2"],
            "date": WEDNESDAY,
            "expected_version": "1",
            "back": "crew=" + str(week_plan["C2"]),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/plans/{plan_id}/board?crew={week_plan['C2']}"
    visit = _visit(session, visit_id)
    assert (visit.crew_id, visit.date.isoformat(), visit.pinned) == (
        week_plan["C2"],
        WEDNESDAY,
        True,
    )
    assert _version(session, plan_id) > 1


def test_move_warns_about_a_missing_skill(signed_in, week_plan) -> None:  # type: ignore[no-untyped-def]
    """Warnings of the edit are flashed: Green Crew has no ladder for window cleaning."""
    client = signed_in("dispatcher")
    client.post(
        f"/plans/{week_plan['plan']}/visits/{week_plan['visit_A1']}/move",
        data={"crew_id": week_plan["C2"], "date": WEDNESDAY, "expected_version": "1"},
    )
    page = client.get(f"/plans/{week_plan['plan']}/board").get_data(as_text=True)
    assert "flash-warning" in page and "lacks the skill" in page


def test_stale_version_is_refused_with_a_clear_conflict(signed_in, week_plan, session) -> None:  # type: ignore[no-untyped-def]
    """Two dispatchers loaded version 1; the second save gets a 409 and the message."""
    client = signed_in("dispatcher")
    plan_id = week_plan["plan"]
    first = client.post(
        f"/plans/{plan_id}/visits/{week_plan['visit_A1']}/pin",
        data={"pinned": "1", "expected_version": "1"},
    )
    assert first.status_code == 302
    second = client.post(
        f"/plans/{plan_id}/visits/{week_plan['visit_A2']}/move",
        data={"crew_id": week_plan["C2"], "date": WEDNESDAY, "expected_version": "1"},
    )
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Your change was not saved: plan" in page
    assert "(version 1 of the week of" in page and "changed by someone else" in page
    assert ": pin of " in page  # who changed it, and how
    assert "Blue Crew" in page  # the board, as it is now
    visit = _visit(session, week_plan["visit_A2"])
    assert visit.crew_id == week_plan["C1"] and not visit.pinned


def test_pin_and_unpin(signed_in, week_plan, session) -> None:  # type: ignore[no-untyped-def]
    """Pin shows the marker on the board; unpin removes it."""
    client = signed_in("dispatcher")
    plan_id, visit_id = week_plan["plan"], week_plan["visit_A3"]
    client.post(
        f"/plans/{plan_id}/visits/{visit_id}/pin", data={"pinned": "1", "expected_version": "1"}
    )
    assert _visit(session, visit_id).pinned
    page = client.get(f"/plans/{plan_id}/board").get_data(as_text=True)
    assert 'title="pinned"' in page
    version = _version(session, plan_id)
    client.post(
        f"/plans/{plan_id}/visits/{visit_id}/pin",
        data={"pinned": "0", "expected_version": str(version)},
    )
    assert not _visit(session, visit_id).pinned


def test_editing_a_published_plan_starts_a_new_draft(signed_in, week_plan, session) -> None:  # type: ignore[no-untyped-def]
    """The published plan stays as it is; the move lands in version 2 and the board opens it."""
    plan_id = week_plan["plan"]
    publish(session, plan_id)
    session.commit()
    response = signed_in("dispatcher").post(
        f"/plans/{plan_id}/visits/{week_plan['visit_A1']}/move",
        data={
            "crew_id": week_plan["C1"],
            "date": WEDNESDAY,
            "expected_version": str(_version(session, plan_id)),
        },
    )
    session.expire_all()
    draft = session.scalars(select(Plan).where(Plan.based_on_id == plan_id)).one()
    assert response.headers["Location"] == f"/plans/{draft.id}/board"
    assert draft.status is PlanStatus.DRAFT and draft.version == 2
    assert _visit(session, week_plan["visit_A1"]).date.isoformat() == TUESDAY


def test_move_to_a_day_outside_the_week_is_refused(signed_in, week_plan) -> None:  # type: ignore[no-untyped-def]
    response = signed_in("dispatcher").post(
        f"/plans/{week_plan['plan']}/visits/{week_plan['visit_A1']}/move",
        data={"crew_id": week_plan["C1"], "date": "2027-01-05", "expected_version": "1"},
    )
    assert response.status_code == 400
    assert "is outside plan" in response.get_data(as_text=True)


def test_forms_need_the_csrf_token(database_url: str, users, login) -> None:  # type: ignore[no-untyped-def]
    """With CSRF on (as in production) a post without the token changes nothing."""
    config = TestConfig(database_url)
    config.WTF_CSRF_ENABLED = True
    app = create_app(config)
    try:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token is not None
        client.post(
            "/login",
            data={"email": users["dispatcher"], "password": "password-1", "csrf_token": token[1]},
        )
        assert client.post("/plans/new", data={"week": MONDAY}).status_code == 400
    finally:
        get_database(app).engine.dispose()


# --- background runs -----------------------------------------------------------------------


@pytest.fixture
def started_runs(
    monkeypatch: pytest.MonkeyPatch, session: Session
) -> Iterator[list[dict[str, object]]]:
    """Replace the background start with a recorder that only writes the run row."""
    calls: list[dict[str, object]] = []

    def fake_start(database_url: str, **kwargs: object) -> int:
        calls.append(kwargs)
        return _add_run(session)

    monkeypatch.setattr(plan_actions, "start_run", fake_start)
    yield calls


def test_replan_starts_a_background_run_and_shows_its_progress(
    signed_in, week_plan, started_runs
) -> None:  # type: ignore[no-untyped-def]
    """The button starts a resolve run with the chosen budget and opens its progress page."""
    client = signed_in("dispatcher")
    response = client.post(f"/plans/{week_plan['plan']}/replan", data={"time_limit_s": "10"})
    assert started_runs == [
        {
            "kind": "resolve",
            "user": "dispatcher@example.com",
            "time_limit_s": 10.0,
            "plan_id": week_plan["plan"],
        }
    ]
    assert re.fullmatch(r"/plans/runs/\d+", response.headers["Location"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'role="progressbar"' in page and "40 %" in page and ".json" in page


def test_plan_week_form_plans_the_chosen_week(signed_in, week_plan, started_runs) -> None:  # type: ignore[no-untyped-def]
    """The "Plan week" form starts a plan run for the Monday of the chosen week."""
    signed_in("owner").post("/plans/new", data={"week": "2026-12-09", "time_limit_s": "2"})
    assert started_runs[0]["kind"] == "plan"
    assert started_runs[0]["week_start"] == dt.date(2026, 12, 7)


def test_run_json_reports_progress_then_the_new_plan(signed_in, week_plan, session) -> None:  # type: ignore[no-untyped-def]
    """The polled endpoint gives status and progress, and the plan id once done."""
    run_id = _add_run(session)
    client = signed_in("dispatcher")
    state = client.get(f"/plans/runs/{run_id}.json").get_json()
    assert (state["status"], state["progress"], state["plan_id"]) == ("running", 0.4, None)
    run = session.get_one(PlanningRun, run_id)
    run.status, run.plan_id = RunStatus.SUCCEEDED, week_plan["plan"]
    session.commit()
    state = client.get(f"/plans/runs/{run_id}.json").get_json()
    assert (state["status"], state["progress"], state["plan_id"]) == (
        "succeeded",
        1.0,
        week_plan["plan"],
    )
    page = client.get(f"/plans/runs/{run_id}").get_data(as_text=True)
    assert f"/plans/{week_plan['plan']}/board" in page and "Open the new draft" in page
    assert client.get("/plans/runs/999.json").status_code == 404


def test_failed_run_says_why(signed_in, week_plan, session) -> None:  # type: ignore[no-untyped-def]
    """A failed run shows its error instead of a progress bar that never ends."""
    run_id = _add_run(session, status=RunStatus.FAILED, error="there is no plan 99")
    page = signed_in("dispatcher").get(f"/plans/runs/{run_id}").get_data(as_text=True)
    assert "The run failed: there is no plan 99" in page


def test_running_runs_are_listed_with_the_plans(signed_in, week_plan, session) -> None:  # type: ignore[no-untyped-def]
    """The plans list links every run still going to its progress page."""
    run_id = _add_run(session)
    page = signed_in("dispatcher").get("/plans").get_data(as_text=True)
    assert "re-plan is running" in page and f"/plans/runs/{run_id}" in page


@pytest.mark.slow
def test_plan_week_runs_in_a_background_process(signed_in, week_plan, session) -> None:  # type: ignore[no-untyped-def]
    """The real "Plan week": a separate process plans the week; the JSON reports the draft."""
    client = signed_in("dispatcher")
    response = client.post("/plans/new", data={"week": "2026-12-07", "time_limit_s": "1"})
    state_url = response.headers["Location"] + ".json"
    deadline = time.monotonic() + 120
    state = client.get(state_url).get_json()
    while state["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.5)
        state = client.get(state_url).get_json()
    assert state["status"] == "succeeded", state
    session.expire_all()
    plan = session.get_one(Plan, state["plan_id"])
    assert plan.week_start == dt.date(2026, 12, 7) and plan.status is PlanStatus.DRAFT
    assert plan.created_by == "dispatcher@example.com"


# --- diff and publish ----------------------------------------------------------------------


def test_diff_lists_changed_visits_against_the_published_plan(
    signed_in, week_plan, session
) -> None:  # type: ignore[no-untyped-def]
    """After a move in a new draft the diff names the visit, before and after."""
    plan_id = week_plan["plan"]
    publish(session, plan_id)
    session.commit()
    client = signed_in("dispatcher")
    response = client.post(
        f"/plans/{plan_id}/visits/{week_plan['visit_A1']}/move",
        data={
            "crew_id": week_plan["C1"],
            "date": WEDNESDAY,
            "expected_version": str(_version(session, plan_id)),
        },
    )
    draft_id = int(response.headers["Location"].split("/")[2])
    page = client.get(f"/plans/{draft_id}/diff").get_data(as_text=True)
    assert (
        "<strong>1</strong> visit change" in page and "<strong>1</strong> customer affected" in page
    )
    assert "Alice Anders" in page and "chip-day" in page
    assert "Tue 01 Dec 08:00 · Blue Crew" in page and "Wed 02 Dec" in page
    assert "Publish version 2" in page


def test_publish_queues_notices_and_says_how_many(signed_in, week_plan, session) -> None:  # type: ignore[no-untyped-def]
    """A first plan is compared with the as-is days and crews: A1 (as-is Wednesday now, planned
    Tuesday) changes day, A3 (no as-is: a new customer) is new, A2 keeps its as-is: two
    notices, said in the flash."""
    agreements = {a.external_id: a for a in session.scalars(select(Agreement))}
    agreements["A1"].current_days = [2]
    agreements["A3"].current_days, agreements["A3"].current_crew_id = [], None
    session.commit()
    client = signed_in("dispatcher")
    diff = client.get(f"/plans/{week_plan['plan']}/diff").get_data(as_text=True)
    assert "against the as-is days and crews" in diff and "As is: Wed, Blue Crew" in diff
    response = client.post(f"/plans/{week_plan['plan']}/publish")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Version 1 is published for Week 49" in page and "2 customer notices queued" in page
    session.expire_all()
    assert session.get_one(Plan, week_plan["plan"]).status is PlanStatus.PUBLISHED
    notices = {(n.agreement_id, n.kind) for n in session.scalars(select(Notice))}
    assert notices == {(agreements["A1"].id, "day"), (agreements["A3"].id, "new")}
    again = client.post(f"/plans/{week_plan['plan']}/publish")
    assert "0 customer notices queued" in client.get(again.headers["Location"]).get_data(
        as_text=True
    )


def test_start_draft_from_a_published_plan(signed_in, week_plan, session) -> None:  # type: ignore[no-untyped-def]
    """The "Start a draft" button copies the published plan into version 2, ready to edit."""
    publish(session, week_plan["plan"])
    session.commit()
    client = signed_in("dispatcher")
    response = client.post(f"/plans/{week_plan['plan']}/draft")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Draft version 2 started" in page and "Re-plan around pins" in page
    # Pressing it again (or a second dispatcher pressing it) continues that draft.
    response = client.post(f"/plans/{week_plan['plan']}/draft")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "already has an open draft, version 2" in page
    # An edit of the published plan lands in the open draft and says so.
    session.expire_all()
    response = client.post(
        f"/plans/{week_plan['plan']}/visits/{week_plan['visit_A1']}/pin",
        data={"pinned": "1", "expected_version": str(_version(session, week_plan["plan"]))},
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Visit pinned in the open draft of this plan, version 2" in page
    assert session.scalar(select(func.count(Plan.id)).where(Plan.based_on_id.is_not(None))) == 1


def test_history_lists_who_changed_what(signed_in, week_plan) -> None:  # type: ignore[no-untyped-def]
    """The plan page shows the audit trail of moves and pins."""
    client = signed_in("dispatcher")
    plan_id = week_plan["plan"]
    client.post(
        f"/plans/{plan_id}/visits/{week_plan['visit_A1']}/move",
        data={"crew_id": week_plan["C1"], "date": WEDNESDAY, "expected_version": "1"},
    )
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "dispatcher@example.com" in page
    assert re.search(
        r"Moved <span class=\"mono\">A1</span> from C1 2026-12-01 to C1 2026-12-02", page
    )


# --- the map's figures (pure) --------------------------------------------------------------


def _stop(visit_id: int, sequence: int, lat: float | None, lon: float | None) -> BoardVisit:
    return BoardVisit(
        id=visit_id, crew_id=1, date=WEEK, sequence=sequence, arrival_s=0, start_s=8 * 3600,
        end_s=9 * 3600, travel_s=0, distance_m=0, pinned=False, agreement=f"A{visit_id}",
        customer=f"Customer {visit_id}", address="", region="", lat=lat, lon=lon,
        service="Pool service", service_code="pool_service", category="pool",
        window_start_min=None, window_end_min=None,
    )  # fmt: skip


def test_route_runs_from_the_yard_through_the_stops_in_order_and_back() -> None:
    """Stops are numbered by route order (not by input order); a stop without coordinates
    keeps its number but is left out of the line."""
    crew = MapCrew(1, "Blue Crew", "#4C78A8", start=(10.0, 20.0), end=(11.0, 21.0))
    visits = [_stop(7, 2, 3.0, 4.0), _stop(5, 0, 1.0, 2.0), _stop(6, 1, None, None)]
    (line,) = route_lines(visits, {1: crew}, week=False)
    assert line.lats == [10.0, 1.0, 3.0, 11.0] and line.lons == [20.0, 2.0, 4.0, 21.0]
    assert line.labels == ["1", "3"]
    figure = plain_figure([line])
    stops = figure["data"][1]
    assert stops["text"] == ["1", "3"] and stops["marker"]["color"] == "#4C78A8"
    assert figure["data"][-1]["name"] == "Yard"
    (week_line,) = route_lines(visits, {1: crew}, week=True)
    assert week_line.labels == ["Mon 1", "Mon 3"]
    assert street_layout([line])["map"]["style"] == "white-bg"
