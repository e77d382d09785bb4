"""``enforce serve`` as a process: how it ends."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.api.serving import Served, gone

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_embedded_servers_it_started(tmp_path: Path, signum: int) -> None:
    served = Served(tmp_path / "var")
    pids = served.embedded_pids()
    served.stop(signum)
    assert served.process.returncode != 0 or signum == signal.SIGINT
    left = [name for name, pid in pids.items() if not gone(pid)]
    assert left == [], f"still running after {signum.name}: {left}\n{served.output()}"
