"""Camera tamper from frame statistics (摄像头遮挡、失焦、移位、冻结).

Measures are taken on the small grey image and do not care about
brightness, so nightfall is not tamper. The healthy *view* is a slowly
learnt, heavily reduced (80 px wide) picture of the scene; the healthy
*sharpness* a slowly learnt baseline.

- covered: the picture is uniform (grey std / mean below
  ``covered_contrast``), or it lost its sharpness *and* no longer looks like
  the view (normalised correlation below ``covered_similarity``);
- defocused: sharpness (variance of the Laplacian of the local-contrast
  image) fell below ``defocus_ratio`` of the baseline while the coarse view is
  still there;
- moved: sharp, but the view shifted by more than ``moved_px`` (phase
  correlation) or no longer correlates with it (``moved_similarity``);
- frozen: the picture is the same as a second or more ago (a live scene
  always has sensor noise; consecutive frames of a video are compared at
  that distance because an encoder smooths noise from one frame to the next).

Each condition must hold for ``persist_s`` (a truck passing close to the
lens is not tamper) and ends once absent for ``clear_s`` (a key frame that
re-encodes a frozen picture with fresh noise is not recovery). Offline (no frames at all) comes from the source's
silence, see ``CameraRules.silence``.
"""

from __future__ import annotations

import collections
import datetime as dt
import math

import cv2
import msgspec
import numpy as np

from mobile_contract.alerts import AlertKind, Severity
from vision.config import TamperConfig
from vision.types import AlertCandidate, IncidentKey, TamperFacts, TamperKind

KINDS = {
    TamperKind.COVERED: (AlertKind.CAMERA_COVERED, Severity.CRITICAL, "摄像头画面被遮挡"),
    TamperKind.DEFOCUSED: (AlertKind.CAMERA_DEFOCUSED, Severity.WARNING, "摄像头画面失焦模糊"),
    TamperKind.MOVED: (AlertKind.CAMERA_MOVED, Severity.CRITICAL, "摄像头视角被移动"),
    TamperKind.FROZEN: (AlertKind.CAMERA_FROZEN, Severity.WARNING, "摄像头画面冻结"),
    TamperKind.OFFLINE: (AlertKind.CAMERA_OFFLINE, Severity.CRITICAL, "摄像头离线，无视频"),
}


VIEW_WIDTH = 80
FROZEN_GAP_S = 1.0


def sharpness(contrast: np.ndarray) -> float:
    return float(cv2.Laplacian(contrast, cv2.CV_32F).var())


