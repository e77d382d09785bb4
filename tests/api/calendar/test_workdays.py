"""The working calendar without a database: counting, which version governs a day, what is covered."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from api.calendar.service import build
from api.calendar.workdays import CalendarUnavailable, Pause, PausedWithoutEnd, add_days
from tests.factories import package_calendar

D = dt.date
PACKAGE = package_calendar()


def test_the_package_calendar_agrees_with_chinesecalendar_on_every_day_it_covers() -> None:
    day, wrong = D(2004, 1, 1), []
    while day.year <= 2026:
        if PACKAGE.is_working_day(day) != chinese_calendar.is_workday(day):
            wrong.append(day)
        day += dt.timedelta(days=1)
    assert wrong == []


def test_a_count_into_a_year_not_loaded_names_the_year_and_what_is_loaded() -> None:
    with pytest.raises(CalendarUnavailable) as refused:
        add_days(PACKAGE, D(2026, 12, 28), 5, working=True)
    assert (refused.value.year, refused.value.covered) == (2027, "2004–2026")
    assert add_days(PACKAGE, D(2026, 12, 28), 5, working=False) == (D(2027, 1, 2), 0), "natural days need no data"


def test_a_pause_without_end_leaves_the_period_without_end() -> None:
    with pytest.raises(PausedWithoutEnd) as open_pause:
        add_days(PACKAGE, D(2026, 11, 2), 10, working=True, pauses=[Pause(D(2026, 11, 9))])
    assert open_pause.value.since == D(2026, 11, 9)
    assert add_days(PACKAGE, D(2026, 11, 2), 3, working=True, pauses=[Pause(D(2026, 11, 9))]) == (D(2026, 11, 5), 0)


def rows(version: int, years: list[int], days: dict[str, str]) -> tuple[dict, list[dict]]:
    found = [{"version": version, "day": D.fromisoformat(d), "kind": k, "name": "节"} for d, k in days.items()]
    return {"version": version, "years": years}, found


def calendar_of(*versions: tuple[dict, list[dict]]):
    return build([v for v, _ in versions], [d for _, days in versions for d in days])


def test_the_newest_version_of_a_year_governs_it_whole() -> None:
    first = rows(1, [2027], {"2027-01-01": "holiday", "2027-01-04": "holiday"})
    correction = rows(2, [2027], {"2027-01-01": "holiday"})
    calendar = calendar_of(first, correction)
    assert calendar.version == 2 and calendar.years == {2027}
    assert calendar.is_working_day(D(2027, 1, 4)), "the correction dropped it"
    assert not calendar.is_working_day(D(2027, 1, 1))


def test_a_december_day_named_by_next_years_notice_counts_until_a_newer_version_covers_its_year() -> None:
    year_2018 = rows(1, [2018], {"2018-10-01": "holiday"})
    notice_2019 = rows(2, [2019], {"2018-12-29": "workday", "2018-12-31": "holiday", "2019-01-01": "holiday"})
    calendar = calendar_of(year_2018, notice_2019)
    assert calendar.is_working_day(D(2018, 12, 29)), "Saturday worked"
    assert not calendar.is_working_day(D(2018, 12, 31))
    corrected_2018 = rows(3, [2018], {"2018-10-01": "holiday"})
    assert calendar_of(year_2018, notice_2019, corrected_2018).is_working_day(D(2018, 12, 31))
    superseded = rows(3, [2019], {"2019-01-01": "holiday"})
    assert calendar_of(year_2018, notice_2019, superseded).is_working_day(D(2018, 12, 31)), "the old notice is gone"


def test_covered_years_read_as_ranges() -> None:
    assert calendar_of(rows(1, [2004, 2005, 2006], {}), rows(2, [2008], {})).covered() == "2004–2006、2008"
