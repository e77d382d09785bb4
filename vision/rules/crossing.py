"""Haul-road count line (运输车辆计数线).

A tracked truck whose ground point moves across the line segment is counted
once per crossing, outbound (出场) when it goes from the left of a→b to its
right, inbound (进场) otherwise. At a closed site (停产/关停) any crossing is
an alert; a run of crossings is one incident whose counts grow.
"""

from __future__ import annotations

import datetime as dt

from mobile_contract.alerts import AlertKind, Severity
from mobile_contract.sites import CameraConfig, CountLine
from vision.rules.geometry import Point, crosses, side
from vision.types import AlertCandidate, CrossingFacts, IncidentKey, Track

OUTBOUND, INBOUND = "outbound", "inbound"


class LineCounter:
    def __init__(self, camera: CameraConfig, line: CountLine, *, closed: bool, lost_s: float) -> None:
        self.key = IncidentKey(camera.id, AlertKind.HAUL_CROSSING, line.name)
        self.line = line
        self.closed = closed
        self.outbound = 0
        self.inbound = 0
        self.lost = dt.timedelta(seconds=lost_s)
        self._last: dict[int, tuple[Point, dt.datetime]] = {}  # track → ground point, when seen

    def evaluate(self, tracks: list[Track], at: dt.datetime) -> list[AlertCandidate]:
        candidates = []
        for track in (t for t in tracks if t.cls in self.line.classes):
            point, before = track.box.anchor, self._last.get(track.id)
            self._last[track.id] = (point, at)
            if before is None or not crosses(before[0], point, self.line.a, self.line.b):
                continue
            direction = OUTBOUND if side(self.line.a, self.line.b, point) > 0 else INBOUND
            self.outbound += direction == OUTBOUND
            self.inbound += direction == INBOUND
            if self.closed:
                candidates.append(self._candidate(track, direction, at))
        self._last = {tid: seen for tid, seen in self._last.items() if at - seen[1] <= self.lost}
        return candidates

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
