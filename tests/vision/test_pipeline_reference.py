"""A surveyed landform reference: change that happened before the camera was watched still counts."""

from __future__ import annotations

from pathlib import Path

import cv2
import msgspec
import numpy as np

from mobile_contract.alerts import AlertKind, AlertUpsert
from mobile_contract.sites import LandformZone
from tests.vision.groundtruth import IDENTITY
from tests.vision.helpers import camera, rendered, site
from vision.config import NodeConfig, PyTorchDetector
from vision.events import Outbox, Publisher
from vision.pipeline import CameraPipeline
from vision.synth import clips
from vision.synth.scenarios import landform_change


def watch(tmp_path: Path, reference: str | None) -> list[AlertUpsert]:
    scenario = landform_change(width=640, height=360)
    zone = LandformZone(name="开挖面", polygon=scenario.regions["excavation"], persist_s=4)
    cam = msgspec.structs.replace(camera(zone), reference_image=reference)
    alerts: list[AlertUpsert] = []
    config = NodeConfig(detector=PyTorchDetector(weights="none"))
    publisher = Publisher(
        site(cam),
        cam,
        outbox=Outbox(tmp_path / "out"),
        model=IDENTITY,
        evidence=config.evidence,
        listeners=[alerts.append],
    )
    pipeline = CameraPipeline(site(cam), cam, config, detect=lambda crops: [[] for _ in crops], publisher=publisher)
    for frame in rendered(scenario.script, np.arange(16.0, 30.0, 1.0)):  # watched only after the digging
        pipeline.analyse(frame)
    return alerts


def test_the_surveyed_reference_shows_the_change_the_first_frame_cannot(tmp_path: Path) -> None:
    assert watch(tmp_path / "a", None) == []
    before, _ = clips.render_frame(landform_change(width=640, height=360).script, 0.0)
    survey = tmp_path / "survey.png"
    cv2.imwrite(str(survey), before)
    alerts = watch(tmp_path / "b", str(survey))
    assert {a.kind for a in alerts} == {AlertKind.LANDFORM_CHANGE}
