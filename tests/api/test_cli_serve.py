"""``enforce serve`` as a process: how it ends."""

from __future__ import annotations

import contextlib
import os
import signal
import time
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


SLOW_WORKER_START = """
import sys, time
if "multiprocessing.spawn" in " ".join(sys.orig_argv):  # a worker process uvicorn spawns, not the parent
    time.sleep(8)
"""


def test_two_workers_that_start_slowly_both_serve(tmp_path: Path) -> None:
    """Each worker takes 8 s to start, as importing the app took on a loaded machine (issue: workers killed
    and restarted in a loop): the supervisor waits for them instead of killing them as hung."""
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(SLOW_WORKER_START)  # imported by every Python process at start
    path = os.pathsep.join(filter(None, [str(slow), os.environ.get("PYTHONPATH")]))
    served = Served(tmp_path / "var", "--workers", "2", PYTHONPATH=path)
    try:
        time.sleep(3)  # past the next health checks of both workers
        assert httpx.get(f"{served.url}/health", timeout=30).status_code == 200
        log = served.whole_output()
        assert "died" not in log, served.output()
        assert log.count("Application startup complete") == 2, served.output()
    finally:
        served.stop(signal.SIGTERM)


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
