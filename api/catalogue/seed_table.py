"""The 加强事中事后监管措施表 layout (seed 000): read it into catalogue items and write it back.

The table arrives as text copied out of a word-processor file:

- every cell starts on a new line with a TAB; lines without the TAB continue
  the cell above (a cell may hold line breaks and blank lines: "行政\\n\\n许可");
- a row is six cells — 序号, 实施部门, 事项名称, 事项类型, 加强事中事后监管措施,
  备注说明 — and starts with a cell holding only the row number;
- merged cells arrive empty: an empty 实施部门, 事项类型, 措施 or 备注 cell
  takes the value of the row above, and the import notes it for a human;
- measures are an opening sentence followed by numbered lines ("1、…"); a
  cell without numbered lines is one measure.

The table has no item codes: the importer makes them from an 8-digit prefix
and the row number. 变更类型 comes from the opening of the measures ("改为备案",
"告知承诺") or else from the remark ("省级取消事项" → cancelled), and 监管层级 from
the remark.
"""

from __future__ import annotations

import re

import msgspec

from mobile_contract.catalogue import (
    CHANGE_TYPE_LABELS,
    ITEM_KIND_LABELS,
    LEVEL_LABELS,
    CatalogueItemContent,
    ChangeType,
    Level,
)
from mobile_contract.problems import FieldError

HEADER = ("序号", "实施部门", "事项名称", "事项类型", "加强事中事后监管措施", "备注说明")
MERGEABLE = {"department": "实施部门", "kind": "事项类型", "measures": "加强事中事后监管措施", "remark": "备注说明"}
NUMBERED = re.compile(r"^(\d{1,2})\s*(?:、|．|\.(?!\d))\s*")
OPENING_CHARS = 20  # "取消许可，改为备案后，" fits; measures further on may mention 备案 for other reasons
OPENING_RULES = ((ChangeType.FILING, "备案"), (ChangeType.COMMITMENT, "告知承诺"))
REMARK_RULES = (
    (ChangeType.CANCELLED, "取消"),
    (ChangeType.ADJUSTED, "调整"),
    (ChangeType.TAKEN_OVER, "承接"),
    (ChangeType.DELEGATED, "下放"),
    (ChangeType.DELEGATED, "委托"),
    (ChangeType.RETAINED, "保留"),
)
KINDS_BY_LABEL = {label: kind for kind, label in ITEM_KIND_LABELS.items()}
LEVEL_WORDS = {"国家": Level.NATIONAL, "省级": Level.PROVINCIAL, "市级": Level.CITY, "县级": Level.COUNTY}


class SeedRow(msgspec.Struct, kw_only=True):
    """One table row as text, cells joined (a merged cell is still empty here)."""

    number: int
    line: int
    department: str
    name: str
    kind: str
    measures: str
    remark: str


class TableError(ValueError):
    """The table's layout is not the one described above; ``errors`` say where."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


def join_lines(text: str) -> str:
    """A short cell broken over lines ("省级\\n取消\\n事项") as one line."""
    return "".join(line.strip() for line in text.splitlines())


def split_measures(text: str) -> tuple[str, list[str]]:
    """(opening, numbered measures); a cell with no numbered line is a single measure."""
    opening: list[str] = []
    measures: list[str] = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        if match := NUMBERED.match(line):
            measures.append(line[match.end() :])
        elif measures:
            measures[-1] += "\n" + line
        else:
            opening.append(line)
    if not measures:
        return "", ["\n".join(opening)] if opening else []
    return "\n".join(opening), measures


def join_measures(preamble: str, measures: list[str]) -> str:
    """The inverse of ``split_measures``."""
    if not preamble and len(measures) == 1:
        return measures[0]
    return "\n".join([*([preamble] if preamble else []), *(f"{i}、{m}" for i, m in enumerate(measures, 1))])


def cells(text: str) -> list[tuple[int, str]]:
    """(line number, text) of every cell, in order; lines before the first cell (titles) are skipped."""
    found: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("\t"):
            found.append((number, line[1:]))
        elif found:
            found[-1] = (found[-1][0], found[-1][1] + "\n" + line)
    return found


def rows(text: str) -> list[SeedRow]:
    """The table's rows; raises TableError when the header or a row's cell count is wrong."""
    all_cells = cells(text)
    starts = [i for i, (_, cell) in enumerate(all_cells) if cell.strip().isdigit()]
    header = tuple(join_lines(cell) for _, cell in all_cells[: starts[0] if starts else len(all_cells)])
    if header != HEADER:
        raise TableError([FieldError("表头", f"应为 {'、'.join(HEADER)}，实为 {'、'.join(header) or '（空）'}")])
    found, errors = [], []
    for start, end in zip(starts, [*starts[1:], len(all_cells)], strict=True):
        line, number = all_cells[start][0], all_cells[start][1].strip()
        row = [cell for _, cell in all_cells[start:end]]
        if len(row) != len(HEADER):
            errors.append(FieldError(f"序号{number}（第{line}行）", f"有 {len(row)} 列，应为 {len(HEADER)} 列"))
            continue
        found.append(
            SeedRow(
                number=int(number),
                line=line,
                department=join_lines(row[1]),
                name=join_lines(row[2]),
                kind=join_lines(row[3]),
                measures=row[4].strip(),
                remark=join_lines(row[5]),
            )
        )
    if errors:
        raise TableError(errors)
    return found


def fill_merged(table: list[SeedRow]) -> tuple[list[SeedRow], list[str]]:
    """Empty mergeable cells take the row above's value; returns the rows and a note per filled cell."""
    filled: list[SeedRow] = []
    notes = []
    for row in table:
        if filled:
            above = filled[-1]
            for field, column in MERGEABLE.items():
                if not getattr(row, field) and getattr(above, field):
                    row = msgspec.structs.replace(row, **{field: getattr(above, field)})
                    notes.append(f"序号{row.number}：{column}为空（合并单元格），沿用序号{above.number}的内容")
        filled.append(row)
    return filled, notes


