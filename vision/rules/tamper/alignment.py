"""Where the camera points (视角比对): the frame's static background against the learnt one.

Corner features (ORB) of a slowly learnt background are matched with the frame's, and a rotation,
scale and shift is fitted to the matches with RANSAC: things that move (trucks, people, a lamp's beam)
do not agree with the one motion the whole background shares and fall out as outliers, and lamps are
masked before any feature is taken. The displacement is how far the frame's corners moved, so a roll
about the centre counts as much as a pan. Too few agreeing matches (a dark, featureless night) is no
answer rather than a guess.

Both images are local contrast (brightness divided out, ``vision.motion.gate``), so light does not
change the features. The earlier check correlated an 80-px view by phase correlation: a roll is not a
shift, so a 4° roll read 3–4 px; OpenCV's sub-pixel peak on the 45-row view added half a view pixel
(2 px at 320) to every reading; and the view went on learning from any frame no check tripped, so a
move that did not trip at once became the healthy view.

The comparison is the tamper monitor's dearest check (feature matching), so it is made at most every
``ALIGN_EVERY_S`` of stream time and its answer holds in between: a view does not move back and forth within
seconds, and a move must persist for ``persist_s`` anyway (the evaluation suite's moves are alerted 6 s after
they happen instead of 5). ``FEATURES`` is what its smallest moves, rolls and night scenes need with a margin:
at 300 their displacements read as at 500, with 30 or more agreeing matches against the 12 needed, and
matching costs about half as much (``bash bench/run tamper``, "view alignment").
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import msgspec
import numpy as np

FEATURES = 300
ALIGN_EVERY_S = 2.0  # stream time between two comparisons with the background
REFRESH_S = 10.0  # the learnt background's features are taken again this often
_orb = cv2.ORB.create(nfeatures=FEATURES, scaleFactor=1.3, nlevels=3, edgeThreshold=11, patchSize=11, fastThreshold=5)
_matcher = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True)


class Alignment(msgspec.Struct, frozen=True):
    displacement_px: float  # the largest move of a frame corner, analysis pixels
    rotation_deg: float
    matches: int  # features agreeing with the fitted motion


def _image(contrast: np.ndarray) -> np.ndarray:
    """Local contrast as 8-bit grey for the feature detector (1.0, a pixel like its surround, is mid-grey)."""
    return cv2.convertScaleAbs(contrast, alpha=160.0, beta=128.0 - 160.0)


def _features(contrast: np.ndarray, ignore: np.ndarray) -> tuple[Sequence[cv2.KeyPoint], np.ndarray | None]:
    mask = np.where(ignore, 0, 255).astype(np.uint8)
    points, descriptors = _orb.detectAndCompute(_image(contrast), mask)
    return points, None if descriptors is None else np.asarray(descriptors)


class ViewAligner:
    """The learnt static background of one camera and the motion of each frame's view against it."""

    def __init__(self, learn_s: float) -> None:
        self.learn_s = learn_s
        self.background: np.ndarray | None = None
        self._known: tuple[Sequence[cv2.KeyPoint], np.ndarray | None] = ([], None)
        self._since_refresh_s = math.inf
        self._since_aligned_s = math.inf
        self._last: Alignment | None = None

    def align(self, contrast: np.ndarray, ignore: np.ndarray, min_matches: int, dt_s: float) -> Alignment | None:
        """The view's motion against the background; None without a background or with too few matches.

        The last answer while it is younger than ``ALIGN_EVERY_S`` (to within half of ``dt_s``).
        """
        self._since_aligned_s += max(dt_s, 0.0)
        if self._since_aligned_s + max(dt_s, 0.0) / 2 < ALIGN_EVERY_S:  # to within half a step: frames jitter
            return self._last
        self._since_aligned_s = 0.0
        self._last = self._compare(contrast, ignore, min_matches)
        return self._last

    def _compare(self, contrast: np.ndarray, ignore: np.ndarray, min_matches: int) -> Alignment | None:
        if self.background is None or self.background.shape != contrast.shape:
            return None
        if self._since_refresh_s >= REFRESH_S:
            self._known = _features(self.background, np.zeros(contrast.shape, bool))
            self._since_refresh_s = 0.0
        points, descriptors = _features(contrast, ignore)
        known_points, known_descriptors = self._known
        if descriptors is None or known_descriptors is None or len(points) < min_matches:
            return None
        pairs = _matcher.match(known_descriptors, descriptors)
        if len(pairs) < min_matches:
            return None
        src = np.array([known_points[p.queryIdx].pt for p in pairs], np.float32)
        dst = np.array([points[p.trainIdx].pt for p in pairs], np.float32)
        matrix, inliers = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=2.0)
        agreeing = int(inliers.sum()) if inliers is not None else 0
        if matrix is None or agreeing < min_matches:
            return None
        return _alignment(matrix, contrast.shape, agreeing)

    def learn(self, contrast: np.ndarray, ignore: np.ndarray, dt_s: float) -> None:
        """A frame whose view is where it should be teaches the background (lamps left out)."""
        self._since_refresh_s += max(dt_s, 0.0)
        if self.background is None or self.background.shape != contrast.shape:
            self.reset(contrast)
            return
        alpha = 1.0 - math.exp(-max(dt_s, 0.0) / self.learn_s)
        cv2.accumulateWeighted(contrast, self.background, alpha, mask=np.where(ignore, 0, 255).astype(np.uint8))

    def reset(self, contrast: np.ndarray) -> None:
        """Start again from this frame (the first one, or after the view could not be compared for long)."""
        self.background = contrast.astype(np.float32, copy=True)
        self._since_refresh_s = self._since_aligned_s = math.inf
        self._last = None


def _alignment(matrix: np.ndarray, shape: tuple[int, ...], matches: int) -> Alignment:
    h, w = shape[:2]
    corners = np.array([(0, 0, 1), (w, 0, 1), (0, h, 1), (w, h, 1)], np.float32)
    moved = corners @ matrix.T
    displacement = float(np.max(np.hypot(*(moved - corners[:, :2]).T)))
    rotation = math.degrees(math.atan2(matrix[1, 0], matrix[0, 0]))
    return Alignment(round(displacement, 2), round(rotation, 2), matches)
