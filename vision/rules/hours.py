"""Machinery working in prohibited hours (禁止时段作业).

Only *working* machinery counts: an excavator parked in its pit overnight is
normal, one whose arm moves at 02:00 is not. Work must last ``min_active_s``
(pauses shorter than the track's lost time do not reset it).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from mobile_contract.alerts import AlertKind, Severity
from mobile_contract.sites import CLASS_NAMES, MACHINERY, CameraConfig, DomainClass, ProhibitedHours, SiteConfig
from vision.rules.dwell import DwellClock
from vision.types import AlertCandidate, HoursFacts, IncidentKey, Track


def window_label(window: ProhibitedHours) -> str:
    return f"{window.start:%H:%M}–{window.end:%H:%M}"


def in_window(local: dt.datetime, window: ProhibitedHours) -> bool:
    """``weekdays`` name the day a window starts on; a window past midnight ends the next morning."""
    now = local.time()
    if window.start <= window.end:
        return window.start <= now < window.end and local.isoweekday() in window.weekdays
    if now >= window.start:
        return local.isoweekday() in window.weekdays
    if now < window.end:
        return (local - dt.timedelta(days=1)).isoweekday() in window.weekdays
    return False


class ProhibitedHoursRule:
    def __init__(self, site: SiteConfig, camera: CameraConfig, *, min_active_s: float, lost_s: float) -> None:
        self.windows = site.prohibited_hours
        self.zone = zoneinfo.ZoneInfo(site.timezone)
        self.camera_id = camera.id
        self.min_active_s = min_active_s
        self.clock = DwellClock(lost_s)

    def evaluate(self, tracks: list[Track], at: dt.datetime) -> list[AlertCandidate]:
        local = at.astimezone(self.zone)
        window = next((w for w in self.windows if in_window(local, w)), None)
        working = [t for t in tracks if t.cls in MACHINERY and t.moving] if window else []
        entries = self.clock.observe(working, at)
        active = [t for t in working if (at - entries[t.id]).total_seconds() >= self.min_active_s]
        if window is None or not active:
            return []
        label = window_label(window)
        classes = sorted({t.cls.value for t in active})
        return [
            AlertCandidate(
                key=IncidentKey(self.camera_id, AlertKind.PROHIBITED_HOURS, label),
                severity=Severity.CRITICAL,
                at=at,
                summary=f"禁止作业时段（{label}）机械作业：{'、'.join(CLASS_NAMES[DomainClass(c)] for c in classes)}",
                facts=HoursFacts(window=label, local_time=local.isoformat(timespec="seconds"), classes=classes),
                tracks=active,
                material=",".join(str(t.id) for t in active),
                since=min(entries[t.id] for t in active),
            )
        ]