def change_type(measures: str, remark: str) -> ChangeType | None:
    opening = measures[:OPENING_CHARS]
    for kind, word in OPENING_RULES:
        if word in opening or word in remark:
            return kind
    for text in (remark, opening):
        for kind, word in REMARK_RULES:
            if word in text:
                return kind
    return None


def content(row: SeedRow) -> CatalogueItemContent:
    """The catalogue content of a row; raises ValueError saying which cell is wrong."""
    kind = KINDS_BY_LABEL.get(row.kind)
    if kind is None:
        raise ValueError(f"事项类型“{row.kind}”不在 {'、'.join(ITEM_KIND_LABELS.values())} 之中")
    changed = change_type(row.measures, row.remark)
    if changed is None:
        raise ValueError("无法从措施开头或备注判断变更类型（取消、调整、承接、下放、委托、保留、改为备案、告知承诺）")
    preamble, measures = split_measures(row.measures)
    level = next((lvl for word, lvl in LEVEL_WORDS.items() if word in row.remark), None)
    return msgspec.convert(
        {
            "name": row.name,
            "kind": kind,
            "change_type": changed,
            "supervising_subject": row.department,
            "measures_preamble": preamble,
            "measures": measures,
            "level": level,
            "remark": row.remark,
        },
        CatalogueItemContent,
    )


def parse(text: str, code_prefix: str) -> tuple[list[tuple[str, CatalogueItemContent]], list[str]]:
    """(code, content) per row and the merged-cell notes; raises TableError listing every bad row."""
    table, notes = fill_merged(rows(text))
    items, errors = [], []
    for row in table:
        try:
            items.append((f"{code_prefix}{row.number:06d}", content(row)))
        except (ValueError, msgspec.ValidationError) as exc:
            errors.append(FieldError(f"序号{row.number}（第{row.line}行）", str(exc)))
    if errors:
        raise TableError(errors)
    return items, notes


def render(items: list[tuple[int, CatalogueItemContent]]) -> str:
    """The table as text in the same layout, one row per (row number, content), no merged cells."""
    lines = ["监管事项清单", "加强事中事后监管措施表", *(f"\t{h}" for h in HEADER), ""]
    for number, item in items:
        cells_ = (
            str(number),
            item.supervising_subject,
            item.name,
            ITEM_KIND_LABELS[item.kind],
            join_measures(item.measures_preamble, item.measures),
            item.remark or _remark(item),
        )
        lines += [f"\t{cell}" for cell in cells_] + [""]
    return "\n".join(lines)


def _remark(item: CatalogueItemContent) -> str:
    """备注 for an item that has none: its level and change, as the seed writes it ("市级承接事项")."""
    level = LEVEL_LABELS[item.level] if item.level else ""
    return f"{level}{CHANGE_TYPE_LABELS[item.change_type]}事项"
