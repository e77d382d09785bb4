"""``enforce serve`` as a process: how it ends."""

from __future__ import annotations

import contextlib
import signal
from pathlib import Path

import httpx
import pytest

from tests.api.serving import Served, gone

pytestmark = [pytest.mark.integration, pytest.mark.slow]
STREAMS = 3
UVICORN_CUT_OFF = "timeout graceful shutdown exceeded"  # uvicorn's words when open answers outlast its time-out


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_embedded_servers_it_started(tmp_path: Path, signum: int) -> None:
    served = Served(tmp_path / "var")
    pids = served.embedded_pids()
    took = served.stop(signum)
    print(f"\nshutdown on {signum.name} with no stream open: {took:.2f} s")
    assert served.process.returncode != 0 or signum == signal.SIGINT
    left = [name for name, pid in pids.items() if not gone(pid)]
    assert left == [], f"still running after {signum.name}: {left}\n{served.output()}"


def test_open_alert_streams_end_and_the_server_exits_promptly(tmp_path: Path) -> None:
    """uvicorn waits for open answers before it exits; streams never end by themselves, so they must be ended."""
    served = Served(tmp_path / "var")
    headers = {"Authorization": f"Bearer {served.admin_token()}"}
    with contextlib.ExitStack() as stack:
        http = stack.enter_context(httpx.Client(base_url=served.url, timeout=30))
        opened = [stack.enter_context(http.stream("GET", "/alerts/stream", headers=headers)) for _ in range(STREAMS)]
        lines = [answer.iter_lines() for answer in opened]
        assert [next(line) for line in lines] == [": stream open"] * STREAMS
        took = served.stop(signal.SIGTERM)
        ends = [list(line) for line in lines]  # each stream comes to its end instead of hanging
    print(f"\nshutdown with {STREAMS} alert streams open: {took:.2f} s")
    # Ended by the hub, not cut off by uvicorn after GRACEFUL_SHUTDOWN_S (which it logs). The time it took says
    # little on a loaded machine: it includes stopping PostgreSQL and S3 (12 s once at load 15).
    assert UVICORN_CUT_OFF not in served.output(), served.output()
    assert len(ends) == STREAMS
