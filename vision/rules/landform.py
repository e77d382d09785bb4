"""Landform change against a reference image (地貌变化监测).

Fresh excavation changes the texture of a slope and stays. The zone is
compared with the reference in local contrast (see ``vision.motion.gate``),
so day, dusk and night views of the same slope agree; pixels under moving
things and tracked objects are left out, and the change must persist for
``persist_s`` before it counts.
"""

from __future__ import annotations

import datetime as dt

import cv2
import numpy as np

from mobile_contract.alerts import AlertKind, Severity
from mobile_contract.sites import CameraConfig, LandformZone
from vision.motion.gate import local_contrast
from vision.rules.geometry import polygon_mask
from vision.types import AlertCandidate, Box, IncidentKey, LandformFacts, Motion, Track

_SMOOTH = 2.0  # pixels of blur before comparing: a slope's fine texture shimmers, its shape does not


def structure(grey: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(local_contrast(grey), (0, 0), _SMOOTH)


class LandformRule:
    def __init__(self, camera: CameraConfig, zone: LandformZone, *, every_s: float, threshold: float) -> None:
        self.key = IncidentKey(camera.id, AlertKind.LANDFORM_CHANGE, zone.name)
        self.zone = zone
        self.every = dt.timedelta(seconds=every_s)
        self.threshold = threshold
        self.reference: np.ndarray | None = None
        self._mask: np.ndarray | None = None
        self._checked: dt.datetime | None = None
        self._changed_since: dt.datetime | None = None
        self._last: AlertCandidate | None = None

    def set_reference(self, grey: np.ndarray) -> None:
        self.reference = structure(grey)
        self._mask = polygon_mask(self.zone.polygon, grey.shape)

    def evaluate(self, grey: np.ndarray, motion: Motion, tracks: list[Track], at: dt.datetime) -> list[AlertCandidate]:
        if self.reference is None or self.reference.shape != grey.shape:
            self.set_reference(grey)
            return []
        if self._checked is not None and at - self._checked < self.every:
            return [self._last] if self._last is not None else []  # between checks the finding stands
        self._checked = at
        fraction, changed = self._changed(grey, motion, tracks)
        if fraction < self.zone.min_changed_fraction:
            self._changed_since, self._last = None, None
            return []
        self._changed_since = self._changed_since or at
        persisted = (at - self._changed_since).total_seconds()
        self._last = self._candidate(fraction, persisted, changed, at) if persisted >= self.zone.persist_s else None
        return [self._last] if self._last is not None else []

    def _changed(self, grey: np.ndarray, motion: Motion, tracks: list[Track]) -> tuple[float, np.ndarray]:
        assert self.reference is not None and self._mask is not None
        considered = self._mask & ~motion.mask
        for track in tracks:
            considered &= ~_box_mask(track.box, grey.shape)
        changed = (np.abs(structure(grey) - self.reference) > self.threshold) & considered
        total = int(considered.sum())
        return (float(changed.sum()) / total if total else 0.0), changed

    def _candidate(self, fraction: float, persisted: float, changed: np.ndarray, at: dt.datetime) -> AlertCandidate:
        assert self._changed_since is not None
        ys, xs = np.nonzero(changed)
        h, w = changed.shape
        region = Box(xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h)
        return AlertCandidate(
            key=self.key,
            severity=Severity.WARNING,
            at=at,
            summary=f"{self.zone.name}：地貌较参考图像变化 {fraction:.0%}，持续 {persisted:.0f} 秒",
            facts=LandformFacts(self.zone.name, round(fraction, 4), round(persisted, 1)),
            regions=[region],
            material=f"{int(fraction * 10)}",  # a new revision each time another tenth of the zone has changed
            since=self._changed_since,
        )


def _box_mask(box: Box, shape: tuple[int, ...]) -> np.ndarray:
    h, w = shape[:2]
    mask = np.zeros((h, w), bool)
    mask[int(box.y1 * h) : int(np.ceil(box.y2 * h)), int(box.x1 * w) : int(np.ceil(box.x2 * w))] = True
    return mask
