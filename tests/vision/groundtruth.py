"""A ground-truth detector for tests only (真值检测器，仅用于测试).

It replays the boxes ``vision.synth`` recorded for each frame of a clip, so
tracker, rules and events can be exercised end to end on rendered clips
without depending on how good the synthetic-trained model is. It honours the
crops it is given: it reports only objects whose box centre lies in a crop,
as a real detector looking at that crop would.
"""

from __future__ import annotations

from mobile_contract.alerts import ModelIdentity
from mobile_contract.sites import DomainClass
from vision.detect.base import Crop
from vision.synth.clips import GroundTruth
from vision.types import Box, Detection

IDENTITY = ModelIdentity(
    name="ground-truth-replay (tests only)",
    weights_sha256="0" * 64,
    ultralytics_version="n/a",
    backend="groundtruth",
    class_map={c.value: c.value for c in DomainClass},
    thresholds={c.value: 0.0 for c in DomainClass},
)


class GroundTruthDetector:
    identity = IDENTITY

    def __init__(self, truth: GroundTruth, *, min_visible: float = 0.3) -> None:
        self.truth = truth
        self.min_visible = min_visible
        self.calls = 0

    def detect(self, crops: list[Crop]) -> list[list[Detection]]:
        self.calls += 1
        return [self._in_crop(crop) for crop in crops]

    def _in_crop(self, crop: Crop) -> list[Detection]:
        index = min(round(crop.pts_s * self.truth.fps), len(self.truth.frames) - 1)
        w, h, region = self.truth.width, self.truth.height, crop.region
        found = []
        for box in self.truth.frames[index].boxes:
            if box.visible < self.min_visible:
                continue
            normal = Box(box.x1 / w, box.y1 / h, box.x2 / w, box.y2 / h)
            cx, cy = (normal.x1 + normal.x2) / 2, (normal.y1 + normal.y2) / 2
            if region.x1 <= cx < region.x2 and region.y1 <= cy < region.y2:
                found.append(Detection(box=normal, cls=DomainClass(box.label), score=0.9, label=box.label))
        return found
