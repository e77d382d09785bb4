"""The risk score rule (风险评分规则), one pure function so it can be read, tested and cited.

| part | points | cap | counted over |
| --- | --- | --- | --- |
| penalties 行政处罚 (active credit records) | 15 each | 45 | last 365 days |
| complaints upheld 投诉举报查实 (active credit records) | 10 each | 30 | last 365 days |
| camera alerts 视频预警 at the subject's permitted sites | 5 each | 25 | last 90 days |
| credit grade 信用等级 | A 0, B 5, C 15, D 30 | — | now |

Score = sum, at most 100. Level: high ≥ 50, medium ≥ 25, else low. The
draw weight from risk is 1 (low), 2 (medium) or 4 (high); seed 002 (三.3)
asks that poor credit and high risk raise the chance of a random check, and
the draw multiplies this by its credit factor. Camera alerts closed as no
violation, false alarm or device fault do not count, nor do camera-health
alerts (offline, defocused, frozen), which say nothing about the subject.
"""

from __future__ import annotations

import msgspec

from mobile_contract.alerts import AlertKind
from mobile_contract.credit import CreditGrade
from mobile_contract.risk import RiskLevel, RiskPart

FACT_DAYS = 365
ALERT_DAYS = 90
ALERT_KINDS = frozenset(AlertKind) - {
    AlertKind.CAMERA_OFFLINE,
    AlertKind.CAMERA_DEFOCUSED,
    AlertKind.CAMERA_FROZEN,
    AlertKind.CAMERA_UNWATCHED,
}
GRADE_POINTS = {CreditGrade.A: 0, CreditGrade.B: 5, CreditGrade.C: 15, CreditGrade.D: 30}
LEVELS = ((50, RiskLevel.HIGH), (25, RiskLevel.MEDIUM))
DRAW_WEIGHTS = {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 4}


class Counted(msgspec.Struct, frozen=True):
    factor: str
    label: str
    each: int
    cap: int
    days: int


COUNTED = (
    Counted("penalties", "行政处罚", 15, 45, FACT_DAYS),
    Counted("complaints", "投诉举报查实", 10, 30, FACT_DAYS),
    Counted("camera_alerts", "视频预警", 5, 25, ALERT_DAYS),
)


class Signals(msgspec.Struct, frozen=True, kw_only=True):
    """What the score is computed from, for one subject."""

    penalties: int
    complaints: int
    camera_alerts: int
    grade: CreditGrade


def parts(signals: Signals) -> list[RiskPart]:
    found = []
    for rule in COUNTED:
        count = getattr(signals, rule.factor)
        points = min(count * rule.each, rule.cap)
        found.append(
            RiskPart(
                factor=rule.factor,
                count=count,
                points=points,
                explanation=f"近{rule.days}天{rule.label} {count} 次，每次 {rule.each} 分，上限 {rule.cap} 分",
            )
        )
    grade_points = GRADE_POINTS[signals.grade]
    found.append(
        RiskPart(
            factor="credit", count=1, points=grade_points, explanation=f"信用等级 {signals.grade}：{grade_points} 分"
        )
    )
    return found


def score(signals: Signals) -> tuple[int, RiskLevel, list[RiskPart]]:
    """(score 0–100, level, parts)."""
    found = parts(signals)
    total = min(100, sum(p.points for p in found))
    level = next((lvl for floor, lvl in LEVELS if total >= floor), RiskLevel.LOW)
    return total, level, found
