"""Today's date for the procedure (办案日期): China Standard Time, UTC+8 with no daylight saving.

Every rule that depends on the date reads it here (``clock.today()``, looked up at call time), so
tests can pin the date in one place instead of depending on the day they run.
"""

from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def today() -> dt.date:
    return dt.datetime.now(CHINA).date()
