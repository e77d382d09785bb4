"""The fleet tests' world: ``enforce serve`` (real PostgreSQL and S3), looping camera streams, and
``vision run`` node processes that take their cameras by lease from the API."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import msgspec

from storage.embedded.s3 import credentials
from tests.api.serving import PASSWORD, Served
from tests.vision.streams import LoopingCameras
from vision.events import Outbox
from vision.synth import clips, scenarios

WEIGHTS = Path(__file__).parents[2] / "vision" / "models" / "quarry-yolov8n-synth.pt"
FPS = 5
RUNS_LINE = re.compile(r"INFO vision\.fleet: node \S+ runs (\d+) cameras")
LOG_LINE = re.compile(r"^(\S+ \S+) INFO vision\.node: camera (\S+) (started|stopped)")


def covered_loop(seconds: float = 30.0) -> list[Any]:
    """One loop of a quarry camera that is covered from 10 s to 20 s (small, so 24 stay cheap)."""
    script = scenarios.camera_tamper("covered", duration_s=seconds, width=320, height=180).script
    return [clips.render_frame(script, i / FPS)[0] for i in range(int(seconds * FPS))]


def wait_until(condition: Callable[[], Any], timeout_s: float, what: str, seen: Callable[[], Any] | None = None) -> Any:
    """``condition()`` once it is true; failing after ``timeout_s``, with what ``seen()`` shows then."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout_s:g} s: {what}" + (f" (now {seen()})" if seen else ""))


def _served(folder: Path, **env: str) -> Served:
    """``enforce serve`` on a fresh folder; again on another if the embedded S3 lost its port to another program."""
    for attempt in range(3):
        try:
            return Served(folder / f"var-{attempt}", **env)
        except RuntimeError as exc:
            if "weed mini exited" not in str(exc):
                raise
    raise RuntimeError("the embedded S3 found no free port three times")


class VisionNode:
    """One ``vision run`` process, with its own outbox that survives a restart."""

    def __init__(self, world: FleetWorld, name: str, *, s3_reachable: bool = True) -> None:
        self.world, self.name, self.folder = world, name, world.folder / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.outbox = self.folder / "outbox"
        self.starts = 0
        self.killed_at: dict[int, dt.datetime] = {}  # run number → when it was killed
        self.start(s3_reachable=s3_reachable)

    def start(self, *, s3_reachable: bool = True) -> None:
        """Start the process; an unreachable S3 keeps every alert in the outbox (a node cut off from the store)."""
        config = self.folder / "node.yaml"
        endpoint = self.world.s3_endpoint if s3_reachable else "127.0.0.1:9"
        config.write_text(msgspec.yaml.encode(self.world.node_config(self.name, self.outbox, endpoint)).decode())
        env = os.environ | {"VISION_API_USERNAME": self.name, "VISION_API_PASSWORD": PASSWORD} | self.world.s3_keys
        self.starts += 1
        self.log = self.folder / f"run-{self.starts}.log"
        with self.log.open("wb") as out:
            command = [sys.executable, "-m", "vision.cli", "run", "--config", str(config)]
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)

    def kill(self) -> dt.datetime:
        """SIGKILL: no incident ended, no lease handed back, the outbox left as it is."""
        self.process.send_signal(signal.SIGKILL)
        at = self.killed_at[self.starts] = dt.datetime.now(dt.UTC)
        self.process.wait(30)
        return at

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def pending(self) -> list[tuple[str, int]]:
        """(alert id, revision) of every alert revision waiting in the outbox."""
        return [(str(p.alert_id), p.revision) for p in Outbox(self.outbox).pending()]

    def load(self) -> int:
        """How many cameras the node says it runs now (its lease loop logs every change)."""
        said = RUNS_LINE.findall(self.log.read_text(errors="replace")) if self.process.poll() is None else []
        return int(said[-1]) if said else 0

    def runs(self) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
        """(camera, started, stopped) from the node's logs; a camera still running when its process was killed
        stopped then, one still running now has no end."""
        runs, open_runs = [], {}
        for number in range(1, self.starts + 1):
            log, killed_at = self.folder / f"run-{number}.log", self.killed_at.get(number)
            for line in log.read_text(errors="replace").splitlines():
                if match := LOG_LINE.match(line):
                    at = dt.datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f").astimezone(dt.UTC)
                    if match[3] == "started":
                        open_runs[match[2]] = at
                    elif match[2] in open_runs:
                        runs.append((match[2], open_runs.pop(match[2]), at))
            runs += [(camera, began, killed_at) for camera, began in open_runs.items()]
            open_runs = {}
        return runs


