"""Working-day deadlines for complaints, on the working calendar (``api.calendar``).

Periods start the day after the event (行政程序期间从次日起算), holidays and
make-up working days (调休) from the State Council's notices. The calendar
refuses to count into a year whose notice is not loaded; a public intake cannot
refuse a complaint, so there the deadline falls back to the same number of
natural days — never later than the legal one, so nothing is reported on
time that is late — and a warning asks for the year's notice to be loaded.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from api.calendar.workdays import CalendarUnavailable, WorkingCalendar, add_days

log = logging.getLogger(__name__)
CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")


def add_working_days(calendar: WorkingCalendar, start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (or ``days`` natural days where the calendar ends)."""
    try:
        return add_days(calendar, start, days, working=True)[0]
    except CalendarUnavailable as exc:
        log.warning("working days after %s: %s; using %d natural days", start, exc, days)
        return start + dt.timedelta(days=days)


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date in China of an instant: deadlines are Beijing-time dates."""
    return moment.astimezone(CHINA).date()
