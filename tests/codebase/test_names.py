"""The naming rule of the tests, read from the tree: a test file is named for what it tests (docs/testing.md).

``tests/<folder>/test_<name>.py`` tests ``<folder>/<name>`` (a module, a package or a checked file such as
``mobile_contract/openapi.json``), or a helper of the suite beside it (``tests/<folder>/<name>.py``);
``test_<name>_<aspect>.py`` tests one aspect of it, where one file would be too long. A folder of suites
about a whole flow or a whole installation mirrors no source folder and names its files for what they
walk through; each is listed here and in docs/testing.md.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
SUITES = frozenset(
    {
        "tests/api/acceptance",  # the API as a whole: a department's walls, the security examination, first run
        "tests/codebase",  # rules read from the source: layers, sizes, these names
        "tests/console",  # the console's pages in a real Chromium
        "tests/contract",  # every route fuzzed from the OpenAPI document
        "tests/deploy",  # deploy/: compose, Kubernetes, monitoring
        "tests/faults",  # a served installation under kills, outages and a flaky link
    }
)


def misnamed(test: Path) -> str | None:
    """Why ``test`` breaks the rule, or None."""
    folder = test.parent.relative_to(ROOT)
    if folder.as_posix() in SUITES:
        return None
    source = ROOT.joinpath(*folder.parts[1:])
    if not source.is_dir():
        return f"{folder} mirrors no source folder ({source.relative_to(ROOT)}) and is not a suite folder"
    helpers = {p.stem for p in test.parent.glob("*.py") if not p.stem.startswith("test_")}
    names = ({p.stem for p in source.iterdir()} | helpers) - {"__init__", "__pycache__"}
    tested = test.stem.removeprefix("test_")
    if any(tested == name or tested.startswith(name + "_") for name in names):
        return None
    return f"{test.relative_to(ROOT)} names nothing in {source.relative_to(ROOT)}"


def test_every_test_file_is_named_for_what_it_tests() -> None:
    assert [why for test in sorted(TESTS.rglob("test_*.py")) if (why := misnamed(test))] == []


def test_a_file_named_for_nothing_and_a_folder_mirroring_nothing_are_found() -> None:
    assert misnamed(TESTS / "api" / "cases" / "test_properties.py") is not None
    assert misnamed(TESTS / "api" / "cases" / "test_machine.py") is None
    assert misnamed(TESTS / "api" / "cases" / "test_workflow_refusals.py") is None
    assert misnamed(TESTS / "api" / "flows" / "test_anything.py") is not None
    assert misnamed(TESTS / "faults" / "test_anything.py") is None
