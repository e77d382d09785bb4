"""ByteTrack through ultralytics, fed with our detections (ByteTrack 跟踪).

Fixed cameras need no camera-motion compensation. The tracker only counts
its own updates, so frames the motion gate let through without a detector
call leave tracks untouched: a parked excavator keeps its ID until the
detector looks at it again and does not find it.

At a few frames per second ByteTrack's constant-velocity prediction
overshoots when a machine stops, or an excavator's box changes shape as its
arm swings, and ByteTrack starts a new ID. A new ID that appears where a
track of the same class vanished a moment ago takes over the old ID, so the
IDs the rules see stay stable. A track's class is the one its detections
voted for (summed scores), so one frame's hesitation does not turn a person
into a truck.
"""

from __future__ import annotations

import math

import msgspec
import numpy as np
from ultralytics.engine.results import Boxes
from ultralytics.trackers.byte_tracker import BYTETracker
from ultralytics.utils import IterableSimpleNamespace

from mobile_contract.sites import DomainClass
from vision.types import Box, Detection, Motion, Track

CLASSES = list(DomainClass)
MOVING_FRACTION = 0.05  # share of a box's pixels that changed: the machine is working
SAME_MOTION = 0.25  # two boxes whose steps differ by less than this share of their width move as one


class _Vanished(msgspec.Struct):
    track: Track
    update: int


class ObjectTracker:
    def __init__(self, *, width: int, height: int, updates_kept: int) -> None:
        self.width, self.height = width, height
        self.updates_kept = max(1, updates_kept)
        args = IterableSimpleNamespace(
            tracker_type="bytetrack",
            track_high_thresh=0.0,  # detections arrive already filtered by per-class thresholds
            track_low_thresh=0.0,
            new_track_thresh=0.0,
            track_buffer=self.updates_kept,
            match_thresh=0.9,  # IoU ≥ 0.1: objects move far between frames at a few hertz
            fuse_score=False,
        )
        self._tracker = BYTETracker(args)
        self.tracks: list[Track] = []
        self.untracked: list[Detection] = []  # this frame's detections no track took (not yet confirmed)
        self._updates = 0
        self._stable: dict[int, int] = {}  # ByteTrack ID → stable ID
        self._vanished: dict[int, _Vanished] = {}
        self._next_id = 1
        self._votes: dict[int, dict[DomainClass, float]] = {}  # stable ID → summed score per class

    @classmethod
    def for_rate(cls, *, width: int, height: int, analysis_hz: float, lost_s: float) -> ObjectTracker:
        return cls(width=width, height=height, updates_kept=math.ceil(lost_s * analysis_hz))

    def update(self, detections: list[Detection], motion: Motion | None) -> list[Track]:
        self._updates += 1
        w, h = self.width, self.height
        rows = np.array(
            [
                [d.box.x1 * w, d.box.y1 * h, d.box.x2 * w, d.box.y2 * h, d.score, CLASSES.index(d.cls)]
                for d in detections
            ],
            dtype=np.float32,
        ).reshape(-1, 6)
        output = self._tracker.update(Boxes(rows, (self.height, self.width)))
        self._note_vanished({self._stable[int(row[4])] for row in output if int(row[4]) in self._stable})
        before = {t.id: t.box for t in self.tracks}
        tracks = self._one_per_object([(int(row[4]), self._track(row, motion)) for row in output], before)
        self._forget({t.id for t in tracks})
        self.tracks = tracks
        self.untracked = [d for d in detections if all(_iou(d.box, t.box) < 0.3 for t in tracks)]
        return tracks

    def hold(self, motion: Motion | None) -> list[Track]:
        """No detector call this frame: the same tracks, with this frame's motion."""
        self.untracked = []
        self.tracks = [msgspec.structs.replace(t, moving=_moving(t.box, motion)) for t in self.tracks]
        return self.tracks

    def _track(self, row: np.ndarray, motion: Motion | None) -> Track:
        x1, y1, x2, y2, raw_id, score, cls = (float(v) for v in row[:7])
        box = Box(x1 / self.width, y1 / self.height, x2 / self.width, y2 / self.height).clipped()
        kind = CLASSES[int(cls)]
        stable = self._stable.get(int(raw_id)) or self._adopt(int(raw_id), box, kind)
        votes = self._votes.setdefault(stable, {})
        votes[kind] = votes.get(kind, 0.0) + score
        return Track(
            id=stable, box=box, cls=max(votes, key=votes.__getitem__), score=score, moving=_moving(box, motion)
        )

    def _adopt(self, raw_id: int, box: Box, kind: DomainClass) -> int:
        """A new ByteTrack ID: the ID of a same-class track that just vanished nearby, else a fresh one."""
        near = [v for v in self._vanished.values() if v.track.cls is kind and _near(v.track.box, box)]
        if near:
            heir = min(near, key=lambda v: _distance(v.track.box, box)).track.id
            del self._vanished[heir]
        else:
            heir, self._next_id = self._next_id, self._next_id + 1
        self._stable[raw_id] = heir
        return heir

    def _one_per_object(self, tracks: list[tuple[int, Track]], before: dict[int, Box]) -> list[Track]:
        """Two tracks on one object (ByteTrack lost it and started again while recovering the old one, or
        two boxes on one truck): the younger ID is folded into the older one for good — when they overlap
        and moved together since the last update (or one is new). Two trucks passing each other overlap
        too, seen from the roadside, but move apart: they stay two."""
        kept: list[Track] = []
        for raw_id, track in sorted(tracks, key=lambda pair: pair[1].id):
            twin = next((k for k in kept if k.id == track.id or _one_object(k, track, before)), None)
            if twin is None:
                kept.append(track)
            else:
                self._stable[raw_id] = twin.id
        return kept

    def _note_vanished(self, present: set[int]) -> None:
        for track in self.tracks:
            if track.id not in present:
                self._vanished[track.id] = _Vanished(track, self._updates)

    def _forget(self, present: set[int]) -> None:
        for stable in present:
            self._vanished.pop(stable, None)
        self._vanished = {k: v for k, v in self._vanished.items() if self._updates - v.update <= self.updates_kept}
        live = set(present) | set(self._vanished)
        self._stable = {raw: s for raw, s in self._stable.items() if s in live}
        self._votes = {s: v for s, v in self._votes.items() if s in live}


