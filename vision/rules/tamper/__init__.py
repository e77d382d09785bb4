"""Camera tamper (摄像头遮挡、失焦、移位、冻结、离线): told apart by kind, from frame statistics.

- covered: the picture is uniform, or most of the cells that had texture lost it *and* their broad
  shapes (a cloth, a hand, tape, a dead IR illuminator at night; a cover over half the lens counts);
- defocused: fine detail fell against mid-scale edges, relative to a sharpness baseline that cannot sink
  with a slow blur (``monitor``);
- moved: the static background's features moved, rotated or scaled by more than ``moved_px`` at a
  frame corner (``alignment``);
- frozen: the picture is the same as a second or more ago (a live scene always has sensor noise;
  consecutive frames of a video are compared at that distance because an encoder smooths noise from one
  frame to the next);
- offline: no frames at all, from the source's silence (``CameraRules.silence``).

Lamps (headlights, work lamps, torches) are masked out of every measure (``picture``). Covered, frozen and
offline make the picture unusable: while one of them holds, a camera's other rules are suspended and the
alert says so. Defocused and moved are raised without suspending anything.
"""

from __future__ import annotations

import datetime as dt

from mobile_contract.alerts import AlertKind, Severity
from vision.rules.tamper.monitor import UNUSABLE, Readings, TamperMonitor
from vision.types import AlertCandidate, IncidentKey, TamperFacts, TamperKind

KINDS = {
    TamperKind.COVERED: (AlertKind.CAMERA_COVERED, Severity.CRITICAL, "摄像头画面被遮挡"),
    TamperKind.DEFOCUSED: (AlertKind.CAMERA_DEFOCUSED, Severity.WARNING, "摄像头画面失焦模糊"),
    TamperKind.MOVED: (AlertKind.CAMERA_MOVED, Severity.CRITICAL, "摄像头视角被移动"),
    TamperKind.FROZEN: (AlertKind.CAMERA_FROZEN, Severity.WARNING, "摄像头画面冻结"),
    TamperKind.OFFLINE: (AlertKind.CAMERA_OFFLINE, Severity.CRITICAL, "摄像头离线，无视频"),
}
SUSPENDED = "，画面不可用，其他规则暂停"  # what an unusable picture's alert adds to its summary
RUNNING = "，其他规则照常运行"


def tamper_candidate(
    camera_id: str, facts: TamperFacts, at: dt.datetime, *, since: dt.datetime | None = None
) -> AlertCandidate:
    alert_kind, severity, summary = KINDS[facts.tamper]
    return AlertCandidate(
        key=IncidentKey(camera_id, alert_kind),
        severity=severity,
        at=at,
        summary=summary + (SUSPENDED if facts.suspends_rules else RUNNING),
        facts=facts,
        since=since,
    )


__all__ = ["KINDS", "UNUSABLE", "Readings", "TamperMonitor", "tamper_candidate"]
