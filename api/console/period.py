"""The period of a statistics page (统计期间), as its form sends it: local dates, by default this year so far."""

from __future__ import annotations

import datetime as dt

from api.cases import clock
from mobile_contract.problems import FieldError, InvalidInput


def period_of(first: str, last: str) -> tuple[dt.date, dt.date]:
    """The form's two ``date`` fields; empty ones default to 1 January and today (China Standard Time)."""
    today = clock.today()
    return _day(first, "period_from", today.replace(month=1, day=1)), _day(last, "period_to", today)


def _day(text: str, field: str, default: dt.date) -> dt.date:
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput("日期格式无效，请按“年-月-日”填写", f"bad {field}", errors=[FieldError(field, "")]) from exc
