"""Rules (告警规则): what a camera's tracks and pixels mean for a site.

``CameraRules.evaluate(frame, tracks, motion)`` returns this frame's alert
candidates; ``CameraRules.silence(silence)`` those of a camera gone quiet.
Each rule lives in its own module: ``dwell`` (forbidden zone, permit),
``hours`` (prohibited hours), ``crossing`` (haul-road count line),
``landform`` and ``tamper``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from mobile_contract.sites import CameraConfig, CountLine, ForbiddenZone, LandformZone, PermittedArea, SiteConfig
from vision.config import RuleTuning, TamperConfig
from vision.rules.crossing import LineCounter
from vision.rules.dwell import ForbiddenZoneRule, PermitRule
from vision.rules.hours import ProhibitedHoursRule
from vision.rules.landform import LandformRule
from vision.rules.tamper import UNUSABLE, TamperMonitor, tamper_candidate
from vision.sources import Silence
from vision.types import AlertCandidate, Detection, Frame, Motion, TamperFacts, TamperKind, Track


class CameraRules:
    """Every rule that applies to one camera of one site."""

    def __init__(self, site: SiteConfig, camera: CameraConfig, *, tuning: RuleTuning, tamper: TamperConfig) -> None:
        lost = tuning.track_lost_s
        self.camera = camera
        self.zone = zoneinfo.ZoneInfo(site.timezone)
        zones = camera.zones
        self.forbidden = [ForbiddenZoneRule(camera, z, lost_s=lost) for z in zones if isinstance(z, ForbiddenZone)]
        areas = [z for z in zones if isinstance(z, PermittedArea)]
        self.permit = PermitRule(camera, areas, lost_s=lost) if areas else None
        self.hours = ProhibitedHoursRule(site, camera, min_active_s=tuning.min_active_s, lost_s=lost)
        self.lines = [
            LineCounter(camera, z, closed=site.closed, lost_s=lost) for z in zones if isinstance(z, CountLine)
        ]
        self.landform = [
            LandformRule(camera, z, every_s=tuning.landform_every_s, threshold=tuning.landform_threshold)
            for z in zones
            if isinstance(z, LandformZone)
        ]
        self.tamper = TamperMonitor(camera.id, tamper)
        self._last_at: dt.datetime | None = None

    def set_reference(self, frame: Frame) -> None:
        """The landform reference view (a surveyed image), instead of the first frame seen."""
        for rule in self.landform:
            rule.set_reference(frame)

    def evaluate(
        self, frame: Frame, tracks: list[Track], motion: Motion, untracked: list[Detection] | None = None
    ) -> list[AlertCandidate]:
        """This frame's candidates; ``untracked`` (detections no track took yet) let a count line pair the two
        ends of a fast truck's step across it."""
        at = frame.at
        dt_s = (at - self._last_at).total_seconds() if self._last_at else 0.0
        self._last_at = at
        held = self.tamper.evaluate(frame.grey, frame.contrast, at, dt_s, motion.mask)
        candidates = [tamper_candidate(self.camera.id, facts, at, since=since) for facts, since in held.values()]
        if UNUSABLE & held.keys():
            return candidates  # covered or frozen: the picture proves nothing else, and the alert says so
        for rule in self.forbidden:
            candidates += rule.evaluate(tracks, at)
        if self.permit is not None:
            candidates += self.permit.evaluate(tracks, at, at.astimezone(self.zone).date())
        candidates += self.hours.evaluate(tracks, at)
        for line in self.lines:
            candidates += line.evaluate(tracks, at, untracked)
        if TamperKind.MOVED not in held:  # landform compares pixels with a reference taken from the old view
            for landform in self.landform:
                candidates += landform.evaluate(frame, tracks)
        return candidates

    def silence(self, silence: Silence, origin: dt.datetime) -> list[AlertCandidate]:
        """No frames for ``offline_after_s`` or more: the camera is offline from its last frame."""
        quiet_s = silence.until_s - silence.since_s
        if quiet_s < self.camera.offline_after_s:
            return []
        facts = TamperFacts(TamperKind.OFFLINE, round(quiet_s, 1), self.camera.offline_after_s, suspends_rules=True)
        since = origin + dt.timedelta(seconds=silence.since_s)
        return [tamper_candidate(self.camera.id, facts, silence.at, since=since)]

    def near_line(self, tracks: list[Track], untracked: list[Detection], reach: float) -> bool:
        """Is a truck, tracked or just seen, about to reach one of the camera's count lines?"""
        return any(line.near(tracks, reach) or line.near(untracked, reach) for line in self.lines)

    def counts(self) -> dict[str, tuple[int, int]]:
        """Outbound and inbound crossings per count line so far."""
        return {line.line.name: (line.outbound, line.inbound) for line in self.lines}
