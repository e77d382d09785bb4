"""The fault suite's installation, sizes and report.

One ``enforce serve`` on a temp data folder serves every scenario of a run (each scenario has
people of its own); scenarios kill it, stop its PostgreSQL or S3, and put a failing link in front
of it. Each scenario runs at the gate's size (part of ``bash scripts/test``) and at full size
(``uv run pytest tests/faults -m full``, docs/operations.md); their figures are printed at the
end of the run.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from tests.faults.examine import Tally
from tests.faults.installation import Installation


class Size(msgspec.Struct, frozen=True):
    name: str
    operations: int  # queued operations pushed through a kill or an outage
    database_down_s: float
    store_down_s: float
    api_down_s: float  # the vision node's outbox against an API that is away
    evidence_mib: int  # the large item finalised through a kill
    uploads: int  # evidence items uploaded through the store's outage

    def __str__(self) -> str:
        return self.name


GATE = Size("gate", operations=200, database_down_s=3, store_down_s=4, api_down_s=5, evidence_mib=24, uploads=6)
FULL = Size("full", operations=1000, database_down_s=20, store_down_s=30, api_down_s=60, evidence_mib=200, uploads=20)
TALLIES: list[Tally] = []


@pytest.fixture(params=[GATE, pytest.param(FULL, marks=[pytest.mark.full, pytest.mark.slow])], ids=str)
def size(request: pytest.FixtureRequest) -> Size:
    return request.param


@pytest.fixture(scope="session")
def installation() -> Iterator[Installation]:
    """Outside pytest's numbered temp folders: a concurrent run on this shared machine prunes those."""
    folder = Path(tempfile.mkdtemp(prefix="enforce-faults-"))
    served = Installation(folder / "var")
    try:
        yield served
    finally:
        served.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def report() -> Iterator[list[Tally]]:
    """Where a scenario leaves its tallies; printed at the end of the run."""
    mine: list[Tally] = []
    yield mine
    TALLIES.extend(mine)


def pytest_terminal_summary(terminalreporter) -> None:
    if not TALLIES:
        return
    write = terminalreporter.write_line
    write("")
    write("fault suite: operations sent / stored / duplicated / lost; seconds from the fault's end to the first answer")
    for t in TALLIES:
        recovered = "" if t.recover_s is None else f", recovered in {t.recover_s:.2f} s"
        write(
            f"  {t.scenario} [{t.size}]: sent {t.sent}, stored {t.stored}, duplicated {t.duplicated}, "
            f"lost {t.lost}{recovered}{'; ' + t.note if t.note else ''}"
        )
