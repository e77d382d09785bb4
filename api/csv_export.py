"""CSV for spreadsheets (导出表格), written one way by every export, safe to open in Excel or WPS.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and
tab or carriage return at the start lead some of them to do the same (CSV injection, OWASP). A
party name such as ``=HYPERLINK("http://…","点此")`` typed on a handheld would then run on a
supervisor's desk. Per the OWASP rule every such cell is written with a single quote in front
(``'=HYPERLINK…``), which the spreadsheet shows as text, and every cell is quoted, so a separator
inside a cell can never start a new one.

One exception, so that figures stay figures: a cell that is a plain decimal number (``-12.50``,
``+3``, ``1e5``; ASCII digits only) is written as it is. A number cannot call a function or reach
a cell or a file, so a spreadsheet reading it as a number runs nothing.

``restore`` undoes the quote on import, so a file exported, edited and imported again (the
catalogue) comes back unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

BOM = "\ufeff"  # so spreadsheet programs read the Chinese headers as UTF-8
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def cell(value: object) -> str:
    """The text written for one value: a formula-like start gets a leading single quote."""
    text = "" if value is None else str(value)
    return text if NUMBER.fullmatch(text) or not _quoted_start(text) else "'" + text


def restore(text: str) -> str:
    """The value ``cell`` was given, from the text it wrote (for imports of exported files)."""
    return text[1:] if text.startswith("'") and _quoted_start(text) else text


def _quoted_start(text: str) -> bool:
    """Starts like a formula once any single quotes are passed over: a value that itself begins
    ``'=`` is written ``''=``, so ``restore`` can tell it from one that began ``=``."""
    return text.lstrip("'").startswith(FORMULA_STARTS)


def render(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """UTF-8 CSV with a byte-order mark, CRLF line ends, every cell quoted and neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(cell(value) for value in header)
    writer.writerows((cell(value) for value in row) for row in rows)
    return BOM + out.getvalue()
