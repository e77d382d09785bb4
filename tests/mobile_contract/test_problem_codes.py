"""Every problem code the server raises is registered (mobile_contract.problem_codes) and explained in the docs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import msgspec
import pytest

from api.errors import STATUS_CODES
from mobile_contract.problem_codes import ProblemCode

ROOT = Path(__file__).parents[2]
SOURCES = ("api", "mobile_contract", "storage")
CODE = re.compile(r"^[a-z]+(-[a-z]+)*$")
REFUSALS = {"Refusal", "_refuse"}  # a case step's refusal names its code first


def codes_in(tree: ast.AST) -> set[str]:
    """Codes written in ``tree``: ``code=…`` arguments, ``code = …`` in a class and a refusal's first argument."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found += [k.value for k in node.keywords if k.arg == "code"]
            if getattr(node.func, "id", getattr(node.func, "attr", "")) in REFUSALS and node.args:
                found.append(node.args[0])
        elif isinstance(node, ast.ClassDef):
            found += [s.value for s in node.body if _assigns_code(s) and s.value is not None]
    return {code for expr in found for code in _literals(expr) if CODE.match(code)}


def _literals(expr: ast.expr) -> set[str]:
    """The strings an expression can be: a literal, either branch of ``a if c else b``, ``a or b``."""
    match expr:
        case ast.Constant(value=str(value)):
            return {value}
        case ast.IfExp(body=body, orelse=orelse):
            return _literals(body) | _literals(orelse)
        case ast.BoolOp(values=values):
            return set().union(*(_literals(v) for v in values))
    return set()


def _assigns_code(statement: ast.stmt) -> bool:
    targets = statement.targets if isinstance(statement, ast.Assign) else [getattr(statement, "target", None)]
    return any(isinstance(t, ast.Name) and t.id == "code" for t in targets)


def raised_codes() -> dict[str, Path]:
    where: dict[str, Path] = {}
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for code in codes_in(ast.parse(path.read_text())):
                where.setdefault(code, path.relative_to(ROOT))
    return where


def explained() -> set[str]:
    """The codes named in the first column of docs/problems.md's tables."""
    rows = re.findall(r"^\| (`[^|]+)\|", (ROOT / "docs" / "problems.md").read_text(), re.M)
    return {code for row in rows for code in re.findall(r"`([a-z-]+)`", row)}


def test_every_raised_code_is_registered() -> None:
    unregistered = {code: str(path) for code, path in raised_codes().items() if code not in set(ProblemCode)}
    assert not unregistered, f"add to mobile_contract/problem_codes.py: {unregistered}"
    assert set(STATUS_CODES.values()) <= set(ProblemCode)


def test_every_registered_code_is_explained_in_the_docs() -> None:
    unexplained = sorted(str(code) for code in set(ProblemCode) - explained())
    assert not unexplained, f"explain in docs/problems.md: {unexplained}"


def test_the_registry_is_in_the_openapi_document() -> None:
    document = msgspec.json.decode((ROOT / "mobile_contract" / "openapi.json").read_bytes())
    schemas = document["components"]["schemas"]
    code = schemas["Problem"]["properties"]["code"]
    listed = schemas[code["$ref"].split("/")[-1]]["enum"] if "$ref" in code else code["enum"]
    assert set(listed) == set(ProblemCode)


@pytest.mark.parametrize(
    ("source", "codes"),
    [
        ('raise Conflict("…", code="item-code-taken")', {"item-code-taken"}),
        ('class Gone(ClientError):\n    code = "gone"', {"gone"}),
        ('_refuse("hearing-waived", "当事人已放弃听证", "waived")', {"hearing-waived"}),
        ('Refusal("stage-not-allowed", "…", "…")', {"stage-not-allowed"}),
        ('InvalidInput("…", code="a-b" if x else "c-d")', {"a-b", "c-d"}),
        ('Refusal("请填写处置反馈", "feedback is required", "feedback")', set()),  # an alert's: no code
        ('ItemRef(code=item["code"], name=item["name"])', set()),  # a catalogue item's code
    ],
)
def test_the_scan_finds_codes_as_they_are_written(source: str, codes: set[str]) -> None:
    assert codes_in(ast.parse(source)) == codes
