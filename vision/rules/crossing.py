"""Haul-road count line (运输车辆计数线).

A tracked truck whose ground point moves across the line segment, from
clearly one side to clearly the other, is counted once per crossing,
outbound (出场) when it goes from the left of a→b to its
right, inbound (进场) otherwise. At a closed site (停产/关停) any crossing is
an alert; a run of crossings is one incident whose counts grow.

At a low analysis rate a fast truck moves further than its own length
between samples, and the tracker never confirms it or gives it a new ID on
the far side. So sightings no track carried across the line — detections
the tracker did not confirm, the last place of a track that vanished — are
kept for ``PAIR_FRAMES`` analysed frames; a sighting of the same class in one
of those frames (or a new track's first) on the other side, within
``PAIR_REACH``, whose step crosses the segment, is the same truck crossing: a
crossing counted from the two ends of its step. Only the next frames: a
sighting seen since on its own side is that truck's newer place, and an end
left further back belongs to some other truck (two trucks passing each other
at the line swap IDs, and a stale end across the line would be counted as a
crossing nobody made).

A truck the detector boxes twice (its cab, and the whole truck) can carry two
IDs the tracker keeps apart; both cross. A crossing by a box that shares most
of its area with a truck that crossed the same way in the last ``PAIR_FRAMES``
frames is that truck again, and is not counted.
"""

from __future__ import annotations

import datetime as dt
import math

import msgspec

from mobile_contract.alerts import AlertKind, Severity
from mobile_contract.sites import CameraConfig, CountLine, DomainClass
from vision.rules.geometry import Point, crosses, side
from vision.types import AlertCandidate, Box, CrossingFacts, Detection, IncidentKey, Track

OUTBOUND, INBOUND = "outbound", "inbound"
HYSTERESIS = 0.01  # a point this close to the line (share of the frame) is on neither side yet
PAIR_FRAMES = 2  # an unexplained sighting waits this many analysed frames for its other end (one may miss it)
PAIR_S = 2.5  # and no longer than this (two samples at 1 Hz)
PAIR_REACH = 0.45  # the two ends of one truck's step are at most this far apart (share of the frame)
SAME_TRUCK = 0.5  # two boxes sharing this much of the smaller one's area are one truck


class _Loose(msgspec.Struct):
    """A sighting no track carried: what, where, on which side, when (and in which analysed frame)."""

    cls: DomainClass
    sign: float
    point: Point
    seen: dt.datetime
    frame: int


class _Side(msgspec.Struct):
    """The side of the line a track was last seen clearly on, where, and when (time, analysed frame) it was
    last seen at all."""

    cls: DomainClass
    sign: float
    point: Point
    seen: dt.datetime
    frame: int


