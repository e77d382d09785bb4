"""Reporting periods (统计期间) as the statistics routes take them: whole days, at most a year.

Days before 2000 or after 2099 are refused with the rest: a day's bounds there fall outside what
PostgreSQL's timestamps or Python's dates hold (year 1 less eight hours is year 0), a 500 otherwise.
"""

from __future__ import annotations

import datetime as dt

from mobile_contract.problems import FieldError, InvalidInput

EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
MAX_DAYS = 366


def check_period(period_from: dt.date, period_to: dt.date) -> None:
    """InvalidInput naming the day at fault unless the period lies within 2000–2099, forwards, at most a year."""
    if not EARLIEST <= period_from <= LATEST:
        field, message = "period_from", "须在 2000 年至 2099 年之间"
    elif not period_from <= period_to <= min(LATEST, period_from + dt.timedelta(days=MAX_DAYS)):
        field, message = "period_to", "须在起始日之后一年以内，且不晚于 2099 年"
    else:
        return
    raise InvalidInput(
        "统计期间无效：须在 2000 年至 2099 年之间，起始日不得晚于截止日，且不超过一年",
        "invalid period",
        errors=[FieldError(field, message)],
    )
