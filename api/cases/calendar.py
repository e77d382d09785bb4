"""Counting days (期间计算): natural days and working days with China's public holidays.

Holidays and make-up working days (调休上班日) come from the ``chinesecalendar``
package, which the State Council's annual notice feeds. It only knows the
years it was released with; counting working days into a year it does not
cover raises ``CalendarUnavailable`` instead of guessing — update the package
when the next year's notice is out.

Counting follows the usual rule for periods: the anchor day itself is not
counted, the first day counted is the day after it. Paused days (中止, 听证,
鉴定) are not counted either.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import chinese_calendar
from chinese_calendar import constants

ONE_DAY = dt.timedelta(days=1)
MAX_SPAN_DAYS = 3 * 366  # a bound on any single count, so a pause with no end cannot loop forever


class CalendarUnavailable(Exception):
    """The holiday data does not cover the year a working-day count reaches."""

    def __init__(self, year: int) -> None:
        first, last = covered_years()
        super().__init__(f"holiday data covers {first}–{last}, not {year}")
        self.year = year


@functools.cache
def covered_years() -> tuple[int, int]:
    """First and last year the installed holiday data covers."""
    years = {day.year for day in constants.holidays} | {day.year for day in constants.workdays}
    return min(years), max(years)


def is_working_day(day: dt.date) -> bool:
    first, last = covered_years()
    if not first <= day.year <= last:
        raise CalendarUnavailable(day.year)
    return chinese_calendar.is_workday(day)


def _never(_: dt.date) -> bool:
    return False


def add_days(
    anchor: dt.date, days: int, *, working: bool, paused: Callable[[dt.date], bool] = _never
) -> tuple[dt.date, int]:
    """The day on which ``days`` counted days after ``anchor`` are complete, and how many paused days were skipped."""
    day, counted, skipped = anchor, 0, 0
    while counted < days:
        day += ONE_DAY
        if (day - anchor).days > MAX_SPAN_DAYS + days:
            raise ValueError("period does not end: paused without end")
        if paused(day):
            skipped += 1
        elif not working or is_working_day(day):
            counted += 1
    return day, skipped


def latest_notice_day(event_on: dt.date, days: int) -> dt.date:
    """The last day a notice can go out so that ``days`` working days run before ``event_on`` (听证七日前通知)."""
    notice_on = event_on - ONE_DAY
    while add_days(notice_on, days, working=True)[0] > event_on:
        notice_on -= ONE_DAY
    return notice_on
