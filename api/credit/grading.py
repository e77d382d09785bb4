"""The credit grade rule (信用等级评定规则), one pure function so it can be read, tested and cited.

Score = 80 (baseline, a subject with no facts is B) plus the points of every
active fact still in its window, positives capped at +20, clamped to 0–100.
Windows follow the publication periods of penalty information in
《失信行为纠正后的信用信息修复管理办法（试行）》(国家发展改革委令2023年第58号):
one year for ordinary facts, three years for serious ones.

| fact | points | counts for |
| --- | --- | --- |
| 行政处罚 penalty | −15 (serious −40) | 1 year (serious 3 years) |
| 检查发现问题 inspection failed | −10 (serious −20) | 1 year (serious 3 years) |
| 投诉举报查实 complaint upheld | −10 (serious −20) | 1 year (serious 3 years) |
| 违背承诺 commitment broken | −30 (serious −40) | 3 years |
| 检查未发现问题 inspection passed | +5 | 1 year |
| 承诺属实 commitment kept | +5 | 1 year |
| 行政许可 licence | 0 | — |

Grade: A ≥ 90, B ≥ 70, C ≥ 50, else D. On the abnormal list (经营异常名录)
the grade is at most C; on the blacklist (严重违法失信名单) it is D.
Corrected (异议成立) and repaired (信用修复) facts do not count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import msgspec

from mobile_contract.credit import CreditFactKind, CreditGrade, CreditList, GradePart

BASELINE = 80
POSITIVE_CAP = 20
YEAR = 365
THRESHOLDS = ((90, CreditGrade.A), (70, CreditGrade.B), (50, CreditGrade.C))


class Rule(msgspec.Struct, frozen=True):
    label: str
    points: int
    serious_points: int
    days: int
    serious_days: int


RULES = {
    CreditFactKind.PENALTY: Rule("行政处罚", -15, -40, YEAR, 3 * YEAR),
    CreditFactKind.INSPECTION_FAILED: Rule("检查发现问题", -10, -20, YEAR, 3 * YEAR),
    CreditFactKind.COMPLAINT_UPHELD: Rule("投诉举报查实", -10, -20, YEAR, 3 * YEAR),
    CreditFactKind.COMMITMENT_BROKEN: Rule("违背告知承诺", -30, -40, 3 * YEAR, 3 * YEAR),
    CreditFactKind.INSPECTION_PASSED: Rule("检查未发现问题", 5, 5, YEAR, YEAR),
    CreditFactKind.COMMITMENT_KEPT: Rule("告知承诺属实", 5, 5, YEAR, YEAR),
}


class Fact(msgspec.Struct, frozen=True):
    """An active credit record as the rule sees it."""

    kind: CreditFactKind
    serious: bool
    decided_on: dt.date


class Grade(msgspec.Struct, frozen=True):
    grade: CreditGrade
    score: int
    parts: list[GradePart]
    changes_on: dt.date | None


def _window(fact: Fact) -> tuple[dt.date, dt.date] | None:
    """First and last day the fact counts, or None for facts that never count."""
    rule = RULES.get(fact.kind)
    if rule is None:
        return None
    days = rule.serious_days if fact.serious else rule.days
    return fact.decided_on, fact.decided_on + dt.timedelta(days=days - 1)


def _parts(counted: list[Fact]) -> list[GradePart]:
    groups: dict[tuple[CreditFactKind, bool], int] = {}
    for fact in counted:
        groups[fact.kind, fact.serious] = groups.get((fact.kind, fact.serious), 0) + 1
    parts = []
    for (kind, serious), count in sorted(groups.items()):
        rule = RULES[kind]
        each = rule.serious_points if serious else rule.points
        label = ("严重" if serious and each < 0 else "") + rule.label
        explanation = (
            f"{label} {count} 次，每次 {each:+d} 分（{(rule.serious_days if serious else rule.days) // YEAR} 年内）"
        )
        parts.append(
            GradePart(
                factor=f"{kind}{'_serious' if serious else ''}",
                count=count,
                points=each * count,
                explanation=explanation,
            )
        )
    return parts


def _capped(parts: list[GradePart]) -> int:
    gains = sum(p.points for p in parts if p.points > 0)
    return sum(p.points for p in parts if p.points < 0) + min(gains, POSITIVE_CAP)


def _list_part(lists: set[CreditList]) -> list[GradePart]:
    if CreditList.BLACKLIST in lists:
        return [GradePart(factor="blacklist", count=1, points=0, explanation="列入严重违法失信名单：等级为 D")]
    if CreditList.ABNORMAL in lists:
        return [GradePart(factor="abnormal", count=1, points=0, explanation="列入经营异常名录：等级至多为 C")]
    return []


def _letter(score: int, lists: set[CreditList]) -> CreditGrade:
    if CreditList.BLACKLIST in lists:
        return CreditGrade.D
    letter = next((g for floor, g in THRESHOLDS if score >= floor), CreditGrade.D)
    if CreditList.ABNORMAL in lists and letter in (CreditGrade.A, CreditGrade.B):
        return CreditGrade.C
    return letter


def grade(facts: Iterable[Fact], lists: set[CreditList], as_of: dt.date) -> Grade:
    """The grade on ``as_of`` from active facts and the lists the subject is on now."""
    windows = [(f, w) for f in facts if (w := _window(f)) is not None]
    counted = [f for f, (first, last) in windows if first <= as_of <= last]
    # The next day the grade may change by itself: a fact comes into force or ages out.
    changes = [first for _, (first, _) in windows if first > as_of] + [
        last + dt.timedelta(days=1) for _, (first, last) in windows if last >= as_of
    ]
    parts = _parts(counted)
    score = max(0, min(100, BASELINE + _capped(parts)))
    return Grade(
        grade=_letter(score, lists), score=score, parts=parts + _list_part(lists), changes_on=min(changes, default=None)
    )
