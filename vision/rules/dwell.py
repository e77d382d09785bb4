"""Machinery where it must not be (禁采区停留 / 超出许可范围作业).

Both rules ask one question: has a tracked object of the given classes
stood inside (or outside) an area longer than the dwell time? A track that
drops out for less than ``lost_s`` (the detector missed it once, a truck
drove in front) keeps its entry time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import msgspec

from mobile_contract.alerts import AlertKind, Severity
from mobile_contract.sites import CLASS_NAMES, MACHINERY, CameraConfig, ForbiddenZone, PermittedArea
from vision.rules.geometry import inside
from vision.types import AlertCandidate, DwellFacts, IncidentKey, Track

OUTSIDE = "许可范围外"  # zone name for machinery outside every permitted area


class _Stay(msgspec.Struct):
    entered: dt.datetime
    seen: dt.datetime


class DwellClock:
    """Per track: since when has it been in the area, tolerating short gaps."""

    def __init__(self, lost_s: float) -> None:
        self.lost = dt.timedelta(seconds=lost_s)
        self._stays: dict[int, _Stay] = {}

    def observe(self, tracks: Iterable[Track], at: dt.datetime) -> dict[int, dt.datetime]:
        """Entry time of every track seen in the area now."""
        entries = {}
        for track in tracks:
            stay = self._stays.get(track.id)
            if stay is None or at - stay.seen > self.lost:
                stay = self._stays[track.id] = _Stay(entered=at, seen=at)
            stay.seen = at
            entries[track.id] = stay.entered
        self._stays = {tid: s for tid, s in self._stays.items() if at - s.seen <= self.lost}
        return entries


def _candidate(
    key: IncidentKey, tracks: list[Track], entries: dict[int, dt.datetime], at: dt.datetime, facts: DwellFacts
) -> AlertCandidate:
    severity = Severity.CRITICAL
    names = "、".join(sorted({CLASS_NAMES[t.cls] for t in tracks}))
    summary = f"{facts.zone}：{names} 停留超过 {facts.dwell_s:.0f} 秒"
    if key.kind is AlertKind.OUTSIDE_PERMIT:
        summary = f"{facts.zone}：机械作业超出有效采矿许可（{names}）"
    return AlertCandidate(
        key=key,
        severity=severity,
        at=at,
        summary=summary,
        facts=facts,
        tracks=tracks,
        material=",".join(str(t.id) for t in sorted(tracks, key=lambda t: t.id)),
        since=min(entries[t.id] for t in tracks),
    )


class ForbiddenZoneRule:
    def __init__(self, camera: CameraConfig, zone: ForbiddenZone, *, lost_s: float) -> None:
        self.key = IncidentKey(camera.id, AlertKind.FORBIDDEN_ZONE, zone.name)
        self.zone = zone
        self.clock = DwellClock(lost_s)

    def evaluate(self, tracks: list[Track], at: dt.datetime) -> list[AlertCandidate]:
        present = [t for t in tracks if t.cls in self.zone.classes and inside(t.box.anchor, self.zone.polygon)]
        entries = self.clock.observe(present, at)
        dwelling = [t for t in present if (at - entries[t.id]).total_seconds() >= self.zone.dwell_s]
        if not dwelling:
            return []
        facts = DwellFacts(self.zone.name, self.zone.dwell_s, sorted({t.cls.value for t in dwelling}))
        return [_candidate(self.key, dwelling, entries, at, facts)]


class PermitRule:
    """Machinery must work inside a permitted area whose permit is valid today (local date)."""

    def __init__(self, camera: CameraConfig, areas: list[PermittedArea], *, lost_s: float) -> None:
        self.camera_id = camera.id
        self.areas = areas
        self.dwell_s = min(area.dwell_s for area in areas)
        self.clocks: dict[str, DwellClock] = {}
        self.lost_s = lost_s

    def evaluate(self, tracks: list[Track], at: dt.datetime, today: dt.date) -> list[AlertCandidate]:
        unlawful: dict[str, list[Track]] = {}
        for track in (t for t in tracks if t.cls in MACHINERY):
            place = self._unlawful_place(track, today)
            if place is not None:
                unlawful.setdefault(place, []).append(track)
        candidates = []
        for name, permit_no, dwell_s in self._places():
            present = unlawful.get(name, [])
            entries = self.clocks.setdefault(name, DwellClock(self.lost_s)).observe(present, at)
            dwelling = [t for t in present if (at - entries[t.id]).total_seconds() >= dwell_s]
            if dwelling:
                facts = DwellFacts(name, dwell_s, sorted({t.cls.value for t in dwelling}), permit_no)
                key = IncidentKey(self.camera_id, AlertKind.OUTSIDE_PERMIT, name)
                candidates.append(_candidate(key, dwelling, entries, at, facts))
        return candidates

    def _places(self) -> list[tuple[str, str | None, float]]:
        return [(OUTSIDE, None, self.dwell_s)] + [(a.name, a.permit_no, a.dwell_s) for a in self.areas]

    def _unlawful_place(self, track: Track, today: dt.date) -> str | None:
        """None if a valid permit covers the machine; else the area (expired permit) or OUTSIDE."""
        covering = [a for a in self.areas if inside(track.box.anchor, a.polygon)]
        if not covering:
            return OUTSIDE
        if any(a.valid_from <= today <= a.valid_to for a in covering):
            return None
        return covering[0].name
