"""A vision node's Prometheus exporter (vision.metrics), scraped over HTTP while the node runs.

One camera (a file replayed in real time) is covered 10 s in; no API is configured, so its alert
stays in the outbox, where the exporter must count it for that camera.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx
import pytest

from storage.embedded import free_port
from tests.vision.helpers import camera, encode, site
from tests.vision.test_node import NothingThere
from vision.config import MetricsConfig, NodeConfig, OutboxConfig, PyTorchDetector, TamperConfig
from vision.node import Node
from vision.synth import scenarios

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # the whole pipeline at work, not a unit (docs/testing.md)


def sample(text: str, name: str, labels: str = "") -> float | None:
    found = re.search(rf"^{name}{re.escape(labels)} (\S+)$", text, flags=re.MULTILINE)
    return float(found[1]) if found else None


def test_the_node_exposes_frames_detector_time_queues_and_outbox_per_camera(tmp_path: Path) -> None:
    clip = tmp_path / "north.mp4"
    encode(scenarios.camera_tamper("covered", duration_s=15.0, width=320, height=180).script, clip)
    port = free_port()
    outbox = OutboxConfig(dir=str(tmp_path / "outbox"))
    config = NodeConfig(
        detector=PyTorchDetector(weights="none"),
        tamper=TamperConfig(persist_s=3.0),
        outbox=outbox,
        metrics=MetricsConfig(port=port),
    )
    node = Node(config, [site(camera(camera_id="cam-north", url=str(clip)))], detector=NothingThere())
    running = threading.Thread(target=node.run)
    running.start()
    scraped, deadline = "", time.monotonic() + 60
    while running.is_alive() and time.monotonic() < deadline:
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        if (sample(scraped, "enforce_vision_outbox_revisions", '{camera="cam-north"}') or 0) > 0:
            break
        time.sleep(0.5)
    running.join(60)
    camera_label = '{camera="cam-north"}'
    assert sample(scraped, "enforce_vision_frames_analysed_total", camera_label) > 0, scraped
    assert sample(scraped, "enforce_vision_detector_seconds_total", camera_label) > 0
    assert sample(scraped, "enforce_vision_frames_waiting", camera_label) >= 0
    assert sample(scraped, "enforce_vision_outbox_revisions", camera_label) >= 1
    assert sample(scraped, "enforce_vision_detector_queue") >= 0
    with pytest.raises(httpx.TransportError):  # the exporter ends with the node
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
