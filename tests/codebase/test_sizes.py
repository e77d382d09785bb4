"""The size rule, read from the source: no function of the product is longer than 40 lines.

A function's size is its body, docstring included, from its first statement to its last line: the
parameter list the formatter spreads one name a line is not what a reader has to hold in mind. A
nested function counts inside the one that holds it, and on its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "storage", "vision", "mobile_contract")
MOST_LINES = 40


def body_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    assert function.end_lineno is not None
    return function.end_lineno - function.body[0].lineno + 1


def too_long(source: str) -> list[tuple[int, str, int]]:
    """(line, name, body lines) of every function in ``source`` over the limit."""
    return [
        (node.lineno, node.name, body_lines(node))
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and body_lines(node) > MOST_LINES
    ]


def test_no_function_is_longer_than_40_lines() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line} {name} has {lines} lines"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, name, lines in too_long(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_41_line_function_is_found_and_a_long_signature_is_not_counted() -> None:
    parameters = "".join(f"    p{i}: int,\n" for i in range(20))
    body = "".join(f"    x = {i}\n" for i in range(MOST_LINES))
    assert too_long(f"def fits(\n{parameters}) -> None:\n{body}") == []
    assert too_long(f"async def long() -> None:\n    '''Doc.'''\n{body}") == [(1, "long", 41)]
