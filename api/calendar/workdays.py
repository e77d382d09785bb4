"""Counting days (期间计算) on the working calendar: public holidays and make-up working days as data.

The calendar is what the database holds (``api.calendar.service.current``): the State Council's
notice for each year it covers (国务院办公厅关于某年部分节假日安排的通知), seeded from
``chinesecalendar`` and loaded by an admin each year. Counting working days into a year it does
not cover raises ``CalendarUnavailable`` naming that year, never a guess.

Counting follows the usual rule for periods: the anchor day itself is not counted, the first day
counted is the day after it. Paused days (中止, 听证, 鉴定) are not counted either; a pause that
has not ended leaves the period without an end (``PausedWithoutEnd``) until it does.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence

import msgspec

ONE_DAY = dt.timedelta(days=1)


class DayKind(enum.StrEnum):
    HOLIDAY = "holiday"  # 放假（含调休放假的日子）
    WORKDAY = "workday"  # 调休上班日（周末上班）


class WorkingCalendar(msgspec.Struct, frozen=True):
    """The days that are not what their weekday says, for the years covered; ``version`` names the data."""

    version: int
    years: frozenset[int]
    days: dict[dt.date, DayKind]

    def is_working_day(self, day: dt.date) -> bool:
        if day.year not in self.years:
            raise CalendarUnavailable(day.year, self)
        kind = self.days.get(day)
        return kind is DayKind.WORKDAY if kind is not None else day.weekday() < 5

    def covered(self) -> str:
        """The years covered, as ranges: "2004–2026", or "2004–2026、2028"."""
        runs: list[list[int]] = []
        for year in sorted(self.years):
            if runs and runs[-1][-1] == year - 1:
                runs[-1].append(year)
            else:
                runs.append([year])
        return "、".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs) or "（无）"


class CalendarUnavailable(Exception):
    """A working-day count reaches a year whose holiday notice is not loaded."""

    def __init__(self, year: int, calendar: WorkingCalendar) -> None:
        super().__init__(f"the working calendar covers {calendar.covered()}, not {year}")
        self.year = year
        self.covered = calendar.covered()


class PausedWithoutEnd(Exception):
    """The period reaches a pause that has not ended: its last day is not known yet."""

    def __init__(self, since: dt.date) -> None:
        super().__init__(f"paused since {since} without end")
        self.since = since


class Pause(msgspec.Struct, frozen=True):
    """Days not counted: from ``start`` (included) to ``end`` (excluded; None while it lasts)."""

    start: dt.date
    end: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def add_days(
    calendar: WorkingCalendar, anchor: dt.date, days: int, *, working: bool, pauses: Sequence[Pause] = ()
) -> tuple[dt.date, int]:
    """The day on which ``days`` counted days after ``anchor`` are complete, and how many paused days were skipped.

    Raises ``CalendarUnavailable`` (a working day in a year not covered) or ``PausedWithoutEnd``.
    """
    open_since = min((p.start for p in pauses if p.end is None), default=None)
    day, counted, skipped = anchor, 0, 0
    while counted < days:
        day += ONE_DAY
        if open_since is not None and day >= open_since:
            raise PausedWithoutEnd(open_since)
        if any(p.covers(day) for p in pauses):
            skipped += 1
        elif not working or calendar.is_working_day(day):
            counted += 1
    return day, skipped


def latest_notice_day(calendar: WorkingCalendar, event_on: dt.date, days: int) -> dt.date:
    """The last day a notice can go out so that ``days`` working days run before ``event_on`` (听证七日前通知)."""
    notice_on = event_on - ONE_DAY
    while add_days(calendar, notice_on, days, working=True)[0] > event_on:
        notice_on -= ONE_DAY
    return notice_on