class FleetWorld:
    """The API with short leases and a fast watchdog, one site of looping cameras, node accounts."""

    def __init__(self, folder: Path, cameras: int, *, lease_s: float, short_threshold_s: float) -> None:
        self.folder, self.lease_s = folder, lease_s
        self.api = _served(folder, FLEET_LEASE_S=str(lease_s), FLEET_WATCH_EVERY_S="1")
        keys = credentials(self.api.data_dir / "s3")
        self.s3_endpoint = f"127.0.0.1:{keys.port}"
        self.s3_keys = {"VISION_S3_ACCESS_KEY": keys.access_key, "VISION_S3_SECRET_KEY": keys.secret_key}
        self.department = f"FLT-{uuid.uuid4().hex[:6]}"
        self.api.enforce("admin", "create-department", "--code", self.department, "--name", "测试局",
                         "--region-code", "360102")  # fmt: skip
        self.admin = self._admin()
        departments = httpx.get(f"{self.api.url}/departments", headers=self.admin).json()
        self.department_id = next(d["id"] for d in departments if d["code"] == self.department)
        self.streams = LoopingCameras(covered_loop(), fps=FPS, phase_s=30.0 / cameras)
        # even cameras: unwatched after `short_threshold_s`; odd ones after two minutes (no alert expected)
        self.thresholds = {f"cam-{n:02d}": short_threshold_s if n % 2 == 0 else 120.0 for n in range(cameras)}
        self.site_id = f"quarry-{uuid.uuid4().hex[:8]}"
        self._register_site(cameras)

    def _admin(self) -> dict[str, str]:
        """The first administrator, made with the command line as a new installation makes its first."""
        self.api.enforce("admin", "create-user", "--username", "fleet-admin", "--display-name", "管理员",
                         "--role", "admin", "--department", self.department, "--password-env", "PASSWORD")  # fmt: skip
        answer = httpx.post(f"{self.api.url}/auth/login", json={"username": "fleet-admin", "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def _register_site(self, count: int) -> None:
        cameras = [
            {"id": camera, "name": f"摄像头 {camera}", "url": self.streams.url(n), "analysis_hz": 1.0,
             "offline_after_s": threshold}
            for n, (camera, threshold) in enumerate(self.thresholds.items())
        ]  # fmt: skip
        site = {"id": self.site_id, "name": "青山塘口", "kind": "quarry", "region_code": "360102", "version": 1,
                "cameras": cameras}  # fmt: skip
        answer = httpx.post(f"{self.api.url}/sites", json=site, headers=self.admin)
        assert answer.status_code == 201, answer.text

    def node(self, name: str, **options: Any) -> VisionNode:
        """A vision_node account (made by the administrator) and its ``vision run`` process."""
        user = {"username": name, "display_name": f"视频分析节点 {name}", "password": PASSWORD, "role": "vision_node",
                "department_id": self.department_id}  # fmt: skip
        answer = httpx.post(f"{self.api.url}/users", json=user, headers=self.admin)
        assert answer.status_code == 201, answer.text
        return VisionNode(self, name, **options)

    def node_config(self, name: str, outbox: Path, s3_endpoint: str) -> dict:
        return {
            "detector": {"backend": "pytorch", "weights": str(WEIGHTS), "imgsz": 320, "region_imgsz": 160},
            "tamper": {"persist_s": 3.0},
            "rules": {"end_after_s": 5.0},
            "outbox": {"dir": str(outbox), "retry_initial_s": 0.2, "retry_max_s": 2.0},
            "api": {"url": self.api.url},
            "s3": {"endpoint": s3_endpoint, "bucket": "enforcement-evidence", "secure": False},
            "fleet": {"node": name, "max_streams": len(self.thresholds)},
        }

    def health(self) -> dict[str, dict]:
        answer = httpx.get(f"{self.api.url}/cameras/health", headers=self.admin, timeout=10)
        assert answer.status_code == 200, answer.text
        return {c["camera_id"]: c for c in answer.json() if c["site_id"] == self.site_id}

    def alerts(self, kind: str) -> list[dict]:
        answer = httpx.get(f"{self.api.url}/alerts", params={"kind": kind, "limit": 200}, headers=self.admin)
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]

    def alert(self, alert_id: str) -> dict:
        """The alert with its media and every revision received."""
        answer = httpx.get(f"{self.api.url}/alerts/{alert_id}", headers=self.admin)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def revisions(self, alert_id: str) -> list[int]:
        return [r["revision"] for r in self.alert(alert_id)["revisions"]]

    def close(self, nodes: list[VisionNode]) -> None:
        for node in nodes:
            node.stop()
        self.streams.close()
        self.api.stop()
