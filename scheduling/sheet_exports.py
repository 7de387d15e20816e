"""A crew's route sheets as CSV and as an iCalendar feed, from :mod:`scheduling.sheets`' data.

Times in the plan are seconds after midnight of the visit's date, on the company's wall clock;
the calendar attaches the company's time zone to them, so a phone in another zone still shows
the right moment.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import icalendar

from scheduling.sheets import RouteSheet, SheetStop, hhmm_s

CSV_COLUMNS = (
    "date",
    "crew",
    "order",
    "arrival",
    "start",
    "end",
    "customer",
    "address",
    "window_start",
    "window_end",
    "access_notes",
    "service",
    "duration_min",
    "drive_min",
    "distance_km",
    "lat",
    "lon",
    "map_url",
)


# --- CSV -----------------------------------------------------------------------------------


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula.

    Names and notes come from customers; a leading ``=``, ``+``, ``-`` or ``@`` would make
    Excel or LibreOffice evaluate them, so such text gets a leading apostrophe (OWASP's advice).
    """
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def sheet_rows(sheet: RouteSheet) -> list[dict[str, str]]:
    """The sheet's stops as CSV records keyed by :data:`CSV_COLUMNS`."""
    rows = []
    for stop in sheet.stops:
        rows.append(
            {
                "date": sheet.date.isoformat(),
                "crew": _cell(sheet.crew_name),
                "order": str(stop.order),
                "arrival": hhmm_s(stop.arrival_s),
                "start": hhmm_s(stop.start_s),
                "end": hhmm_s(stop.end_s),
                "customer": _cell(stop.customer),
                "address": _cell(stop.address),
                "window_start": hhmm_s(
                    None if stop.window_start_min is None else stop.window_start_min * 60
                ),
                "window_end": hhmm_s(
                    None if stop.window_end_min is None else stop.window_end_min * 60
                ),
                "access_notes": _cell(stop.access_notes),
                "service": _cell(stop.service),
                "duration_min": str(stop.duration_min),
                "drive_min": str(round(stop.travel_s / 60)),
                "distance_km": f"{stop.distance_m / 1000:.1f}",
                "lat": "" if stop.lat is None else f"{stop.lat:.6f}",
                "lon": "" if stop.lon is None else f"{stop.lon:.6f}",
                "map_url": stop.map_url or "",
            }
        )
    return rows


def sheet_csv(sheet: RouteSheet) -> str:
    """The sheet as CSV text with a header row (also written for a day without visits)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(sheet_rows(sheet))
    return buffer.getvalue()


# --- iCalendar -----------------------------------------------------------------------------


def _local(date: dt.date, seconds: int, tz: ZoneInfo) -> dt.datetime:
    """Wall-clock ``seconds`` after midnight of ``date`` in ``tz`` (what the plan means)."""
    naive = dt.datetime.combine(date, dt.time()) + dt.timedelta(seconds=seconds)
    return naive.replace(tzinfo=tz)


def _description(stop: SheetStop) -> str:
    lines = []
    if stop.access_notes:
        lines.append(f"Access: {stop.access_notes}")
    if stop.window_start_min is not None and stop.window_end_min is not None:
        window = f"{hhmm_s(stop.window_start_min * 60)}-{hhmm_s(stop.window_end_min * 60)}"
        lines.append(f"Time window: {window}")
    lines.append(f"Service: {stop.service}, {stop.duration_min} min")
    lines.append(f"Stop {stop.order}, arrive {hhmm_s(stop.arrival_s)}")
    if stop.map_url:
        lines.append(f"Directions: {stop.map_url}")
    return "\n".join(lines)


def sheets_calendar(
    sheets: Iterable[RouteSheet],
    tz: ZoneInfo,
    *,
    name: str,
    stamp: dt.datetime | None = None,
) -> icalendar.Calendar:
    """A calendar with one event per visit, times in ``tz`` with its VTIMEZONE.

    ``stamp`` is the DTSTAMP of every event; the plan's publication time by default, so an
    unchanged plan gives a byte-identical feed and calendar apps see nothing new.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Rounds//route sheets//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", tz.key)
    for sheet in sheets:
        published = stamp or sheet.published_at or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        if published.tzinfo is None:  # SQLite gives naive datetimes back; they are UTC
            published = published.replace(tzinfo=dt.UTC)
        for stop in sheet.stops:
            event = icalendar.Event()
            event.add("uid", stop.uid)
            event.add("dtstamp", published.astimezone(dt.UTC))
            event.add("dtstart", _local(sheet.date, stop.start_s, tz))
            event.add("dtend", _local(sheet.date, stop.end_s, tz))
            event.add("summary", f"{stop.service} – {stop.customer}")
            event.add("location", stop.address)
            event.add("description", _description(stop))
            if stop.lat is not None and stop.lon is not None:
                event.add("geo", (stop.lat, stop.lon))
            event.add("transp", "OPAQUE")
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar
