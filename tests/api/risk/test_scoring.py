"""The risk rule term by term: points, caps, levels and draw weights."""

import pytest

from api.risk.scoring import DRAW_WEIGHTS, Signals, score
from mobile_contract.credit import CreditGrade
from mobile_contract.risk import RiskLevel


def signals(penalties: int = 0, complaints: int = 0, camera_alerts: int = 0, grade: str = "B") -> Signals:
    return Signals(penalties=penalties, complaints=complaints, camera_alerts=camera_alerts, grade=CreditGrade(grade))


@pytest.mark.parametrize(
    ("given", "total", "level"),
    [
        (signals(), 5, RiskLevel.LOW),
        (signals(grade="A"), 0, RiskLevel.LOW),
        (signals(penalties=1, grade="C"), 30, RiskLevel.MEDIUM),
        (signals(penalties=5), 45 + 5, RiskLevel.HIGH),
        (signals(complaints=9), 30 + 5, RiskLevel.MEDIUM),
        (signals(camera_alerts=4), 20 + 5, RiskLevel.MEDIUM),
        (signals(camera_alerts=40), 25 + 5, RiskLevel.MEDIUM),
        (signals(penalties=9, complaints=9, camera_alerts=9, grade="D"), 100, RiskLevel.HIGH),
    ],
)
def test_points_caps_and_levels(given: Signals, total: int, level: RiskLevel) -> None:
    assert score(given)[:2] == (total, level)


def test_parts_explain_the_total() -> None:
    total, _, parts = score(signals(penalties=2, complaints=1, camera_alerts=3, grade="C"))
    assert {p.factor: p.points for p in parts} == {"penalties": 30, "complaints": 10, "camera_alerts": 15, "credit": 15}
    assert total == sum(p.points for p in parts) == 70
    assert "行政处罚 2 次" in parts[0].explanation


def test_draw_weights_rise_with_risk() -> None:
    assert DRAW_WEIGHTS[RiskLevel.LOW] < DRAW_WEIGHTS[RiskLevel.MEDIUM] < DRAW_WEIGHTS[RiskLevel.HIGH]