def coarse_view(grey: np.ndarray) -> np.ndarray:
    height = max(8, round(grey.shape[0] * VIEW_WIDTH / grey.shape[1]))
    small = cv2.resize(grey, (VIEW_WIDTH, height), interpolation=cv2.INTER_AREA).astype(np.float32)
    return cv2.GaussianBlur(small, (0, 0), 1.0)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised cross-correlation: 1.0 for the same view under any brightness and gain."""
    a = (a - a.mean()) / (a.std() + 1e-6)
    b = (b - b.mean()) / (b.std() + 1e-6)
    return float((a * b).mean())


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
    sharpness_ratio: float  # against the baseline; 1.0 while there is none
    similarity: float  # to the healthy view; 1.0 while there is none
    shift_px: float  # against the healthy view, in analysis-image pixels
    difference: float  # mean absolute grey difference from the picture a second or more ago
    sharpness: float

    def tripped(self, c: TamperConfig) -> dict[TamperKind, TamperFacts]:
        """Each failed check with its measure. A covered lens also looks blurred and moved: only covered counts."""
        blurred = self.sharpness_ratio < c.defocus_ratio
        if self.uniformity < c.covered_contrast or (blurred and self.similarity < c.covered_similarity):
            return {TamperKind.COVERED: _facts(TamperKind.COVERED, self.similarity, c.covered_similarity)}
        if blurred:
            return {TamperKind.DEFOCUSED: _facts(TamperKind.DEFOCUSED, self.sharpness_ratio, c.defocus_ratio)}
        found = {}
        if self.shift_px > c.moved_px or self.similarity < c.moved_similarity:
            found[TamperKind.MOVED] = _facts(TamperKind.MOVED, self.shift_px, c.moved_px)
        if self.difference < c.frozen_diff:
            found[TamperKind.FROZEN] = _facts(TamperKind.FROZEN, self.difference, c.frozen_diff)
        return found


def _facts(kind: TamperKind, measure: float, threshold: float) -> TamperFacts:
    return TamperFacts(kind, round(measure, 4), threshold)


class TamperMonitor:
    def __init__(self, camera_id: str, config: TamperConfig) -> None:
        self.camera_id = camera_id
        self.config = config
        self.baseline: float | None = None  # sharpness of the healthy view
        self.view: np.ndarray | None = None  # coarse picture of the healthy view
        self._learnt = 0
        self._history: collections.deque[tuple[dt.datetime, np.ndarray]] = collections.deque()  # for frozen
        self._since: dict[TamperKind, dt.datetime] = {}
        self._seen: dict[TamperKind, dt.datetime] = {}

    def evaluate(self, grey: np.ndarray, contrast: np.ndarray, at: dt.datetime, dt_s: float) -> list[AlertCandidate]:
        view = coarse_view(grey)
        readings = self.read(grey, contrast, view, self._earlier(at))
        if not self._history or (at - self._history[-1][0]).total_seconds() >= FROZEN_GAP_S / 2:
            self._history.append((at, grey))
        tripped = readings.tripped(self.config)
        if not tripped:
            self._learn(view, readings.sharpness, dt_s)
        for kind in tripped:
            self._since.setdefault(kind, at)
            self._seen[kind] = at
        gone = [k for k, seen in self._seen.items() if (at - seen).total_seconds() > self.config.clear_s]
        for kind in gone:
            del self._since[kind], self._seen[kind]
        return [
            tamper_candidate(self.camera_id, facts, at, since=self._since[kind])
            for kind, facts in tripped.items()
            if (at - self._since[kind]).total_seconds() >= self.config.persist_s
        ]

    def _earlier(self, at: dt.datetime) -> np.ndarray | None:
        """The latest picture at least ``FROZEN_GAP_S`` old; older ones are dropped."""
        while len(self._history) > 1 and (at - self._history[1][0]).total_seconds() >= FROZEN_GAP_S:
            self._history.popleft()
        if self._history and (at - self._history[0][0]).total_seconds() >= FROZEN_GAP_S:
            return self._history[0][1]
        return None

    def read(self, grey: np.ndarray, contrast: np.ndarray, view: np.ndarray, earlier: np.ndarray | None) -> Readings:
        mean, std = (float(v[0][0]) for v in cv2.meanStdDev(grey))
        sharp = sharpness(contrast)
        known = self.view is not None and self.view.shape == view.shape
        shift = self._shift(view) * grey.shape[1] / VIEW_WIDTH if known else 0.0
        return Readings(
            uniformity=std / max(mean, 1.0),
            sharpness_ratio=sharp / self.baseline if self.baseline else 1.0,
            similarity=similarity(self.view, view) if known else 1.0,  # type: ignore[arg-type]
            shift_px=shift,
            difference=float(cv2.absdiff(grey, earlier).mean()) if earlier is not None else math.inf,
            sharpness=sharp,
        )

    def _shift(self, view: np.ndarray) -> float:
        assert self.view is not None
        window = cv2.createHanningWindow((view.shape[1], view.shape[0]), cv2.CV_32F)
        # phaseCorrelate multiplies its inputs by the window in place: give it copies.
        (dx, dy), _ = cv2.phaseCorrelate(self.view.copy(), view.copy(), window)
        return math.hypot(dx, dy)

    def _learn(self, view: np.ndarray, sharp: float, dt_s: float) -> None:
        """Healthy frames teach the view and the sharpness: a plain mean at first, then slow forgetting."""
        if self.view is None or self.view.shape != view.shape:
            self.view, self._learnt = view.copy(), 0
        self._learnt += 1
        alpha = max(1.0 / self._learnt, 1.0 - math.exp(-max(dt_s, 0.0) / self.config.baseline_s))
        cv2.accumulateWeighted(view, self.view, alpha)
        self.baseline = sharp if self.baseline is None else self.baseline + alpha * (sharp - self.baseline)