def _one_object(a: Track, b: Track, before: dict[int, Box]) -> bool:
    """Overlapping boxes of one class that moved alike since the last update (or one just appeared)."""
    if a.cls is not b.cls or _iou(a.box, b.box) <= 0.5:
        return False
    if a.id not in before or b.id not in before:
        return True
    apart = math.hypot(*(_shift(before[a.id], a.box)[i] - _shift(before[b.id], b.box)[i] for i in (0, 1)))
    return apart <= SAME_MOTION * max(a.box.width, b.box.width)


def _shift(old: Box, new: Box) -> tuple[float, float]:
    return (new.x1 + new.x2 - old.x1 - old.x2) / 2, (new.y1 + new.y2 - old.y1 - old.y2) / 2


def _iou(a: Box, b: Box) -> float:
    inter = Box(max(a.x1, b.x1), max(a.y1, b.y1), min(a.x2, b.x2), min(a.y2, b.y2)).area
    return inter / (a.area + b.area - inter) if inter > 0 else 0.0


def _moving(box: Box, motion: Motion | None) -> bool:
    return motion is not None and motion.fraction_in(box) >= MOVING_FRACTION


def _distance(a: Box, b: Box) -> float:
    return math.hypot((a.x1 + a.x2 - b.x1 - b.x2) / 2, (a.y1 + a.y2 - b.y1 - b.y2) / 2)


def _near(a: Box, b: Box) -> bool:
    """Centres closer than the larger box's half diagonal."""
    reach = max(math.hypot(a.width, a.height), math.hypot(b.width, b.height)) / 2
    return _distance(a, b) <= reach
