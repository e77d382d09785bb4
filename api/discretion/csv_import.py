"""Reading a discretion benchmark from CSV; every bad row is reported with its line number."""

from __future__ import annotations

import csv
import decimal
import io

from mobile_contract.discretion import BenchmarkEntry
from mobile_contract.problems import FieldError, InvalidInput
from mobile_contract.records import PenaltyKind
from mobile_contract.workflow import Circumstance

COLUMNS = (
    "violation_code", "violation", "legal_basis", "circumstance", "penalty_kinds", "fine_min_yuan", "fine_max_yuan",
    "note",
)  # fmt: skip
CIRCUMSTANCES = {"轻微": Circumstance.MINOR, "一般": Circumstance.ORDINARY, "严重": Circumstance.SERIOUS} | {
    c.value: c for c in Circumstance
}
MAX_FEN = 10**13


def parse(text: str) -> list[BenchmarkEntry]:
    """Entries of a benchmark CSV, or InvalidInput naming each bad line and column."""
    # newline="": line ends are the csv module's to read (a bare CR otherwise raised csv.Error, a 500)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:  # what the csv module still cannot read, e.g. a field past its size limit
        line = max(reader.line_num, 1)
        raise InvalidInput(
            f"CSV 第 {line} 行无法读取，请检查引号与换行",
            f"unreadable CSV: {exc}",
            errors=[FieldError(field=f"line {line}", message="无法读取")],
        ) from exc
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            f"CSV 缺少列：{', '.join(missing)}",
            "benchmark CSV lacks columns",
            errors=[FieldError(field="header", message=f"缺少列 {c}") for c in missing],
        )
    entries, errors, seen = [], [], set()
    for line, row in enumerate(rows, start=2):
        entry, row_errors = _entry(line, row)
        key = (entry.violation_code, entry.circumstance) if entry else None
        if key in seen:
            row_errors.append(FieldError(field=f"line {line}", message="违法行为编码与情节重复"))
        errors += row_errors
        if entry and not row_errors:
            seen.add(key)
            entries.append(entry)
    if errors or not entries:
        raise InvalidInput("裁量基准 CSV 有错误，请按行号修改", "benchmark CSV invalid", errors=errors or _empty())
    return entries


def _empty() -> list[FieldError]:
    return [FieldError(field="csv", message="没有数据行")]


def _entry(line: int, row: dict[str, str]) -> tuple[BenchmarkEntry | None, list[FieldError]]:
    errors: list[FieldError] = []

    def bad(column: str, message: str) -> None:
        errors.append(FieldError(field=f"line {line}.{column}", message=message))

    values = {c: (row.get(c) or "").strip() for c in COLUMNS}
    for column in ("violation_code", "violation", "legal_basis"):
        if not values[column]:
            bad(column, "不能为空")
    circumstance = CIRCUMSTANCES.get(values["circumstance"])
    if circumstance is None:
        bad("circumstance", "应为 minor/ordinary/serious 或 轻微/一般/严重")
    kinds = _kinds(values["penalty_kinds"], lambda m: bad("penalty_kinds", m))
    low, high = (_fen(values[c], lambda m, c=c: bad(c, m)) for c in ("fine_min_yuan", "fine_max_yuan"))
    if low is not None and high is not None and low > high:
        bad("fine_max_yuan", "罚款上限不得低于下限")
    if errors or circumstance is None or low is None or high is None:
        return None, errors
    entry = BenchmarkEntry(
        violation_code=values["violation_code"],
        violation=values["violation"],
        legal_basis=values["legal_basis"],
        circumstance=circumstance,
        kinds=kinds,
        fine_min_fen=low,
        fine_max_fen=high,
        note=values["note"],
    )
    return entry, errors


def _kinds(text: str, bad) -> list[PenaltyKind]:
    names = [n.strip() for n in text.split(";") if n.strip()]
    unknown = [n for n in names if n not in PenaltyKind._value2member_map_]
    if unknown or not names:
        bad(f"未知或缺少处罚种类：{', '.join(unknown) or '（空）'}")
        return []
    return sorted({PenaltyKind(n) for n in names})


def _fen(text: str, bad) -> int | None:
    try:
        amount = decimal.Decimal(text or "0")
    except decimal.InvalidOperation:
        bad("金额格式错误")
        return None
    fen = amount * 100
    if fen != fen.to_integral_value() or not 0 <= fen <= MAX_FEN:
        bad("金额须为不超过两位小数的非负数")
        return None
    return int(fen)
