"""``vision run``'s node: several cameras in one process, one detector, alerts delivered to S3 and the API."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from api.settings import Settings
from mobile_contract.alerts import AlertKind
from tests.vision.events.alert_server import TOKEN, AlertServer
from tests.vision.groundtruth import IDENTITY
from tests.vision.helpers import camera, encode, site
from vision.config import ApiConfig, NodeConfig, OutboxConfig, PyTorchDetector, S3Config, TamperConfig
from vision.detect.base import Crop
from vision.node import Node
from vision.synth import scenarios
from vision.types import Detection

pytestmark = [pytest.mark.slow, pytest.mark.integration]


class NothingThere:
    """A detector that finds nothing: this test is about cameras, delivery and evidence."""

    identity = IDENTITY

    def __init__(self) -> None:
        self.crops = 0

    def detect(self, crops: list[Crop]) -> list[list[Detection]]:
        self.crops += len(crops)
        return [[] for _ in crops]


def test_two_cameras_one_detector_alerts_reach_the_api_with_their_evidence(tmp_path: Path, settings: Settings) -> None:
    scenario = scenarios.camera_tamper("covered", duration_s=15.0, width=320, height=180)
    clips = []
    for name in ("north", "south"):
        clips.append(tmp_path / f"{name}.mp4")
        encode(scenario.script, clips[-1])
    sites = [site(camera(camera_id=f"cam-{i}", url=str(path))) for i, path in enumerate(clips)]
    sites = [msgspec.structs.replace(s, id=f"site-{i}") for i, s in enumerate(sites)]
    server = AlertServer()
    store = settings.object_store
    config = NodeConfig(
        detector=PyTorchDetector(weights="none"),
        tamper=TamperConfig(persist_s=3.0),
        outbox=OutboxConfig(dir=str(tmp_path / "outbox"), retry_initial_s=0.1, retry_max_s=1.0),
        api=ApiConfig(url=server.url, token=TOKEN),
        s3=S3Config(
            endpoint=store.endpoint,
            bucket=store.bucket,
            secure=False,
            access_key=store.access_key,
            secret_key=store.secret_key,
        ),
    )
    detector = NothingThere()
    node = Node(config, sites, detector=detector)
    node.run()  # the cameras are files replayed in real time: the node stops when both have ended
    server.stop()
    kinds = {msgspec.json.decode(server.stored[key])["camera_id"]: msgspec.json.decode(server.stored[key])["kind"]
             for key in server.arrivals}  # fmt: skip
    assert kinds == {"cam-0": AlertKind.CAMERA_COVERED.value, "cam-1": AlertKind.CAMERA_COVERED.value}
    assert detector.crops > 0  # both cameras went through the one detector service
    final = [msgspec.json.decode(server.stored[key]) for key in server.arrivals][-1]
    assert {m["kind"] for m in final["media"]} == {"snapshot", "clip"}
    assert not any((tmp_path / "outbox" / "alerts").iterdir())  # everything delivered, nothing left behind
