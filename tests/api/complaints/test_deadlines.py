"""Working-day deadlines of complaints (投诉举报办理期限), without the database."""

from __future__ import annotations

import datetime as dt

from api.complaints import deadlines
from tests.factories import package_calendar

PACKAGE = package_calendar()


def test_seven_working_days_skip_the_national_day_week_and_count_the_make_up_saturday() -> None:
    # 2026: 1–7 October are holidays; Saturday 10 October is a make-up working day (调休).
    assert deadlines.add_working_days(PACKAGE, dt.date(2026, 9, 30), 7) == dt.date(2026, 10, 15)
    assert deadlines.add_working_days(PACKAGE, dt.date(2026, 11, 20), 7) == dt.date(2026, 12, 1)  # plain weeks


def test_beyond_the_published_calendar_the_deadline_is_never_later_than_the_legal_one() -> None:
    # 2027 is not in the package (2004–2026): inside 2026 working days still count; reaching into 2027 falls
    # back to natural days (7 working days are at least 7 natural days, so this errs early).
    assert deadlines.add_working_days(PACKAGE, dt.date(2026, 12, 28), 3) == dt.date(2026, 12, 31)
    assert deadlines.add_working_days(PACKAGE, dt.date(2026, 12, 28), 7) == dt.date(2027, 1, 4)


def test_local_date_is_beijing_time() -> None:
    assert deadlines.local_date(dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC)) == dt.date(2026, 11, 21)
