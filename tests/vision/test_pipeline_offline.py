"""A live camera that stops sending is an event, not a silent gap (摄像头离线)."""

from __future__ import annotations

import http.server
import io
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import msgspec
import numpy as np
import pytest

from mobile_contract.alerts import AlertKind, AlertUpsert
from tests.vision.groundtruth import IDENTITY
from tests.vision.helpers import camera, site
from vision.config import NodeConfig, PyTorchDetector
from vision.events import Outbox, Publisher
from vision.pipeline import CameraPipeline
from vision.sources import VideoSource

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # the whole pipeline at work, not a unit (docs/testing.md)


def transport_stream(seconds: float, fps: int = 25) -> bytes:
    """MPEG-TS, as a camera's HTTP stream would carry it."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mpegts") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        stream.options = {"preset": "ultrafast", "x264-params": f"keyint={fps}:scenecut=0"}
        rng = np.random.default_rng(0)
        for i in range(round(seconds * fps)):
            image = rng.integers(0, 255, (96, 160, 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return buffer.getvalue()


class StallingCamera:
    """Sends its stream, then keeps the connection open and silent, like a camera that hung."""

    def __init__(self, data: bytes) -> None:
        self.release = threading.Event()
        camera_self = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "video/mp2t")
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
                camera_self.release.wait()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stream.ts"

    def unplug(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_a_camera_that_stops_sending_raises_an_offline_alert(tmp_path: Path) -> None:
    device = StallingCamera(transport_stream(3.0))
    cam = msgspec.structs.replace(camera(url=device.url), offline_after_s=2.0)
    alerts: list[AlertUpsert] = []
    config = NodeConfig(detector=PyTorchDetector(weights="none"))
    publisher = Publisher(
        site(cam), cam, outbox=Outbox(tmp_path), model=IDENTITY, evidence=config.evidence, listeners=[alerts.append]
    )
    pipeline = CameraPipeline(site(cam), cam, config, detect=lambda crops: [[] for _ in crops], publisher=publisher)
    source = VideoSource(device.url, live=True, paced=True, timeout_s=1.0, gap_s=2.0, backoff_max_s=1.0)
    stop = threading.Event()
    runner = threading.Thread(target=pipeline.run, args=(source, stop))
    runner.start()
    deadline = time.monotonic() + 60  # a guard against hanging, not a timing check
    while not any(a.kind is AlertKind.CAMERA_OFFLINE for a in alerts) and time.monotonic() < deadline:
        time.sleep(0.2)
        if not device.release.is_set() and (source.last_s or 0.0) > 2.9:
            device.unplug()  # the stream has been sent: now nothing more comes, and reconnecting fails
    stop.set()
    if not device.release.is_set():
        device.unplug()
    runner.join()
    offline = [a for a in alerts if a.kind is AlertKind.CAMERA_OFFLINE]
    assert offline, "no offline alert"
    assert pipeline.stats.analysed >= 2  # it did see the camera working first
    first = offline[0]
    assert first.detail["facts"]["measure"] >= 2.0
    assert abs((first.started_at - source.wall(source.last_s or 0.0)).total_seconds()) < 0.5  # from its last frame
