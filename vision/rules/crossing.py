"""Haul-road count line (运输车辆计数线).

A tracked truck whose ground point moves across the line segment, from
clearly one side to clearly the other, is counted once per crossing,
outbound (出场) when it goes from the left of a→b to its
right, inbound (进场) otherwise. At a closed site (停产/关停) any crossing is
an alert; a run of crossings is one incident whose counts grow.
"""

from __future__ import annotations

import datetime as dt
import math

import msgspec

from mobile_contract.alerts import AlertKind, Severity
from mobile_contract.sites import CameraConfig, CountLine
from vision.rules.geometry import Point, crosses, side
from vision.types import AlertCandidate, CrossingFacts, IncidentKey, Track

OUTBOUND, INBOUND = "outbound", "inbound"
HYSTERESIS = 0.01  # a point this close to the line (share of the frame) is on neither side yet


class _Side(msgspec.Struct):
    """The side of the line a track was last seen clearly on, where, and when it was last seen at all."""

    sign: float
    point: Point
    seen: dt.datetime


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

    def evaluate(self, tracks: list[Track], at: dt.datetime) -> list[AlertCandidate]:
        candidates = []
        for track in (t for t in tracks if t.cls in self.line.classes):
            direction = self._crossed(track, at)
            if direction is None:
                continue
            self.outbound += direction == OUTBOUND
            self.inbound += direction == INBOUND
            if self.closed:
                candidates.append(self._candidate(track, direction, at))
        self._sides = {tid: s for tid, s in self._sides.items() if at - s.seen <= self.lost}
        return candidates

    def _crossed(self, track: Track, at: dt.datetime) -> str | None:
        """A crossing once the ground point is clearly on the other side: jitter on the line is not traffic."""
        point = track.box.anchor
        distance = side(self.line.a, self.line.b, point) / self._length
        known = self._sides.get(track.id)
        if known is not None:
            known.seen = at
        if abs(distance) < HYSTERESIS:
            return None
        sign = math.copysign(1.0, distance)
        self._sides[track.id] = _Side(sign, point, at)
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
