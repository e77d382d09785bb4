"""Landform change against a reference image (地貌变化监测).

Fresh excavation changes a slope's brightness relative to the rest of the
view, and its texture, and it stays. Both are compared with the reference
in lighting-independent form: brightness as the log of each (blurred) pixel
over the frame's median, texture as local contrast (see
``vision.motion.gate``), so day, dusk and night views of the same slope
agree. Pixels under tracked objects are left out, and a pixel counts only
once it has stayed changed at every check for ``persist_s``: a truck, rain
or dust moves on, ground does not. The alert needs ``min_changed_fraction``
of the zone changed that long.
"""

from __future__ import annotations

import datetime as dt

import cv2
import msgspec
import numpy as np

from mobile_contract.alerts import AlertKind, Severity
from mobile_contract.sites import CameraConfig, LandformZone
from vision.rules.geometry import polygon_mask
from vision.types import AlertCandidate, Box, Frame, IncidentKey, LandformFacts, Track

_SMOOTH = 2.0  # pixels of blur before comparing: a slope's fine texture shimmers, its shape does not
_DARK_FLOOR = 8.0


class Appearance(msgspec.Struct, frozen=True):
    """A view reduced to what lighting does not change."""

    brightness: np.ndarray  # log(pixel / frame median)
    texture: np.ndarray  # blurred local contrast

    @classmethod
    def of(cls, frame: Frame) -> Appearance:
        blurred = cv2.GaussianBlur(frame.grey.astype(np.float32), (0, 0), _SMOOTH)
        level = float(np.median(frame.grey)) + _DARK_FLOOR
        return cls(
            brightness=np.log((blurred + _DARK_FLOOR) / level),
            texture=cv2.GaussianBlur(frame.contrast, (0, 0), _SMOOTH),
        )


class LandformRule:
    def __init__(self, camera: CameraConfig, zone: LandformZone, *, every_s: float, threshold: float) -> None:
        self.key = IncidentKey(camera.id, AlertKind.LANDFORM_CHANGE, zone.name)
        self.zone = zone
        self.every = dt.timedelta(seconds=every_s)
        self.threshold = threshold
        self.reference: Appearance | None = None
        self._mask: np.ndarray | None = None
        self._checked: dt.datetime | None = None
        self._changed_since: np.ndarray | None = None  # per pixel, seconds since the epoch; NaN: unchanged
        self._last: AlertCandidate | None = None

    def set_reference(self, frame: Frame) -> None:
        self.reference = Appearance.of(frame)
        self._mask = polygon_mask(self.zone.polygon, frame.grey.shape)

    def evaluate(self, frame: Frame, tracks: list[Track]) -> list[AlertCandidate]:
        if self.reference is None or self.reference.texture.shape != frame.grey.shape:
            self.set_reference(frame)
            return []
        at = frame.at
        if self._checked is None or at - self._checked >= self.every:
            self._checked = at
            self._last = self._check(frame, tracks)
        return [self._last] if self._last is not None else []  # between checks the finding stands

    def _check(self, frame: Frame, tracks: list[Track]) -> AlertCandidate | None:
        assert self._mask is not None
        now = frame.at.timestamp()
        changed = self._changed(frame, tracks)
        since = self._changed_since if self._changed_since is not None else np.full(changed.shape, np.nan)
        since[~changed] = np.nan
        since[changed & np.isnan(since)] = now
        self._changed_since = since
        with np.errstate(invalid="ignore"):
            persistent = since <= now - self.zone.persist_s
        fraction = float(persistent.sum()) / max(1, int(self._mask.sum()))
        if fraction < self.zone.min_changed_fraction:
            return None
        began = dt.datetime.fromtimestamp(float(np.nanmin(since[persistent])), frame.at.tzinfo)
        return self._candidate(persistent, fraction, began, frame.at)

    def _changed(self, frame: Frame, tracks: list[Track]) -> np.ndarray:
        assert self.reference is not None and self._mask is not None
        now = Appearance.of(frame)
        changed = np.abs(now.brightness - self.reference.brightness) > self.threshold
        changed |= np.abs(now.texture - self.reference.texture) > self.threshold
        changed &= self._mask
        for track in tracks:
            changed &= ~_box_mask(track.box, changed.shape)
        return changed

    def _candidate(
        self, persistent: np.ndarray, fraction: float, began: dt.datetime, at: dt.datetime
    ) -> AlertCandidate:
        ys, xs = np.nonzero(persistent)
        h, w = persistent.shape
        region = Box(xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h)
        persisted = (at - began).total_seconds()
        return AlertCandidate(
            key=self.key,
            severity=Severity.WARNING,
            at=at,
            summary=f"{self.zone.name}：地貌较参考图像变化 {fraction:.0%}，持续 {persisted:.0f} 秒",
            facts=LandformFacts(self.zone.name, round(fraction, 4), round(persisted, 1)),
            regions=[region],
            material=f"{int(fraction * 10)}",  # a new revision each time another tenth of the zone has changed
            since=began,
        )


def _box_mask(box: Box, shape: tuple[int, ...]) -> np.ndarray:
    h, w = shape[:2]
    mask = np.zeros((h, w), bool)
    mask[int(box.y1 * h) : int(np.ceil(box.y2 * h)), int(box.x1 * w) : int(np.ceil(box.x2 * w))] = True
    return mask
