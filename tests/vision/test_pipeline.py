"""``vision.pipeline``: a camera whose analysed stream never answers is reported, not restarted in silence."""

from __future__ import annotations

import threading
from pathlib import Path

import msgspec
import pytest

from mobile_contract.alerts import AlertKind, AlertUpsert
from tests.vision.fleet_world import wait_until
from tests.vision.groundtruth import IDENTITY
from tests.vision.helpers import camera, site
from tests.vision.streams import refused_url
from vision.config import NodeConfig, PyTorchDetector
from vision.events import Outbox, Publisher
from vision.pipeline import CameraPipeline
from vision.sources import VideoSource


@pytest.mark.slow
@pytest.mark.integration  # the whole pipeline at work (docs/testing.md)
def test_a_camera_whose_stream_never_answers_is_reported_offline(tmp_path: Path) -> None:
    url = refused_url("cam.ts")
    cam = msgspec.structs.replace(camera(url=url), offline_after_s=2.0)
    alerts: list[AlertUpsert] = []
    publisher = Publisher(
        site(cam), cam, outbox=Outbox(tmp_path / "outbox"), model=IDENTITY,
        evidence=NodeConfig().evidence, listeners=[alerts.append],
    )  # fmt: skip
    config = NodeConfig(detector=PyTorchDetector(weights="none"))
    pipeline = CameraPipeline(site(cam), cam, config, detect=lambda crops: [[] for _ in crops], publisher=publisher)
    source, stop = VideoSource(url, live=True, timeout_s=1.0, backoff_max_s=1.0), threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            pipeline.run(source, stop)
        except BaseException as exc:  # the thread's failure is the test's
            errors.append(exc)

    runner = threading.Thread(target=run)
    runner.start()
    try:
        wait_until(lambda: errors or any(a.kind is AlertKind.CAMERA_OFFLINE for a in alerts), 60, "camera_offline")
    finally:
        stop.set()
        runner.join(30)
    assert not errors, errors
    offline = [a for a in alerts if a.kind is AlertKind.CAMERA_OFFLINE]
    assert offline and offline[0].detail["facts"]["measure"] >= 2.0
