"""A low-resolution background model that ignores lighting (光照鲁棒的背景模型).

Each frame is turned into *local contrast*: the image divided by a heavily
blurred copy of itself. A global change of brightness (dusk, the camera's
night mode, cloud) and the soft glow of headlights on a slope scale pixel and
surround alike and cancel out; an object with edges does not. The background
is a running average of that contrast image; pixels that differ from it by
more than ``contrast_threshold`` are motion, cleaned of rain and noise by a
morphological opening and a minimum blob area.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from vision.config import MotionConfig
from vision.types import Box, Motion

_DARK_FLOOR = 8.0  # grey levels added before dividing, so sensor noise in the dark is not contrast
_OPEN = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
_CLOSE = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))


def local_contrast(grey: np.ndarray) -> np.ndarray:
    """Brightness-normalised image: about 1.0 where a pixel matches its surround."""
    image = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), 1.0)
    surround = cv2.GaussianBlur(image, (0, 0), max(2.0, grey.shape[1] / 40))
    return (image + _DARK_FLOOR) / (surround + _DARK_FLOOR)


class MotionGate:
    def __init__(self, config: MotionConfig) -> None:
        self.config = config
        self.background: np.ndarray | None = None

    def detect(self, contrast: np.ndarray, dt_s: float) -> Motion:
        """Compare a frame's local contrast with the background, then let the background learn from it."""
        if self.background is None or self.background.shape != contrast.shape:
            self.background = contrast.copy()
            return Motion(regions=[], changed_fraction=0.0, mask=np.zeros(contrast.shape, bool))
        mask = self._changed(contrast)
        changed = float(mask.mean())
        if changed > self.config.relight_fraction:
            self.background = contrast.copy()  # the whole picture changed at once: lighting, not objects
            return Motion(regions=[], changed_fraction=changed, mask=np.zeros(contrast.shape, bool), relit=True)
        self._learn(contrast, dt_s)
        return Motion(regions=self._blobs(mask), changed_fraction=changed, mask=mask)

    def _changed(self, contrast: np.ndarray) -> np.ndarray:
        assert self.background is not None
        raw = (np.abs(contrast - self.background) > self.config.contrast_threshold).astype(np.uint8)
        cleaned = cv2.morphologyEx(raw, cv2.MORPH_OPEN, _OPEN)  # rain streaks and single noisy pixels
        return cv2.morphologyEx(cleaned, cv2.MORPH_CLOSE, _CLOSE).astype(bool)  # one blob per object

    def _learn(self, contrast: np.ndarray, dt_s: float) -> None:
        """Exponential forgetting in real time, whatever the analysis rate."""
        assert self.background is not None
        alpha = 1.0 - math.exp(-max(dt_s, 0.0) / self.config.background_s)
        cv2.accumulateWeighted(contrast, self.background, alpha)

    def _blobs(self, mask: np.ndarray) -> list[Box]:
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
        h, w = mask.shape
        min_pixels = self.config.min_area * h * w
        boxes = []
        for x, y, bw, bh, area in stats[1:count]:
            if area >= min_pixels:
                boxes.append(Box(x / w, y / h, (x + bw) / w, (y + bh) / h))
        return boxes
