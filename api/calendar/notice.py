"""Reading a year's holiday notice from a file (CSV or JSON): every bad line is named, in Chinese.

The file lists the days the State Council's notice names (mobile_contract/calendar.py): the days
off, and the weekend days worked instead (调休上班日). Dates belong to the notice's year, or to the
December before it when the notice names one (2019's notice, for one, moved 30–31 December 2018).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import msgspec

from api.calendar.workdays import DayKind
from mobile_contract.calendar import FileFormat
from mobile_contract.problems import FieldError, InvalidInput

COLUMNS = ("date", "kind", "name")
KINDS = {"holiday": DayKind.HOLIDAY, "放假": DayKind.HOLIDAY, "workday": DayKind.WORKDAY, "上班": DayKind.WORKDAY}
WEEKDAYS = "一二三四五六日"
MAX_NAME = 30


class NoticeDay(msgspec.Struct, frozen=True):
    day: dt.date
    kind: DayKind
    name: str


def parse(year: int, format: FileFormat, text: str) -> list[NoticeDay]:
    """The notice's days, or InvalidInput naming every bad line and field."""
    rows = _csv_rows(text) if format is FileFormat.CSV else _json_rows(text)
    days: list[NoticeDay] = []
    errors: list[FieldError] = []
    seen: dict[dt.date, str] = {}
    for where, row in rows:
        day, row_errors = _day(year, where, row)
        if day is not None and day.day in seen:
            row_errors.append(FieldError(f"{where}.date", f"日期 {day.day} 与 {seen[day.day]} 重复"))
        errors += row_errors
        if day is not None and not row_errors:
            seen[day.day] = where
            days.append(day)
    if not errors and not any(d.kind is DayKind.HOLIDAY and d.day.year == year for d in days):
        errors.append(FieldError("file", f"文件中没有 {year} 年的放假日期"))
    if errors:
        raise InvalidInput(
            "放假通知文件有错误，请按行号和列名修改后重新导入", "holiday notice file invalid", errors=errors
        )
    return days


def _csv_rows(text: str) -> list[tuple[str, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        rows = [(f"line {line}", row) for line, row in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise InvalidInput(
            f"CSV 格式有误（第 {reader.line_num} 行），请用 UTF-8 保存为逗号分隔的文本", f"holiday CSV malformed: {exc}"
        ) from exc
    if missing:
        errors = [FieldError("header", f"缺少列 {c}（表头应为 date,kind,name）") for c in missing]
        raise InvalidInput("CSV 表头不对，应为 date,kind,name", "holiday CSV lacks columns", errors=errors)
    return rows


def _json_rows(text: str) -> list[tuple[str, dict[str, str]]]:
    try:
        items = msgspec.json.decode(text)
    except msgspec.DecodeError as exc:
        raise InvalidInput("文件不是有效的 JSON", f"holiday JSON malformed: {exc}") from exc
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        example = '[{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, …]'
        raise InvalidInput(f"JSON 应为对象数组：{example}", "holiday JSON must be a list of objects")
    return [(f"[{i}]", {k: "" if v is None else str(v) for k, v in item.items()}) for i, item in enumerate(items)]


def _day(year: int, where: str, row: dict[str, str]) -> tuple[NoticeDay | None, list[FieldError]]:
    values = {c: (row.get(c) or "").strip() for c in COLUMNS}
    errors = []

    def bad(column: str, message: str) -> None:
        errors.append(FieldError(f"{where}.{column}", message))

    day = _date(values["date"], year, lambda m: bad("date", m))
    kind = KINDS.get(values["kind"])
    if kind is None:
        bad("kind", f"类型“{values['kind']}”无法识别，应为 holiday（放假）或 workday（调休上班）")
    if not 1 <= len(values["name"]) <= MAX_NAME:
        bad("name", f"节日名称不能为空，最多 {MAX_NAME} 字（如 春节）")
    if day is not None and kind is DayKind.WORKDAY and day.weekday() < 5:
        bad("date", f"{day} 是星期{WEEKDAYS[day.weekday()]}，本来就是工作日；调休上班日应是周六或周日")
    if day is None or kind is None or errors:
        return None, errors
    return NoticeDay(day, kind, values["name"]), errors


def _date(text: str, year: int, bad) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        bad(f"日期“{text}”无效，应写成 {year}-01-01 这样的年-月-日，且须是实际存在的日期")
        return None
    if day.year == year or (day.year == year - 1 and day.month == 12):
        return day
    bad(f"日期 {day} 不属于 {year} 年的通知（只能是 {year} 年的日期，或通知写明的 {year - 1} 年 12 月的调休）")
    return None
