"""Blueprint ``crew``: a crew's printable route sheet, its CSV and its calendar feed.

A crew user sees only its own crew; owners and dispatchers see every crew. Phone calendars
subscribe to the feed without a sign-in, so the feed also accepts a per-crew token in the
URL: an HMAC of the crew id under the app's ``SECRET_KEY``. It needs no table, cannot be
guessed for another crew, and changing the secret key revokes every subscription at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import cast
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from crm.crews import Crew
from crm.users import Role
from dashboard.auth import CurrentUser, login_manager
from dashboard.db import get_session
from scheduling.sheet_exports import sheet_csv, sheets_calendar
from scheduling.sheets import crew_sheets, hhmm_s, next_work_day, route_sheet

bp = Blueprint("crew", __name__)

#: Days before today that the calendar feed still shows.
FEED_PAST_DAYS = 14


def feed_token(crew_id: int, secret_key: str | bytes | None = None) -> str:
    """The calendar-feed token of a crew: HMAC-SHA256 of its id, 32 hex characters.

    The message is prefixed so the token can never be replayed as another signed value of
    the app (Flask's session signing uses the same key with its own salt).
    """
    key = secret_key if secret_key is not None else current_app.config["SECRET_KEY"]
    if isinstance(key, str):
        key = key.encode()
    message = f"rounds.crew-feed:{crew_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def feed_url(crew_id: int) -> str:
    """The absolute subscription URL of a crew's feed, token included."""
    return url_for("crew.feed", crew_id=crew_id, token=feed_token(crew_id), _external=True)


def company_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def company_today() -> dt.date:
    """Today on the company's clock (the server may run in UTC)."""
    return dt.datetime.now(company_tz()).date()


def _may_see(crew_id: int) -> bool:
    user = current_user
    if not user.is_authenticated:
        return False
    user = cast(CurrentUser, user)
    return user.has_role(Role.DISPATCHER) or user.crew_id == crew_id


def _crew_or_404(crew_id: int) -> Crew:
    crew = get_session().get(Crew, crew_id)
    if crew is None:
        abort(404)
    return crew


def _signed_in_crew(crew_id: int) -> Crew:
    """The crew, for a signed-in user allowed to see it (sign-in page, 403 or 404 otherwise)."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not _may_see(crew_id):
        abort(403)
    return _crew_or_404(crew_id)


def _parse_day(day: str) -> dt.date:
    try:
        return dt.date.fromisoformat(day)
    except ValueError:
        abort(404)


@bp.get("/crews/<int:crew_id>/sheet")
def today_sheet(crew_id: int) -> ResponseReturnValue:
    """Today's sheet: the link a crew bookmarks."""
    _signed_in_crew(crew_id)
    return redirect(url_for("crew.sheet", crew_id=crew_id, day=company_today().isoformat()))


@bp.get("/crews/<int:crew_id>/sheet/<string:day>")
def sheet(crew_id: int, day: str) -> ResponseReturnValue:
    """The printable route sheet of one crew-day, or a page saying there is no plan yet."""
    crew = _signed_in_crew(crew_id)
    date = _parse_day(day)
    route = route_sheet(get_session(), crew, date)
    upcoming = None if route and route.stops else next_work_day(get_session(), crew.id, date)
    return render_template(
        "crew/sheet.html",
        crew=crew,
        date=date,
        sheet=route,
        previous_day=date - dt.timedelta(days=1),
        next_day=date + dt.timedelta(days=1),
        next_work_day=upcoming,
        feed_url=feed_url(crew.id),
        hm=hhmm_s,
    )


@bp.get("/crews/<int:crew_id>/sheet/<string:day>.csv")
def sheet_csv_download(crew_id: int, day: str) -> ResponseReturnValue:
    """The sheet as CSV; 404 when no published plan covers the day (there is no sheet)."""
    crew = _signed_in_crew(crew_id)
    date = _parse_day(day)
    route = route_sheet(get_session(), crew, date)
    if route is None:
        abort(404, description=f"There is no published plan for {date:%A %d %B %Y}.")
    filename = f"route-{crew.external_id}-{date.isoformat()}.csv"
    return Response(
        sheet_csv(route),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/crews/<int:crew_id>/feed.ics")
def feed(crew_id: int) -> ResponseReturnValue:
    """The crew's visits from the published plans as an iCalendar feed.

    With ``?token=`` the token alone decides (calendar apps send no cookies): a wrong token
    is a 403 even for a signed-in user, so a broken subscription URL shows up as broken.
    Without a token, the signed-in rules of the sheet apply.
    """
    token = request.args.get("token")
    if token is not None:
        if not hmac.compare_digest(token, feed_token(crew_id)):
            abort(403)
        crew = _crew_or_404(crew_id)
    else:
        crew = _signed_in_crew(crew_id)
    since = company_today() - dt.timedelta(days=FEED_PAST_DAYS)
    sheets = crew_sheets(get_session(), crew, since)
    calendar = sheets_calendar(sheets, company_tz(), name=f"Rounds – {crew.name}")
    response = Response(calendar.to_ical(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="rounds-{crew.external_id}.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
