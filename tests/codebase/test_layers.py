"""The layering rules of ``api/``, read from the source: a domain's routes are its own, and routes call services.

- No domain imports another domain's ``routes`` or ``pages`` (shared pieces live in a module named for
  what they are: ``api/auth/roles.py``, ``api/paging.py``, ``api/idempotency.py`` …).
- A route module (``routes.py``, ``pages.py``) reaches storage only through its services; it may name
  ``storage.db`` and ``storage.objects`` for the types of what it is handed (a connection, the store).
- ``api/`` and ``vision/`` never import each other (vision talks to the API over HTTP).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROUTE_MODULES = frozenset({"routes.py", "pages.py"})
STORAGE_TYPES = frozenset({"storage.db", "storage.objects"})


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything the module imports, ``from a import b`` as ``a.b``."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from ((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def domain_of(path: Path) -> str | None:
    parts = path.relative_to(ROOT / "api").parts
    return parts[0] if len(parts) > 1 else None


def test_no_domain_imports_another_domains_routes() -> None:
    found = []
    for path in modules("api"):
        for line, name in imported(path):
            parts = name.split(".")
            if (
                len(parts) >= 3
                and parts[0] == "api"
                and parts[2] in {"routes", "pages"}
                and parts[1] != domain_of(path)
            ):
                found.append(f"{where(path, line)} imports {name}")
    assert found == []


def test_routes_reach_storage_only_through_services() -> None:
    found = []
    for path in modules("api"):
        if path.name in ROUTE_MODULES:
            for line, name in imported(path):
                if name.split(".")[0] == "storage" and not any(name.startswith(t + ".") for t in STORAGE_TYPES):
                    found.append(f"{where(path, line)} imports {name}")
    assert found == []


def test_api_and_vision_never_import_each_other() -> None:
    found = [
        f"{where(path, line)} imports {name}"
        for package, other in (("api", "vision"), ("vision", "api"))
        for path in modules(package)
        for line, name in imported(path)
        if name.split(".")[0] == other
    ]
    assert found == []
