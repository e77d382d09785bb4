"""Risk scores per subject and the key-supervision list (风险预警、重点监管).

Other domains call ``scores`` (a random draw weights its targets by
``RiskScore.draw_weight`` or ``level``); the rule itself is api/risk/scoring.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from api.auth.principal import Principal
from api.credit.service import LOCAL_TZ, current_grades, today
from api.risk import scoring
from api.subjects.service import visible_subject
from mobile_contract.credit import CreditGrade
from mobile_contract.risk import KeySubject, RiskLevel, RiskScore
from storage import risk, subjects
from storage.db import Connection


async def scores(
    conn: Connection, subject_ids: Sequence[uuid.UUID], as_of: dt.date | None = None
) -> dict[uuid.UUID, RiskScore]:
    """The risk score of each subject on ``as_of`` (default today), with its parts."""
    day = as_of or today()
    grades = await current_grades(conn, subject_ids)
    facts = {
        (r["subject_id"], r["kind"]): r["n"]
        for r in await risk.credit_signals(
            conn, subject_ids=subject_ids, since=day - dt.timedelta(days=scoring.FACT_DAYS - 1), until=day
        )
    }
    alerts_since = dt.datetime.combine(day - dt.timedelta(days=scoring.ALERT_DAYS - 1), dt.time(), LOCAL_TZ)
    alerts = await risk.alert_signals(
        conn, subject_ids=subject_ids, since=alerts_since, kinds=sorted(scoring.ALERT_KINDS)
    )
    found = {}
    for id in subject_ids:
        signals = scoring.Signals(
            penalties=facts.get((id, "penalty"), 0),
            complaints=facts.get((id, "complaint_upheld"), 0),
            camera_alerts=alerts.get(id, 0),
            grade=grades[id].grade,
        )
        total, level, parts = scoring.score(signals)
        found[id] = RiskScore(
            subject_id=id, score=total, level=level, draw_weight=scoring.DRAW_WEIGHTS[level], parts=parts, as_of=day
        )
    return found


async def score_of(conn: Connection, principal: Principal, subject_id: uuid.UUID) -> RiskScore:
    await visible_subject(conn, principal, subject_id)
    return (await scores(conn, [subject_id]))[subject_id]


async def key_subjects(conn: Connection, principal: Principal) -> list[KeySubject]:
    """重点监管名单: subjects of the caller's register at high risk or with grade D, riskiest first."""
    register = await subjects.list_for_department(conn, department_id=principal.department_scope)
    ids = [r["id"] for r in register]
    risks, grades = await scores(conn, ids), await current_grades(conn, ids)
    listed = []
    for row in register:
        reasons = _reasons(risks[row["id"]], grades[row["id"]].grade)
        if reasons:
            listed.append(
                KeySubject(
                    subject_id=row["id"],
                    key=row["key"],
                    name=row["name"],
                    grade=grades[row["id"]].grade,
                    risk=risks[row["id"]],
                    reasons=reasons,
                )
            )
    return sorted(listed, key=lambda k: (-k.risk.score, k.key))


def _reasons(score: RiskScore, grade: CreditGrade) -> list[str]:
    reasons = []
    if score.level is RiskLevel.HIGH:
        reasons.append(f"高风险（{score.score} 分）")
    if grade is CreditGrade.D:
        reasons.append("信用等级 D（严重失信）")
    return reasons