class LineCounter:
    def __init__(self, camera: CameraConfig, line: CountLine, *, closed: bool, lost_s: float) -> None:
        self.key = IncidentKey(camera.id, AlertKind.HAUL_CROSSING, line.name)
        self.line = line
        self.closed = closed
        self.outbound = 0
        self.inbound = 0
        self.lost = dt.timedelta(seconds=lost_s)
        self._length = math.dist(line.a, line.b)
        self._sides: dict[int, _Side] = {}
        self._present: set[int] = set()
        self._loose: list[_Loose] = []
        self._crossings: dict[int, tuple[str, int, Box]] = {}  # track id → its last crossing: direction, frame, box
        self._frame = 0  # analysed frames so far

    def evaluate(
        self, tracks: list[Track], at: dt.datetime, untracked: list[Detection] | None = None
    ) -> list[AlertCandidate]:
        """This frame's crossings; ``untracked`` are detections the tracker did not (yet) carry."""
        trucks = [t for t in tracks if t.cls in self.line.classes]
        self._frame += 1
        self._loose = [x for x in self._loose if self._fresh(x, at)]
        self._note_vanished(trucks, at)
        found = []
        for track in trucks:
            direction = self._crossed(track, at)
            if direction is None and track.id not in self._present:  # a new ID may be an old truck's far end
                direction = self._pair(track, at, keep=False)
            found.append((track, direction))
        self._present = {t.id for t in trucks}
        for detection in untracked or []:
            if detection.cls in self.line.classes:
                ghost = Track(id=0, box=detection.box, cls=detection.cls, score=detection.score, moving=True)
                found.append((ghost, self._pair(ghost, at, keep=True)))
        self._sides = {tid: s for tid, s in self._sides.items() if at - s.seen <= self.lost}
        self._crossings = {tid: c for tid, c in self._crossings.items() if self._frame - c[1] <= PAIR_FRAMES}
        counted = [(t, d) for t, d in found if d and not self._again(t, d, trucks)]
        return [c for track, direction in counted if (c := self._count(track, direction, at))]

    def _again(self, track: Track, direction: str, trucks: list[Track]) -> bool:
        """Is this a truck that has just crossed, under another ID (its cab boxed apart from the whole)?"""
        now = {t.id: t.box for t in trucks}
        recent = [now.get(i, box) for i, (d, _, box) in self._crossings.items() if d == direction and i != track.id]
        if track.id:  # a detection no track carries has no ID to remember
            self._crossings[track.id] = (direction, self._frame, track.box)
        return any(_shared(track.box, box) >= SAME_TRUCK for box in recent)

    def _count(self, track: Track, direction: str, at: dt.datetime) -> AlertCandidate | None:
        self.outbound += direction == OUTBOUND
        self.inbound += direction == INBOUND
        return self._candidate(track, direction, at) if self.closed else None

    def _note_vanished(self, trucks: list[Track], at: dt.datetime) -> None:
        """A track gone since the last frame leaves its last clear place, for a new ID on the far side."""
        here = {t.id for t in trucks}
        for tid in self._present - here:
            known = self._sides.get(tid)
            if known is not None:
                self._remember(_Loose(known.cls, known.sign, known.point, known.seen, known.frame))

    def _fresh(self, loose: _Loose, at: dt.datetime) -> bool:
        """Could this waiting sighting still be one end of a step that ends in this frame?"""
        return self._frame - loose.frame <= PAIR_FRAMES and at - loose.seen <= dt.timedelta(seconds=PAIR_S)

    def _pair(self, sighting: Track, at: dt.datetime, *, keep: bool) -> str | None:
        """The crossing this sighting completes with an unexplained one of its class on the other side, if
        any; ``keep``: a sighting that completes none waits for its own other end."""
        point = sighting.box.anchor
        distance = side(self.line.a, self.line.b, point) / self._length
        if abs(distance) < HYSTERESIS:
            return None
        sign = math.copysign(1.0, distance)
        ends = [x for x in self._loose if x.cls is sighting.cls and x.sign != sign and self._spans(x.point, point)]
        if not ends:
            if keep:
                self._remember(_Loose(sighting.cls, sign, point, at, self._frame))
            return None
        self._loose.remove(min(ends, key=lambda x: math.dist(x.point, point)))
        return OUTBOUND if sign > 0 else INBOUND

    def _spans(self, p: Point, q: Point) -> bool:
        """Could p→q be one truck's step across the line between two samples?"""
        return math.dist(p, q) <= PAIR_REACH and crosses(p, q, self.line.a, self.line.b)

    def _remember(self, loose: _Loose) -> None:
        """One waiting sighting per truck: a newer one on the same side near an older one replaces it."""
        same = [
            x
            for x in self._loose
            if x.cls is loose.cls and x.sign == loose.sign and math.dist(x.point, loose.point) <= PAIR_REACH
        ]
        for old in same:
            self._loose.remove(old)
        self._loose.append(loose)

    def near(self, sightings: list[Track] | list[Detection], reach: float) -> bool:
        """A truck (tracked, or seen and not yet confirmed) within ``reach`` of the line segment: it may cross
        before long. Motion alone is not enough: dust, rain and people would hurry the camera for nothing."""
        points = [s.box.anchor for s in sightings if s.cls in self.line.classes]
        return any(_to_segment(p, self.line.a, self.line.b) <= reach for p in points)

    def _crossed(self, track: Track, at: dt.datetime) -> str | None:
        """A crossing once the ground point is clearly on the other side: jitter on the line is not traffic."""
        point = track.box.anchor
        distance = side(self.line.a, self.line.b, point) / self._length
        known = self._sides.get(track.id)
        if known is not None:
            known.seen, known.frame = at, self._frame
        if abs(distance) < HYSTERESIS:
            return None
        sign = math.copysign(1.0, distance)
        self._sides[track.id] = _Side(track.cls, sign, point, at, self._frame)
        if known is None or known.sign == sign or not crosses(known.point, point, self.line.a, self.line.b):
            return None
        return OUTBOUND if sign > 0 else INBOUND

    def _candidate(self, track: Track, direction: str, at: dt.datetime) -> AlertCandidate:
        word = "出场" if direction == OUTBOUND else "进场"
        return AlertCandidate(
            key=self.key,
            severity=Severity.CRITICAL,
            at=at,
            summary=f"关停点位运输车辆{word}（{self.line.name}：出场 {self.outbound}，进场 {self.inbound}）",
            facts=CrossingFacts(self.line.name, self.outbound, self.inbound, direction),
            tracks=[track],
            material=f"{self.outbound}/{self.inbound}",
        )


def _to_segment(p: Point, a: Point, b: Point) -> float:
    """Distance from ``p`` to the segment a→b."""
    ax, ay = b[0] - a[0], b[1] - a[1]
    t = max(0.0, min(1.0, ((p[0] - a[0]) * ax + (p[1] - a[1]) * ay) / (ax * ax + ay * ay or 1.0)))
    return math.dist(p, (a[0] + t * ax, a[1] + t * ay))


def _shared(a: Box, b: Box) -> float:
    """The share of the smaller box's area that lies in the other."""
    w = min(a.x2, b.x2) - max(a.x1, b.x1)
    h = min(a.y2, b.y2) - max(a.y1, b.y1)
    return max(w, 0.0) * max(h, 0.0) / max(min(a.area, b.area), 1e-9)
