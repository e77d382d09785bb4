"""Check-character validation of Chinese identification codes.

- 统一社会信用代码 (Unified Social Credit Code), GB 32100-2015: 18 characters,
  the 18th a mod-31 check character; characters 9–17 are the organisation code
  (组织机构代码, GB 11714-1997) with its own mod-11 check character.
- 公民身份号码 (citizen ID number), GB 11643-1999: 18 characters, the 18th a
  mod-11 (ISO 7064 MOD 11-2) check character, ``X`` standing for 10.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
ID_CHECK = "10X98765432"
# Lookups by character: validation runs for every party of every pushed record, so no str.index per character.
USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
ORG_CODE_VALUE = {c: int(c, 36) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def _weighted_sum(values: Iterable[int], weights: tuple[int, ...]) -> int:
    return sum(map(operator.mul, values, weights))


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = _weighted_sum(map(USCC_VALUE.__getitem__, first17), USCC_WEIGHTS)
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The GB 11714 check character: digits 0–9, letters A=10 … Z=35."""
    total = _weighted_sum(map(ORG_CODE_VALUE.__getitem__, first8), ORG_CODE_WEIGHTS)
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC, or None when it is."""
    if len(code) != 18:
        return "统一社会信用代码应为18位"
    if not USCC_VALUE.keys() >= set(code):
        return "统一社会信用代码含有不允许的字符（不用 I、O、Z、S、V）"
    if not code[2:8].isdigit():
        return "统一社会信用代码第3–8位应为行政区划码"
    if org_code_check_char(code[8:16]) != code[16]:
        return "统一社会信用代码中的组织机构代码校验位错误"
    if uscc_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位错误"
    return None


def id_number_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    return ID_CHECK[_weighted_sum(map(int, first17), ID_WEIGHTS) % 11]


def id_number_problem(number: str) -> str | None:
    """Why ``number`` is not a valid 18-digit citizen ID number, or None."""
    if len(number) != 18 or not number[:17].isdigit():
        return "身份证号码应为17位数字加1位校验码"
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "身份证号码中的出生日期无效"
    if id_number_check_char(number[:17]) != number[17]:
        return "身份证号码校验位错误"
    return None
