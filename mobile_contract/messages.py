"""字段错误的中文说明: msgspec's validation messages as field errors an inspector can act on.

msgspec says what is wrong in English, with the JSON path (``Expected `str` matching regex
'^\\d{14}$' - at `$.content.item_code```). A handheld user needs the exact field, in Chinese,
with what is allowed — never a regular expression or a Python repr. ``field_error`` walks the
request's type along the path (``msgspec.inspect``; a tagged union is followed by the tag in the
request itself) to find the field's constraints, its description and, for an enum, its values.

Validators that check one field of a struct (``__post_init__``) name it: ``ValueError(at("uscc",
"…"))`` becomes the error of ``content.party.uscc``, not of ``content.party``.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from msgspec import inspect as mi

from mobile_contract.problems import FieldError

SUB_FIELD = "|"  # "uscc|统一社会信用代码校验位不正确": the error is the struct's field ``uscc``
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_STEP = re.compile(r"\.(?P<name>[^.\[]+)|\[(?P<index>\d+)\]")
_OWN_FIELD = re.compile(r"^(?P<field>[a-z_][a-z0-9_.]*)\|(?P<message>.+)$", re.S)
TYPE_NAMES = {
    "str": "文本", "int": "整数", "float": "数字", "bool": "true 或 false", "null": "空值（null）",
    "object": "对象（{…}）", "array": "列表（[…]）", "datetime": "带时区的时间", "date": "日期", "time": "时间",
    "uuid": "UUID", "bytes": "base64 文本",
}  # fmt: skip
FORMATS = {
    "datetime": "带时区的时间，如 2026-11-20T09:30:00+08:00",
    "date": "日期，如 2026-11-20",
    "time": "时间，如 09:30:00",
}
PATTERNS = {
    r"^\d{14}$": "14位数字",
    r"^\d{6}$": "6位数字",
    r"^[0-9a-f]{64}$": "64位小写十六进制（SHA-256）",
    r"^[0-9A-Za-z\-]+$": "字母、数字和连字符（-）",
    r"^[A-Za-z0-9_.\-]+$": "字母、数字和 . _ -",
}


def at(field: str, message: str) -> str:
    """The message of a validator that checks one field of its struct (for ``ValueError``)."""
    return f"{field}{SUB_FIELD}{message}"


def field_error(
    message: str, *, root: Any = None, raw: Any = None, default_field: str = "", leaf: Any = None
) -> FieldError:
    """One of msgspec's messages as a Chinese field error.

    ``root`` is the type decoded and ``raw`` the JSON sent; ``leaf`` the type of the field itself
    when there is no root to walk (a query parameter).
    """
    found = _AT.search(message)
    steps: list[str | int] = _steps(found["path"] if found else f".{default_field}" if default_field else "")
    text = _AT.sub("", message)
    if own := _OWN_FIELD.match(text):
        return FieldError(_path([*steps, *own["field"].split(".")]), own["message"])
    if named := re.match(r"Object (missing required|contains unknown) field `(?P<name>[^`]+)`", text):
        steps.append(named["name"])
        return FieldError(_path(steps), "必须填写" if "missing" in text else "不认识的字段，请删除")
    kind = _type_at(root, steps, raw) if root is not None else mi.type_info(leaf) if leaf is not None else None
    return FieldError(_path(steps), _chinese(text, kind))


def _steps(path: str) -> list[str | int]:
    return [m["name"] if m["name"] is not None else int(m["index"]) for m in _STEP.finditer(path)]


def _path(steps: list[str | int]) -> str:
    out = ""
    for step in steps:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def _chinese(text: str, kind: mi.Type | None) -> str:
    """Message kinds msgspec has, in Chinese; anything else says the field is wrong, in general."""
    if text.startswith("Invalid enum value") or text.startswith("Invalid value"):
        return f"取值「{_quoted(text)}」无效{_allowed(kind)}"
    if m := re.match(r"Expected `(\w+)` matching regex", text):
        return f"格式不正确，应为{_pattern_words(kind)}"
    if m := re.match(r"Expected `(str|array|object)` of length (>=|<=) (\d+)", text):
        unit = "个字符" if m[1] == "str" else "项"
        if m[2] == ">=":
            return "不能为空" if m[3] == "1" else f"至少 {m[3]} {unit}"
        return f"不能超过 {m[3]} {unit}"
    if m := re.match(r"Expected `(int|float)` (>=|<=|>|<) (-?[\d.e+]+)", text):
        words = {">=": "不能小于", "<=": "不能大于", ">": "须大于", "<": "须小于"}
        return f"{words[m[2]]} {_number(m[3])}"
    if m := re.match(r"Expected `(int|float)` that's a multiple of (\d+)", text):
        return f"须为 {m[2]} 的倍数"
    if m := re.match(r"Invalid RFC3339 encoded (datetime|date|time)", text):
        return f"格式不正确，应为{FORMATS[m[1]]}"
    if "with a timezone component" in text or "timezone" in text:
        return "须带时区，如 2026-11-20T09:30:00+08:00"
    if text.startswith("Invalid UUID"):
        return "应为 UUID（终端生成的 UUIDv7，36 个字符）"
    if m := re.match(r"Expected `([\w |]+)`, got `(\w+)`", text):
        wanted = "或".join(TYPE_NAMES.get(t.strip(), t.strip()) for t in m[1].split("|"))
        return f"应为{wanted}，不能是{TYPE_NAMES.get(m[2], m[2])}"
    if re.search(r"[\u4e00-\u9fff]", text):
        return text  # a validator's own Chinese message
    return "取值无效，请按接口文档填写"


def _quoted(text: str) -> str:
    m = re.search(r"'(.*)'", text)
    return m[1] if m else ""


def _allowed(kind: mi.Type | None) -> str:
    values = _enum_values(kind)
    return f"，可选：{'、'.join(values)}" if values else ""


def _enum_values(kind: mi.Type | None) -> list[str]:
    kind = _bare(kind)
    if isinstance(kind, mi.EnumType):
        return [str(member.value) for member in kind.cls]
    if isinstance(kind, mi.LiteralType):
        return [str(v) for v in kind.values]
    if isinstance(kind, mi.UnionType):  # a tagged union: its tags; an optional enum: its values
        tags = [str(t.tag) for t in kind.types if isinstance(t, mi.StructType) and t.tag is not None]
        return tags or [v for t in kind.types if not isinstance(t, mi.NoneType) for v in _enum_values(t)]
    return []


def _pattern_words(kind: mi.Type | None) -> str:
    """What the field's pattern means, from a known pattern or the field's Chinese description."""
    described = (kind.extra_json_schema or {}).get("description", "") if isinstance(kind, mi.Metadata) else ""
    bare = _bare(kind)
    pattern = getattr(bare, "pattern", None)
    if pattern in PATTERNS:
        return PATTERNS[pattern]
    return described.split(" / ")[0] if described else "规定的格式"


def _number(text: str) -> str:
    value = float(text)
    return str(int(value)) if value.is_integer() else text


def _bare(kind: mi.Type | None) -> mi.Type | None:
    while isinstance(kind, mi.Metadata):
        kind = kind.type
    return kind


def _type_at(root: Any, steps: list[str | int], raw: Any) -> mi.Type | None:
    """The type (with its metadata) at ``steps`` inside ``root``; None where the walk loses its way."""
    kind: mi.Type | None = mi.type_info(root)
    for step in steps:
        if _tag_field_of(kind) == step:
            return _bare(kind)  # the tag itself: its choices are the union's tags
        kind = _member(kind, raw)
        if isinstance(kind, mi.StructType) and isinstance(step, str):
            field = next((f for f in kind.fields if f.encode_name == step), None)
            kind = field.type if field else None
        elif isinstance(kind, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
            kind = kind.item_type
        elif isinstance(kind, mi.TupleType) and isinstance(step, int) and step < len(kind.item_types):
            kind = kind.item_types[step]
        elif isinstance(kind, mi.DictType):
            kind = kind.value_type
        else:
            return None
        raw = _child(raw, step)
    return kind


def _tag_field_of(kind: mi.Type | None) -> str | None:
    kind = _bare(kind)
    if isinstance(kind, mi.UnionType):
        return next((t.tag_field for t in kind.types if isinstance(t, mi.StructType) and t.tag_field), None)
    return None


def _member(kind: mi.Type | None, raw: Any) -> mi.Type | None:
    """Through metadata and optional values to the type that holds fields; a tagged union by the tag sent."""
    while isinstance(kind, mi.Metadata | mi.UnionType):
        if isinstance(kind, mi.Metadata):
            kind = kind.type
            continue
        options = [t for t in kind.types if not isinstance(t, mi.NoneType)]
        structs = [t for t in options if isinstance(t, mi.StructType)]
        sent_tag = raw.get(structs[0].tag_field) if structs and isinstance(raw, dict) else None
        kind = next((t for t in structs if t.tag == sent_tag), structs[0] if structs else options[0])
    return kind


def _child(raw: Any, step: str | int) -> Any:
    if isinstance(raw, dict) and isinstance(step, str):
        return raw.get(step)
    if isinstance(raw, list) and isinstance(step, int) and step < len(raw):
        return raw[step]
    return None


def decoded(body: bytes | None) -> Any:
    """The request body as plain JSON, to follow tagged unions by what was sent; None if unreadable."""
    try:
        return msgspec.json.decode(body) if body else None
    except msgspec.DecodeError:
        return None
