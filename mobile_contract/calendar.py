"""The working calendar (节假日安排): which years are loaded, importing a year's notice, what it changed.

Holidays and make-up working days (调休上班日) come from the State Council's annual notice
(国务院办公厅关于某年部分节假日安排的通知, usually published in November or December). An admin
loads it as a file of days (CSV or JSON), each import a numbered version; a correction is simply
a newer version of the same year, and every open deadline is recomputed at once.

CSV (UTF-8, header row)::

    date,kind,name
    2027-01-01,holiday,元旦
    2027-02-06,workday,春节

``kind`` is ``holiday`` (放假, weekends inside a holiday period included) or ``workday`` (调休上班,
a weekend day worked); 放假/上班 are accepted too. JSON: a list of the same objects. List every
day the notice names: the days off of each holiday period and every make-up working day, the
previous December's included when the notice names one; ordinary weekends are not listed.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.case_state import DeadlineRule

MAX_FILE_CHARS = 200_000
Year = Annotated[int, Meta(ge=2000, le=2100, description="年份 / year")]


class FileFormat(enum.StrEnum):
    CSV = "csv"
    JSON = "json"


class CalendarImport(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """导入一年的放假通知 / load one year's holiday notice."""

    year: Year
    document_no: Annotated[str, Meta(max_length=64, description="文号，如 国办发明电〔2024〕12号")] = ""
    title: Annotated[str, Meta(max_length=200, description="通知标题；空则按年份生成 / notice title")] = ""
    note: Annotated[str, Meta(max_length=2000, description="更正说明（更正时填写）/ why, for a correction")] = ""
    format: FileFormat = FileFormat.CSV
    text: Annotated[str, Meta(min_length=1, max_length=MAX_FILE_CHARS, description="文件内容 / the file's text")]


class CalendarVersionRead(msgspec.Struct, kw_only=True):
    """一次导入 / one version of the calendar: what it covers, from which document, who loaded it, when."""

    version: int
    source: Annotated[str, Meta(description="package 随软件包初始导入 / notice 管理员导入的通知")]
    years: list[int]
    document_no: str
    title: str
    note: str
    file_sha256: str | None
    imported_by: uuid.UUID | None
    imported_at: dt.datetime
    days: int


class CalendarDay(msgspec.Struct, kw_only=True):
    date: dt.date
    kind: Annotated[str, Meta(description="holiday 放假 / workday 调休上班")]
    name: str


class DeadlineChange(msgspec.Struct, kw_only=True):
    """一项因日历更正而变化的期限 / a deadline the import moved."""

    case_id: uuid.UUID
    case_title: str
    filing_no: Annotated[str, Meta(description="立案文号（未立案为空）/ the case's filing number, if filed")]
    rule: DeadlineRule
    subject: str
    due_before: dt.date | None
    due_after: dt.date | None
    status_before: str
    status_after: str


class CalendarImportResult(msgspec.Struct, kw_only=True):
    version: CalendarVersionRead
    cases_recomputed: int
    changed: Annotated[list[DeadlineChange], Meta(description="届满日或状态变化的期限 / deadlines that moved")]


class CalendarStatus(msgspec.Struct, kw_only=True):
    """日历覆盖情况与提醒 / which years are loaded, and a warning when next year is not (from 1 November)."""

    today: dt.date
    years: list[int]
    missing: Annotated[list[int], Meta(description="应已导入而未导入的年份 / years that should be loaded and are not")]
    warning: Annotated[str, Meta(description="提醒（无则为空）/ what to do, empty when nothing")]
    versions: Annotated[list[CalendarVersionRead], Meta(description="全部导入，最新在前 / every version, newest first")]
