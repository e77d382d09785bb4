"""The draw algorithm alone: reproducible, weighted as documented, never a conflicted inspector."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid

import msgspec
import numpy as np
import pytest

from api.draws import algorithm
from api.risk import scoring
from mobile_contract.credit import CreditGrade
from mobile_contract.draws import (
    ConflictReason,
    DrawConflict,
    DrawDocument,
    DrawInspector,
    DrawPlan,
    DrawTarget,
    PlanItem,
)
from mobile_contract.risk import RiskLevel
from tests.api.draws.subjects import make_uscc

DEPT_A, DEPT_B = uuid.UUID(int=1), uuid.UUID(int=2)
# Six targets with distinct weights 1, 2, 3, 4, 8, 16 (credit factor × risk factor).
PROFILES = [
    (CreditGrade.A, RiskLevel.LOW),
    (CreditGrade.B, RiskLevel.LOW),
    (CreditGrade.C, RiskLevel.LOW),
    (CreditGrade.D, RiskLevel.LOW),
    (CreditGrade.B, RiskLevel.HIGH),
    (CreditGrade.D, RiskLevel.HIGH),
]
# Pearson chi-square, 15 possible pairs → 14 degrees of freedom; upper 0.1 % point of χ²(14).
CHI2_CRITICAL_DF14_P001 = 36.123
SIMULATED_DRAWS = 10_000


def plan(*departments: uuid.UUID, per_target: int = 2) -> DrawPlan:
    return DrawPlan(
        id=uuid.UUID(int=99),
        title="2026年度矿山开采双随机抽查",
        department_id=departments[0],
        items=[PlanItem(department_id=d, item_code=f"3601010010000{i}") for i, d in enumerate(departments)],
        sampling_permille=334,
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 6, 30),
        inspectors_per_target=per_target,
        yearly_cap=1,
        required_skill=None,
    )


def targets() -> list[DrawTarget]:
    return [
        DrawTarget(
            uscc=make_uscc(i),
            name=f"石料厂{i}",
            credit_grade=grade,
            risk_level=risk,
            weight=algorithm.weight(grade, risk),
        )
        for i, (grade, risk) in enumerate(PROFILES)
    ]


def inspectors(department: uuid.UUID, count: int, start: int = 100) -> list[DrawInspector]:
    return [
        DrawInspector(user_id=uuid.UUID(int=start + i), department_id=department, certificate_no=f"C{start + i:06d}")
        for i in range(count)
    ]


def document(seed: str, conflicts: list[DrawConflict] | None = None) -> DrawDocument:
    the_plan, the_targets = plan(DEPT_A, DEPT_B), targets()
    people = inspectors(DEPT_A, 4) + inspectors(DEPT_B, 3, start=200)
    k = algorithm.sample_size(the_plan.sampling_permille, len(the_targets), len(the_targets))
    visits = algorithm.draw_visits(seed, the_plan, the_targets, people, conflicts or [], k)
    return DrawDocument(
        draw_id=uuid.UUID(int=7),
        algorithm=algorithm.ALGORITHM,
        seed=seed,
        drawn_at=dt.datetime(2026, 2, 20, 9, tzinfo=dt.UTC),
        plan=the_plan,
        population=len(the_targets),
        sample_size=k,
        capped=[],
        targets=the_targets,
        inspectors=people,
        conflicts=conflicts or [],
        visits=visits,
    )


def test_a_published_draw_reruns_to_the_same_result_from_its_json() -> None:
    published = msgspec.json.encode(document("0123456789abcdef0fedcba987654321"))
    received = msgspec.json.decode(published, type=DrawDocument)
    assert algorithm.rerun(received) == received.visits
    assert algorithm.digest(received) == algorithm.digest(document("0123456789abcdef0fedcba987654321"))
    other = document("ffffffffffffffffffffffffffffffff")
    assert other.visits != received.visits  # the seed matters


def test_rerun_refuses_a_document_whose_weights_were_edited() -> None:
    doc = document("00000000000000000000000000000001")
    edited = msgspec.structs.replace(doc, targets=[msgspec.structs.replace(doc.targets[0], weight=50)])
    with pytest.raises(ValueError, match="weight"):
        algorithm.rerun(edited)


def test_the_generator_is_plain_mt19937_so_other_implementations_reproduce_it() -> None:
    """numpy's RandomState seeded by init_by_array with the seed's 32-bit words gives the same stream."""
    seed = "9e3779b97f4a7c15f39cc0605cedc834"
    number = int(seed, 16)
    words = np.array([(number >> (32 * i)) & 0xFFFFFFFF for i in range(4)], dtype=np.uint32)
    ours = algorithm.generator(seed)
    theirs = np.random.RandomState(words)
    assert [ours.random() for _ in range(1000)] == theirs.random_sample(1000).tolist()


def test_the_risk_factors_are_the_risk_domains_draw_weights() -> None:
    """A change there must come with a new algorithm version, or published draws stop re-running."""
    assert algorithm.RISK_FACTOR == scoring.DRAW_WEIGHTS


def test_below_is_exact_integer_arithmetic_and_in_range() -> None:
    rng, twin = algorithm.generator("1" * 32), algorithm.generator("1" * 32)
    for n in (1, 2, 7, 10**6, 2**52):
        value = algorithm.below(rng, n)
        assert 0 <= value < n
        assert value == (int(twin.random() * 2**53) * n) >> 53


def pair_probabilities(weights: list[int]) -> dict[frozenset[int], float]:
    """The documented law for two successive picks: P{a,b} = wa/W·wb/(W−wa) + wb/W·wa/(W−wb)."""
    total = sum(weights)
    return {
        frozenset((a, b)): weights[a] / total * weights[b] / (total - weights[a])
        + weights[b] / total * weights[a] / (total - weights[b])
        for a, b in itertools.combinations(range(len(weights)), 2)
    }


def chi_square(observed: dict[frozenset[int], int], expected_p: dict[frozenset[int], float], n: int) -> float:
    return sum((observed.get(cell, 0) - n * p) ** 2 / (n * p) for cell, p in expected_p.items())


def test_selection_frequencies_match_the_documented_weights() -> None:
    the_plan, the_targets = plan(DEPT_A), targets()
    people = inspectors(DEPT_A, 2)
    index = {t.uscc: i for i, t in enumerate(the_targets)}
    counts: dict[frozenset[int], int] = {}
    for n in range(SIMULATED_DRAWS):
        visits = algorithm.draw_visits(f"{n:032x}", the_plan, the_targets, people, [], 2)
        cell = frozenset(index[v.uscc] for v in visits)
        counts[cell] = counts.get(cell, 0) + 1
    weights = [t.weight for t in the_targets]
    assert weights == [1, 2, 3, 4, 8, 16]
    statistic = chi_square(counts, pair_probabilities(weights), SIMULATED_DRAWS)
    assert statistic < CHI2_CRITICAL_DF14_P001, statistic
    # The test has power: the same counts are far from what equal weights would give.
    assert chi_square(counts, pair_probabilities([1] * 6), SIMULATED_DRAWS) > 10 * CHI2_CRITICAL_DF14_P001


def test_no_conflicted_inspector_is_ever_drawn() -> None:
    scenario = random.Random(2026)
    the_plan, the_targets = plan(DEPT_A, DEPT_B, per_target=2), targets()
    people = inspectors(DEPT_A, 5) + inspectors(DEPT_B, 4, start=200)
    for n in range(SIMULATED_DRAWS):
        conflicts = [
            DrawConflict(inspector_id=p.user_id, uscc=t.uscc, reason=ConflictReason.DECLARED)
            for t in the_targets
            for p in people
            if scenario.random() < 0.25
        ]
        try:
            visits = algorithm.draw_visits(f"{n:032x}", the_plan, the_targets, people, conflicts, 2)
        except algorithm.Understaffed:
            continue
        barred = {(c.inspector_id, c.uscc) for c in conflicts}
        for visit in visits:
            assert [team.department_id for team in visit.teams] == [DEPT_A, DEPT_B]
            for team in visit.teams:
                assert len(set(team.inspector_ids)) == 2
                assert not any((i, visit.uscc) in barred for i in team.inspector_ids)


def test_a_target_without_enough_free_inspectors_stops_the_draw_whatever_the_seed() -> None:
    the_targets = targets()
    people = inspectors(DEPT_A, 3)
    conflicts = [
        DrawConflict(inspector_id=p.user_id, uscc=the_targets[5].uscc, reason=ConflictReason.LAST_INSPECTION)
        for p in people[:2]
    ]
    for seed in ("0" * 32, "f" * 32):
        with pytest.raises(algorithm.Understaffed) as stopped:
            algorithm.draw_visits(seed, plan(DEPT_A), the_targets, people, conflicts, 1)
        assert (stopped.value.uscc, stopped.value.available) == (the_targets[5].uscc, 1)
