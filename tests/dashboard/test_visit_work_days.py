"""The move form says which days each crew works: shifts, holidays (all or the crew's region)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from crm.crews import Holiday
from tests.dashboard.test_plan_views import WEEK, week_plan  # noqa: F401 - the fixture

THURSDAY, FRIDAY, SATURDAY, SUNDAY = (WEEK + dt.timedelta(days=i) for i in (3, 4, 5, 6))


def _days(start: int, stop: int, *skip: dt.date) -> str:
    days = (WEEK + dt.timedelta(days=i) for i in range(start, stop))
    return " ".join(d.isoformat() for d in days if d not in skip)


def _crew_days(html: str) -> dict[str, str]:
    return dict(re.findall(r'<option value="(\d+)" data-days="([^"]*)"', html))


def _day_labels(html: str) -> list[str]:
    select = html[html.index('<select name="date"'):]
    select = select[: select.index("</select>")]
    return [" ".join(label.split()) for label in re.findall(r">([^<]+)</option>", select)]


def test_visit_page_labels_the_crews_off_days(signed_in, week_plan, session: Session) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Blue Crew works Mon-Fri, Green Crew Mon-Sat; both are in the Tampa region."""
    session.add_all([
        Holiday(date=THURSDAY, name="Thanksgiving", region=None),
        Holiday(date=FRIDAY, name="Gasparilla", region="Tampa"),
        Holiday(date=SATURDAY, name="Orlando fair", region="Orlando"),
    ])
    session.commit()
    client = signed_in("dispatcher")
    html = client.get(f"/plans/{week_plan['plan']}/visits/{week_plan['visit_A1']}").get_data(
        as_text=True)

    crews = _crew_days(html)
    assert crews == {
        str(week_plan["C1"]): _days(0, 7, THURSDAY, FRIDAY, SATURDAY, SUNDAY),
        str(week_plan["C2"]): _days(0, 7, THURSDAY, FRIDAY, SUNDAY),
    }
    # A1 is Blue Crew's: without script its off days are labelled server-side.
    assert _day_labels(html) == [
        "Mon 30 Nov", "Tue 01 Dec", "Wed 02 Dec", "Thu 03 Dec (off)", "Fri 04 Dec (off)",
        "Sat 05 Dec (off)", "Sun 06 Dec (off)",
    ]
    assert 'data-label="Sun 06 Dec"' in html  # what the script relabels from
    assert "option.disabled = off" in html


def test_board_dialog_carries_the_working_days(signed_in, week_plan) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    client = signed_in("dispatcher")
    html = client.get(f"/plans/{week_plan['plan']}/board").get_data(as_text=True)
    dialog = html[html.index('<dialog id="visit-dialog"'):]
    assert _crew_days(dialog) == {
        str(week_plan["C1"]): _days(0, 5),
        str(week_plan["C2"]): _days(0, 6),
    }
    assert "(off)" not in _day_labels(dialog)[0]  # no crew chosen yet: the script labels
    assert 'dispatchEvent(new Event("change"))' in dialog


def test_an_off_day_is_still_accepted_with_a_warning(signed_in, week_plan) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Dispatchers may need overtime: the server keeps its warning, the form only steers."""
    client = signed_in("dispatcher")
    response = client.post(
        f"/plans/{week_plan['plan']}/visits/{week_plan['visit_A1']}/move",
        data={"crew_id": week_plan["C1"], "date": SUNDAY.isoformat(), "expected_version": "1"},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash-warning" in page
