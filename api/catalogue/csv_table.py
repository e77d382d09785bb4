"""The catalogue as CSV: one row per item, every field, Chinese headers, labels instead of enum values.

Measures travel in one cell as the seed writes them (opening sentence, then
"1、…" lines), so a spreadsheet user edits them as text. Export is the shared
spreadsheet CSV (api.csv_export: byte-order mark, formula-like cells quoted);
import ignores the mark and takes the quote off again.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from typing import Any

import msgspec

from api import csv_export
from api.catalogue.seed_table import TableError, join_measures, split_measures
from mobile_contract.catalogue import (
    CHANGE_TYPE_LABELS,
    ITEM_KIND_LABELS,
    LEVEL_LABELS,
    CatalogueItemContent,
)
from mobile_contract.problems import FieldError

CODE = re.compile(r"\d{14}")
# header → content field; code, labels and measures are converted on the way.
COLUMNS = {
    "事项编码": "code",
    "事项名称": "name",
    "事项类型": "kind",
    "变更类型": "change_type",
    "监管主体": "supervising_subject",
    "监管对象": "supervised_object",
    "监管措施": "measures",
    "设定依据": "legal_basis",
    "处理方式": "handling",
    "监管层级": "level",
    "反馈机制": "feedback",
    "分管负责人": "responsible_leader",
    "承办机构": "responsible_unit",
    "承办人员": "responsible_person",
    "备注": "remark",
    "停止监管日期": "withdrawn_on",
}
REQUIRED = ("事项编码", "事项名称", "事项类型", "变更类型", "监管措施")
LABELS: dict[str, Mapping[Any, str]] = {
    "kind": ITEM_KIND_LABELS,
    "change_type": CHANGE_TYPE_LABELS,
    "level": LEVEL_LABELS,
}
VALUES = {field: {label: value for value, label in labels.items()} for field, labels in LABELS.items()}


def _field_value(field: str, text: str) -> object:
    text = text.strip()
    if field in VALUES:
        if not text and field == "level":
            return None
        if text not in VALUES[field]:
            raise ValueError(f"“{text}”不是有效的取值（{'、'.join(VALUES[field])}）")
        return VALUES[field][text]
    if field == "withdrawn_on":
        return text or None
    return text


def _content(row: dict[str, str]) -> CatalogueItemContent:
    fields = {COLUMNS[h]: _field_value(COLUMNS[h], csv_export.restore(v or "")) for h, v in row.items() if h in COLUMNS}
    fields.pop("code")
    fields["measures_preamble"], fields["measures"] = split_measures(str(fields["measures"]))
    return msgspec.convert(fields, CatalogueItemContent)


def parse(text: str) -> list[tuple[str, CatalogueItemContent]]:
    """(code, content) per row; raises TableError listing every bad row."""
    # newline="": line ends are the csv module's to read (a bare CR otherwise raised csv.Error, a 500)
    reader = csv.DictReader(io.StringIO(text.removeprefix(csv_export.BOM), newline=""))
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:  # what the csv module still cannot read, e.g. a field past its size limit
        raise TableError([FieldError(f"第{max(reader.line_num, 1)}行", "无法读取，请检查引号与换行")]) from exc
    missing = [h for h in REQUIRED if h not in (reader.fieldnames or [])]
    if missing:
        raise TableError([FieldError("表头", f"缺少列：{'、'.join(missing)}")])
    items, errors = [], []
    for line, row in rows:
        code = (row.get("事项编码") or "").strip()
        try:
            if not CODE.fullmatch(code):
                raise ValueError("事项编码应为14位数字")
            items.append((code, _content(row)))
        except (ValueError, msgspec.ValidationError) as exc:
            errors.append(FieldError(f"第{line}行（{code or '无编码'}）", str(exc)))
    if errors:
        raise TableError(errors)
    return items


def render(items: list[tuple[str, CatalogueItemContent]]) -> str:
    return csv_export.render(COLUMNS, (_cells(code, item) for code, item in items))


def _cells(code: str, item: CatalogueItemContent) -> list[object]:
    fields = msgspec.to_builtins(item) | {"code": code}
    for field, labels in LABELS.items():
        value = getattr(item, field)
        fields[field] = labels[value] if value is not None else ""
    fields["measures"] = join_measures(item.measures_preamble, item.measures)
    fields["withdrawn_on"] = fields["withdrawn_on"] or ""
    return [fields[f] for f in COLUMNS.values()]
