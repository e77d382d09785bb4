"""Working-day deadlines (工作日) on the State Council holiday calendar (package ``chinesecalendar``).

Periods start the day after the event (行政程序期间从次日起算): 7 working
days from a complaint received on a Wednesday before the National Day week
end after the holiday, counting make-up Saturdays (调休) as working days.
The package knows the years the State Council has published; beyond them the
count falls back to Monday–Friday minus the fixed-date holidays of 《全国年节及
纪念日放假办法》 (1 January, 1–2 May, 1–3 October) and logs a warning — lunar
holidays and make-up days are then missed, so keep the package updated each
December when the next year's calendar is announced.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import zoneinfo

import chinese_calendar

log = logging.getLogger(__name__)
CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")
FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}


def is_working_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


@functools.cache
def _warn_unknown_year(year: int) -> None:
    log.warning("holiday calendar has no data for %s; estimating from weekdays and fixed holidays", year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start``."""
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += is_working_day(day)
    return day


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date in China of an instant: deadlines are Beijing-time dates."""
    return moment.astimezone(CHINA).date()
