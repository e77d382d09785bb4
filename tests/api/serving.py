"""``enforce serve`` as a real process on a fresh data folder, as ``scripts/serve`` runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from storage.embedded import free_port

START_TIMEOUT_S = 300  # a loaded 2-core machine has taken over 90 s to import the app and start
PASSWORD = "served admin passphrase"


class Served:
    """A running ``enforce serve``: its address, data folder and the embedded servers it started."""

    def __init__(self, data_dir: Path, *serve_args: str, **env: str) -> None:
        self.data_dir, self.serve_args = data_dir, serve_args
        self.log_path = data_dir.parent / "serve.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.base_env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES} | env
        for _attempt in range(3):  # another program on this shared machine may take the port first
            if self._start():
                return
        raise RuntimeError(f"enforce serve found no free port: {self.output()}")

    def _start(self, port: int | None = None) -> bool:
        """Start on a port that was free a moment ago; False if another program took it meanwhile."""
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = self.base_env | {"ENFORCE_DATA_DIR": str(self.data_dir), "ENFORCE_PORT": str(self.port)}
        self.env["PASSWORD"] = PASSWORD
        self.log = self.log_path.open("ab")  # one log across restarts; output() reads this run's part
        self.log_start = self.log.tell()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", *self.serve_args],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_listening()
        except BaseException:
            self._end()
            if "address already in use" in self.output():
                return False
            raise
        return True

    def restart(self) -> None:
        """Start again on the same data folder and port (clients keep their address), after a kill or stop."""
        if not self._start(self.port):
            raise RuntimeError(f"port {self.port} was taken while enforce serve was down: {self.output()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown at all, as when the machine loses power or the OOM killer strikes."""
        self._end()

    def _wait_until_listening(self) -> None:
        """Until uvicorn says it listens on our port (a health answer could come from another program)."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"enforce serve exited: {self.output()}")
            if f"running on {self.url}" in self.whole_output() and _healthy(self.url):
                return
            time.sleep(0.3)
        raise RuntimeError(f"enforce serve did not answer: {self.output()}")

    def _end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.log.close()

    def output(self) -> str:
        """The end of what it printed, without the boxes rich draws around a traceback."""
        return self.whole_output()[-6000:]

    def whole_output(self) -> str:
        """All this run printed (with several workers, uvicorn says where it listens before their start-up)."""
        with self.log_path.open("rb") as log:
            log.seek(self.log_start)
            lines = log.read().decode(errors="replace").splitlines()
        return "\n".join(line for line in lines if "│" not in line)

    def embedded_pids(self) -> dict[str, int]:
        """The weed process it started and the PostgreSQL postmaster."""
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        weed = [int(pid) for pid in children.stdout.split() if "weed" in Path(f"/proc/{pid}/cmdline").read_text()]
        postmaster = int((self.data_dir / "postgres" / "postmaster.pid").read_text().split()[0])
        return {"weed": weed[0], "postgres": postmaster}

    def enforce(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "api.cli", *args], env=self.env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def admin_token(self) -> str:
        """A signed-in admin, made with the command line as a new installation makes its first."""
        code, username = f"SRV-{uuid.uuid4().hex[:6]}", f"admin-{uuid.uuid4().hex[:6]}"
        self.enforce("admin", "create-department", "--code", code, "--name", "测试局", "--region-code", "360102")
        self.enforce(
            "admin",
            "create-user",
            "--username",
            username,
            "--display-name",
            "管理员",
            "--role",
            "admin",
            "--department",
            code,
            "--password-env",
            "PASSWORD",
        )
        answer = httpx.post(f"{self.url}/auth/login", json={"username": username, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return answer.json()["access_token"]

    def stop(self, signum: int = signal.SIGTERM, timeout_s: float = 30) -> float:
        """Send ``signum``; seconds until the process exited."""
        started = time.monotonic()
        self.process.send_signal(signum)
        self.process.wait(timeout_s)
        self.log.close()
        return time.monotonic() - started


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


SERVICE_VARIABLES = frozenset({"DATABASE_URL", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "JWT_SECRET"})


def gone(pid: int, timeout_s: float = 15) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if _zombie(pid):
            return True
        time.sleep(0.1)
    return False


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except (FileNotFoundError, IndexError):
        return True
