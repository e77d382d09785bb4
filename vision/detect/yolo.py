"""Ultralytics YOLO behind the detector interface, for every backend (YOLO 检测器).

Backends are plugins chosen by the tag of the detector config
(``backend: pytorch | onnx | openvino | tensorrt``): ultralytics loads each
kind of weights itself, and the plugin supplies the device and precision.
``export`` turns a ``.pt`` into the CPU (ONNX, OpenVINO) or GPU (TensorRT)
format and copies the model card beside it.
"""

from __future__ import annotations

import shutil
from itertools import groupby
from pathlib import Path
from typing import Any

from ultralytics import YOLO

from mobile_contract.alerts import ModelIdentity
from mobile_contract.sites import DomainClass
from vision.config import (
    DetectorConfig,
    ModelCard,
    OnnxDetector,
    OpenVinoDetector,
    PyTorchDetector,
    TensorRtDetector,
)
from vision.detect.base import Crop
from vision.detect.card import card_path, identity, load_card, threshold_for
from vision.types import Box, Detection

EXPORT_FORMATS = {"onnx": "onnx", "openvino": "openvino", "tensorrt": "engine"}


def predict_options(config: DetectorConfig) -> dict[str, Any]:
    match config:
        case PyTorchDetector(device=device):
            return {"device": device}
        case TensorRtDetector(device=device, half=half):
            return {"device": device, "half": half}
        case OnnxDetector() | OpenVinoDetector():
            return {"device": "cpu"}
    raise TypeError(f"unknown detector backend {config!r}")


class YoloDetector:
    """One loaded model serving every camera of the process."""

    def __init__(self, config: DetectorConfig) -> None:
        self.config = config
        self.card: ModelCard = load_card(config)
        self.identity: ModelIdentity = identity(config, self.card)
        self.model = YOLO(config.weights, task="detect")
        self.options = predict_options(config)
        self.floor = min([*self.card.thresholds.values(), self.card.default_threshold])
        self.calls = 0  # detector invocations, a benchmark figure

    def detect(self, crops: list[Crop]) -> list[list[Detection]]:
        found: dict[int, list[Detection]] = {}
        order = sorted(range(len(crops)), key=lambda i: crops[i].imgsz)
        for imgsz, group in groupby(order, key=lambda i: crops[i].imgsz):
            indices = list(group)
            for start in range(0, len(indices), self.config.max_batch):
                batch = indices[start : start + self.config.max_batch]
                results = self._predict([crops[i].image for i in batch], imgsz)
                for i, result in zip(batch, results, strict=True):
                    found[i] = self._detections(result, crops[i].region)
        return [found[i] for i in range(len(crops))]

    def _predict(self, images: list, imgsz: int) -> list:
        self.calls += 1
        # Class-agnostic suppression: one object is one box, even when the model hesitates between two classes.
        return list(
            self.model.predict(images, imgsz=imgsz, conf=self.floor, agnostic_nms=True, verbose=False, **self.options)
        )

    def _detections(self, result: Any, region: Box) -> list[Detection]:
        boxes = result.boxes.cpu().numpy()
        detections = []
        for (x1, y1, x2, y2), score, index in zip(boxes.xyxyn, boxes.conf, boxes.cls.astype(int), strict=True):
            label = result.names[int(index)]
            cls = self.card.class_map.get(label) or self.card.class_map.get(str(index))
            if cls is None or score < threshold_for(self.card, cls):
                continue
            box = Box(
                region.x1 + float(x1) * region.width,
                region.y1 + float(y1) * region.height,
                region.x1 + float(x2) * region.width,
                region.y1 + float(y2) * region.height,
            )
            detections.append(Detection(box=box, cls=DomainClass(cls), score=float(score), label=label))
        return detections


def export(weights: Path, backend: str, *, imgsz: int = 640, half: bool = False) -> Path:
    """Export ``weights`` for ``backend`` with dynamic input sizes; the model card goes along."""
    model = YOLO(str(weights), task="detect")
    dynamic = backend != "tensorrt"
    target = Path(model.export(format=EXPORT_FORMATS[backend], imgsz=imgsz, dynamic=dynamic, half=half))
    card = card_path(weights)
    if card.exists():
        shutil.copyfile(card, card_path(target))
    return target
