"""What tampering does to a camera's picture (遮挡、失焦、移位): pure image operations.

``frozen`` and ``offline`` need no pixels of their own (the clip repeats a frame, or stops), so they are
handled where frames are scheduled, in ``clips``.
"""

from __future__ import annotations

import cv2
import numpy as np

from vision.synth.actors import ActorKind
from vision.synth.scene import Box, clip_box

_SKIN = np.array((38, 52, 92), np.float32)  # a hand over the lens: dark, reddish where light gets through


def covered(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A hand or cloth held over the lens: a dark, almost featureless frame."""
    h, w = image.shape[:2]
    small = np.zeros((h // 8, w // 8, 3), np.float32)
    palm = (int(w / 16 + rng.uniform(-w / 80, w / 80)), int(h / 10))
    cv2.ellipse(small, palm, (w // 11, h // 9), float(rng.uniform(-20, 20)), 0, 360, (1.0, 1.0, 1.0), -1)
    for finger in range(4):
        x = int(w / 32 + finger * w / 70)
        cv2.line(small, (x, h // 10), (x + int(rng.uniform(-4, 4)), 0), (0.8, 0.8, 0.8), max(2, w // 90))
    small = cv2.GaussianBlur(small, (0, 0), max(1.0, w / 200))
    shade = 0.75 + 0.25 * small  # so close to the lens the hand is a blur; gaps between fingers a little darker
    out = cv2.resize(shade * _SKIN, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(out, 0, 255).astype(np.uint8)


def defocused(image: np.ndarray) -> np.ndarray:
    """A lens knocked out of focus (or smeared): only the broadest shapes survive."""
    h, w = image.shape[:2]
    small = cv2.resize(image, (max(8, w // 24), max(8, h // 24)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 1.2)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def view_shift(width: int, height: int, shift_x: float, shift_y: float, rotate_deg: float) -> np.ndarray:
    """The 2×3 affine map of a camera turned on its mount: rotation about the centre, then a pan/tilt."""
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), rotate_deg, 1.0)
    matrix[0, 2] += shift_x * width
    matrix[1, 2] += shift_y * height
    return matrix


def moved(image: np.ndarray, boxes: list[Box], matrix: np.ndarray) -> tuple[np.ndarray, list[Box]]:
    """The view through a moved camera, with each box carried along (hull of its moved corners)."""
    h, w = image.shape[:2]
    shifted = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    carried: list[Box] = []
    for box in boxes:
        corners = np.array([(box.x1, box.y1, 1), (box.x2, box.y1, 1), (box.x2, box.y2, 1), (box.x1, box.y2, 1)])
        points = corners @ matrix.T
        x1, y1 = (float(v) for v in points.min(axis=0))  # plain floats: the truth file is JSON
        x2, y2 = (float(v) for v in points.max(axis=0))
        moved_box = clip_box((x1, y1, x2, y2), w, h, ActorKind(box.label), box.actor)
        if moved_box is not None:
            carried.append(moved_box)
    return shifted, carried
