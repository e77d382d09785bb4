"""ByteTrack through ultralytics, fed with our detections (ByteTrack 跟踪).

Fixed cameras need no camera-motion compensation. The tracker only counts
its own updates, so frames the motion gate let through without a detector
call leave tracks untouched: a parked excavator keeps its ID until the
detector looks at it again and does not find it.
"""

from __future__ import annotations

import math

import numpy as np
from ultralytics.engine.results import Boxes
from ultralytics.trackers.byte_tracker import BYTETracker
from ultralytics.utils import IterableSimpleNamespace

from mobile_contract.sites import DomainClass
from vision.types import Box, Detection, Motion, Track

CLASSES = list(DomainClass)
MOVING_FRACTION = 0.05  # share of a box's pixels that changed: the machine is working


class ObjectTracker:
    def __init__(self, *, width: int, height: int, updates_kept: int) -> None:
        self.width, self.height = width, height
        args = IterableSimpleNamespace(
            tracker_type="bytetrack",
            track_high_thresh=0.0,  # detections arrive already filtered by per-class thresholds
            track_low_thresh=0.0,
            new_track_thresh=0.0,
            track_buffer=max(1, updates_kept),
            match_thresh=0.8,
            fuse_score=True,
        )
        self._tracker = BYTETracker(args)
        self.tracks: list[Track] = []

    @classmethod
    def for_rate(cls, *, width: int, height: int, analysis_hz: float, lost_s: float) -> ObjectTracker:
        return cls(width=width, height=height, updates_kept=math.ceil(lost_s * analysis_hz))

    def update(self, detections: list[Detection], motion: Motion | None) -> list[Track]:
        w, h = self.width, self.height
        rows = np.array(
            [
                [d.box.x1 * w, d.box.y1 * h, d.box.x2 * w, d.box.y2 * h, d.score, CLASSES.index(d.cls)]
                for d in detections
            ],
            dtype=np.float32,
        ).reshape(-1, 6)
        output = self._tracker.update(Boxes(rows, (self.height, self.width)))
        self.tracks = [self._track(row, motion) for row in output]
        return self.tracks

    def hold(self, motion: Motion | None) -> list[Track]:
        """No detector call this frame: the same tracks, with this frame's motion."""
        self.tracks = [
            Track(id=t.id, box=t.box, cls=t.cls, score=t.score, moving=_moving(t.box, motion)) for t in self.tracks
        ]
        return self.tracks

    def _track(self, row: np.ndarray, motion: Motion | None) -> Track:
        x1, y1, x2, y2, track_id, score, cls = (float(v) for v in row[:7])
        box = Box(x1 / self.width, y1 / self.height, x2 / self.width, y2 / self.height).clipped()
        return Track(id=int(track_id), box=box, cls=CLASSES[int(cls)], score=score, moving=_moving(box, motion))


def _moving(box: Box, motion: Motion | None) -> bool:
    return motion is not None and motion.fraction_in(box) >= MOVING_FRACTION
