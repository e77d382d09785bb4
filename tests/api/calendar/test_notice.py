"""Reading a holiday notice file: good files load, every bad line and field is named in Chinese."""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.calendar import notice
from api.calendar.workdays import DayKind
from mobile_contract.calendar import FileFormat
from mobile_contract.problems import InvalidInput

GOOD = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-20,上班,春节\n2026-12-26,workday,元旦\n"


def refusal(text: str, format: FileFormat = FileFormat.CSV, year: int = 2027) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        notice.parse(year, format, text)
    return {e.field: e.message for e in refused.value.errors}


def test_a_good_file_loads_with_chinese_kinds_and_the_december_before() -> None:
    days = notice.parse(2027, FileFormat.CSV, "\ufeff" + GOOD)
    assert [(d.day, d.kind) for d in days] == [
        (dt.date(2027, 1, 1), DayKind.HOLIDAY), (dt.date(2027, 2, 20), DayKind.WORKDAY),
        (dt.date(2026, 12, 26), DayKind.WORKDAY),
    ]  # fmt: skip


def test_every_bad_line_and_field_is_named() -> None:
    errors = refusal(
        "date,kind,name\n2027-02-30,holiday,春节\n2028-01-01,holiday,元旦\n2027-02-10,workday,春节\n"
        "2027-01-01,假期,元旦\n2027-01-02,holiday,\n2027-01-03,holiday,元旦\n2027-01-03,holiday,元旦\n"
    )
    assert "2027-02-30" in errors["line 2.date"] and "年-月-日" in errors["line 2.date"]
    assert "不属于 2027 年" in errors["line 3.date"]
    assert "星期三" in errors["line 4.date"] and "周六或周日" in errors["line 4.date"]
    assert "holiday（放假）或 workday（调休上班）" in errors["line 5.kind"]
    assert "不能为空" in errors["line 6.name"]
    assert "与 line 7 重复" in errors["line 8.date"]


def test_a_missing_column_a_file_without_holidays_and_bad_json_are_refused() -> None:
    assert set(refusal("date,type,name\n2027-01-01,holiday,元旦\n")) == {"header"}
    assert "没有 2027 年的放假日期" in refusal("date,kind,name\n2027-02-20,workday,春节\n")["file"]
    for text, said in (('{"date": "2027-01-01"}', "对象数组"), ("[{", "不是有效的 JSON")):
        with pytest.raises(InvalidInput) as refused:
            notice.parse(2027, FileFormat.JSON, text)
        assert said in refused.value.detail
    items = [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, {"date": "2027-01-02", "kind": 3, "name": "x"}]
    assert "[1].kind" in refusal(json.dumps(items), FileFormat.JSON)


days = st.builds(
    lambda day, holiday, name: (day, DayKind.HOLIDAY if holiday or day.weekday() < 5 else DayKind.WORKDAY, name),
    st.dates(dt.date(2027, 1, 1), dt.date(2027, 12, 31)),
    st.booleans(),
    st.text(
        st.characters(codec="utf-8", exclude_categories=["C", "Z"], exclude_characters=',"'), min_size=1, max_size=10
    ),
)


@given(st.lists(days, min_size=1, max_size=40, unique_by=lambda d: d[0]))
def test_any_valid_notice_reads_back_the_same_from_csv_and_json(found) -> None:
    found = (
        [*found, (dt.date(2027, 1, 1), DayKind.HOLIDAY, "元旦")] if all(k == "workday" for _, k, _ in found) else found
    )
    found = list({d: (d, k, n) for d, k, n in found}.values())
    csv = "date,kind,name\n" + "".join(f"{d},{k},{n}\n" for d, k, n in found)
    items = json.dumps([{"date": str(d), "kind": k, "name": n} for d, k, n in found])
    for format, text in ((FileFormat.CSV, csv), (FileFormat.JSON, items)):
        assert [(d.day, d.kind, d.name) for d in notice.parse(2027, format, text)] == found


@given(st.text(max_size=300))
def test_whatever_the_file_holds_the_answer_is_days_or_a_refusal(text) -> None:
    for format in FileFormat:
        with contextlib.suppress(InvalidInput):
            notice.parse(2027, format, text)
