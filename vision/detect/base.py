"""The detector interface (目标检测接口), the same for every backend."""

from __future__ import annotations

from typing import Protocol

import msgspec
import numpy as np

from mobile_contract.alerts import ModelIdentity
from vision.types import Box, Detection


class Crop(msgspec.Struct, frozen=True):
    """Pixels to look at and where they sit in the frame; ``imgsz`` is the detector input size for them."""

    image: np.ndarray  # BGR
    region: Box
    imgsz: int
    pts_s: float = 0.0  # stream time of the frame it was cut from


class Detector(Protocol):
    identity: ModelIdentity

    def detect(self, crops: list[Crop]) -> list[list[Detection]]:
        """Detections for each crop, boxes in whole-frame normalised coordinates."""
        ...
