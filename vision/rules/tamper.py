"""Camera tamper from frame statistics (摄像头遮挡、失焦、移位、冻结).

All measures are taken on the small grey image and are indifferent to
brightness, so nightfall is not tamper:

- covered: the picture is uniform (grey std / mean below ``covered_contrast``)
  or black and featureless;
- defocused: sharpness (variance of the Laplacian of the local-contrast
  image) fell below ``defocus_ratio`` of its slowly learnt baseline;
- moved: the edge image no longer lines up with the reference view
  (phase-correlation shift over ``moved_px``, or no clear peak at all);
- frozen: consecutive analysed frames are identical (a live scene always has
  sensor noise).

Each condition must hold for ``persist_s``; a truck passing close to the lens
is not tamper. Offline (no frames at all) is raised by the pipeline from the
source's silence.
"""

from __future__ import annotations

import datetime as dt
import math

import cv2
import msgspec
import numpy as np

from mobile_contract.alerts import AlertKind, Severity
from vision.config import TamperConfig
from vision.motion.gate import local_contrast
from vision.types import AlertCandidate, IncidentKey, TamperFacts, TamperKind

KINDS = {
    TamperKind.COVERED: (AlertKind.CAMERA_COVERED, Severity.CRITICAL, "摄像头画面被遮挡"),
    TamperKind.DEFOCUSED: (AlertKind.CAMERA_DEFOCUSED, Severity.WARNING, "摄像头画面失焦模糊"),
    TamperKind.MOVED: (AlertKind.CAMERA_MOVED, Severity.CRITICAL, "摄像头视角被移动"),
    TamperKind.FROZEN: (AlertKind.CAMERA_FROZEN, Severity.WARNING, "摄像头画面冻结"),
    TamperKind.OFFLINE: (AlertKind.CAMERA_OFFLINE, Severity.CRITICAL, "摄像头离线，无视频"),
}


def sharpness(grey: np.ndarray) -> float:
    return float(cv2.Laplacian(local_contrast(grey), cv2.CV_32F).var())


def edges(grey: np.ndarray) -> np.ndarray:
    contrast = local_contrast(grey)
    gx = cv2.Sobel(contrast, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(contrast, cv2.CV_32F, 0, 1)
    return cv2.magnitude(gx, gy)


def tamper_candidate(
    camera_id: str, facts: TamperFacts, at: dt.datetime, *, since: dt.datetime | None = None
) -> AlertCandidate:
    alert_kind, severity, summary = KINDS[facts.tamper]
    return AlertCandidate(
        key=IncidentKey(camera_id, alert_kind),
        severity=severity,
        at=at,
        summary=summary,
        facts=facts,
        since=since,
    )


class Readings(msgspec.Struct, frozen=True):
    """The frame statistics the checks are made of."""

    uniformity: float  # grey std / mean
    mean: float
    std: float
    sharpness: float
    sharpness_ratio: float  # against the baseline; 1.0 while there is none
    shift_px: float
    response: float  # phase-correlation peak, 1.0 while there is no reference
    difference: float  # mean absolute difference from the previous analysed frame

    def tripped(self, c: TamperConfig) -> dict[TamperKind, TamperFacts]:
        """Each failed check with its measure. A covered lens also looks blurred and moved: report only covered."""
        if self.uniformity < c.covered_contrast or (self.mean < c.covered_dark and self.std < c.covered_dark / 2):
            return {TamperKind.COVERED: TamperFacts(TamperKind.COVERED, round(self.uniformity, 4), c.covered_contrast)}
        found = {}
        if self.sharpness_ratio < c.defocus_ratio:
            found[TamperKind.DEFOCUSED] = TamperFacts(TamperKind.DEFOCUSED, self.sharpness_ratio, c.defocus_ratio)
        if self.shift_px > c.moved_px or self.response < c.moved_response:
            found[TamperKind.MOVED] = TamperFacts(TamperKind.MOVED, self.shift_px, c.moved_px)
        if self.difference < c.frozen_diff:
            found[TamperKind.FROZEN] = TamperFacts(TamperKind.FROZEN, self.difference, c.frozen_diff)
        return found


class TamperMonitor:
    def __init__(self, camera_id: str, config: TamperConfig) -> None:
        self.camera_id = camera_id
        self.config = config
        self.baseline: float | None = None  # sharpness of the healthy view
        self.reference: np.ndarray | None = None  # edge image of the healthy view
        self._window: np.ndarray | None = None
        self._previous: np.ndarray | None = None
        self._since: dict[TamperKind, dt.datetime] = {}

    def evaluate(self, grey: np.ndarray, at: dt.datetime, dt_s: float) -> list[AlertCandidate]:
        readings = self.read(grey)
        self._previous = grey
        tripped = readings.tripped(self.config)
        if not tripped:
            self._learn(grey, readings.sharpness, dt_s)
        self._since = {kind: self._since.get(kind, at) for kind in tripped}
        return [
            tamper_candidate(self.camera_id, facts, at, since=self._since[kind])
            for kind, facts in tripped.items()
            if (at - self._since[kind]).total_seconds() >= self.config.persist_s
        ]

    def read(self, grey: np.ndarray) -> Readings:
        mean, std = (float(v[0][0]) for v in cv2.meanStdDev(grey))
        sharp = sharpness(grey)
        shift, response = self._shift(grey)
        return Readings(
            uniformity=std / max(mean, 1.0),
            mean=mean,
            std=std,
            sharpness=sharp,
            sharpness_ratio=sharp / self.baseline if self.baseline else 1.0,
            shift_px=shift,
            response=response,
            difference=float(cv2.absdiff(grey, self._previous).mean()) if self._previous is not None else math.inf,
        )

    def _shift(self, grey: np.ndarray) -> tuple[float, float]:
        if self.reference is None or self.reference.shape != grey.shape:
            return 0.0, 1.0
        (dx, dy), response = cv2.phaseCorrelate(self.reference, edges(grey), self._window)
        return math.hypot(dx, dy), float(response)

    def _learn(self, grey: np.ndarray, sharp: float, dt_s: float) -> None:
        """Healthy frames teach the sharpness baseline; the first one is the reference view."""
        if self.reference is None or self.reference.shape != grey.shape:
            self.reference = edges(grey)
            self._window = cv2.createHanningWindow((grey.shape[1], grey.shape[0]), cv2.CV_32F)
        alpha = 1.0 - math.exp(-max(dt_s, 0.0) / self.config.baseline_s)
        self.baseline = sharp if self.baseline is None else self.baseline + alpha * (sharp - self.baseline)
