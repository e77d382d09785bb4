"""The draw (随机抽取), exactly reproducible from its seed and ordered inputs.

Algorithm ``successive-pps/mt19937/v1``, precisely (so it can be re-implemented):

1. Generator: Python's ``random.Random(int(seed, 16))`` — MT19937 seeded by
   ``init_by_array`` with the seed's 32-bit words, least significant first —
   and only its ``random()`` method, whose output Python guarantees stable
   across versions: ``(a >> 5) * 2**26 + (b >> 6)`` over ``2**53`` for two
   consecutive 32-bit outputs ``a``, ``b``.
2. ``below(n)``: one ``random()`` value ``U``; ``j = U * 2**53`` (an exact
   integer); result ``(j * n) >> 53`` — integer arithmetic only, no library
   maths, so every platform gets the same bits.
3. Weights: ``weight = CREDIT_FACTOR[credit_grade] * RISK_FACTOR[risk_level]``
   (A 1, B 2, C 3, D 4; low 1, medium 2, high 4). The tables belong to the
   algorithm's version: changing them needs a new ``ALGORITHM`` name, or
   published draws would no longer re-run.
4. Targets: ``k`` successive picks without replacement from ``targets`` in
   published order (by USCC). Each pick draws ``r = below(W)``, ``W`` the
   sum of the remaining weights, and takes the first remaining target whose
   running weight sum exceeds ``r``. So each pick takes a remaining target
   with probability ``weight / W`` (the distribution Efraimidis–Spirakis keys
   give; this form avoids ``pow``/``log``, whose last bit varies by platform).
5. Inspectors: for each visit in pick order, for each department in the
   plan's order, pick ``inspectors_per_target`` from that department's
   inspectors in published order, minus those in conflict with the target,
   by the same successive picking with every weight 1.
6. Before any pick, every target must have enough conflict-free inspectors
   in every department, else the draw stops (``Understaffed``): a target is
   never silently dropped, so the check does not depend on the seed.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Sequence

import msgspec

from mobile_contract.credit import CreditGrade
from mobile_contract.draws import DrawConflict, DrawDocument, DrawInspector, DrawPlan, DrawTarget, Team, Visit
from mobile_contract.risk import RiskLevel

ALGORITHM = "successive-pps/mt19937/v1"
CREDIT_FACTOR = {CreditGrade.A: 1, CreditGrade.B: 2, CreditGrade.C: 3, CreditGrade.D: 4}
RISK_FACTOR = {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 4}  # as api.risk.scoring.DRAW_WEIGHTS
_TWO_53 = 2**53


class Understaffed(Exception):
    """A target lacks conflict-free inspectors in a department (检查人员不足)."""

    def __init__(self, uscc: str, department_id: uuid.UUID, available: int, needed: int) -> None:
        super().__init__(f"{uscc}: {available} of {needed} inspectors available in {department_id}")
        self.uscc, self.department_id, self.available, self.needed = uscc, department_id, available, needed


def weight(credit_grade: CreditGrade, risk_level: RiskLevel) -> int:
    """抽取权重: worse credit and higher risk, higher chance."""
    return CREDIT_FACTOR[credit_grade] * RISK_FACTOR[risk_level]


def sample_size(permille: int, population: int, eligible: int) -> int:
    """⌈permille × population / 1000⌉ in integers, at most the number still eligible (under the yearly cap)."""
    return min(-(-permille * population // 1000), eligible)


def generator(seed: str) -> random.Random:
    return random.Random(int(seed, 16))  # noqa: S311 - reproducibility is the point; the seed is public


def below(rng: random.Random, n: int) -> int:
    """A uniform integer in [0, n) from one ``random()`` value, by exact integer arithmetic."""
    return (int(rng.random() * _TWO_53) * n) >> 53


def pick(rng: random.Random, weights: Sequence[int], k: int) -> list[int]:
    """Indices of ``k`` successive weighted picks without replacement."""
    remaining = list(range(len(weights)))
    chosen: list[int] = []
    for _ in range(k):
        r = below(rng, sum(weights[i] for i in remaining))
        for position, index in enumerate(remaining):
            r -= weights[index]
            if r < 0:
                chosen.append(remaining.pop(position))
                break
    return chosen


def draw_visits(
    seed: str,
    plan: DrawPlan,
    targets: Sequence[DrawTarget],
    inspectors: Sequence[DrawInspector],
    conflicts: Sequence[DrawConflict],
    k: int,
) -> list[Visit]:
    """Pick ``k`` targets, then a team per department for each; see the module docstring."""
    pools = _eligible_pools(plan, targets, inspectors, conflicts)
    rng = generator(seed)
    picked = [targets[i] for i in pick(rng, [weight(t.credit_grade, t.risk_level) for t in targets], k)]
    visits = []
    for target in picked:
        teams = []
        for department_id, pool in pools[target.uscc]:
            chosen = pick(rng, [1] * len(pool), plan.inspectors_per_target)
            teams.append(Team(department_id=department_id, inspector_ids=[pool[i] for i in chosen]))
        visits.append(Visit(uscc=target.uscc, name=target.name, teams=teams))
    return visits


def departments(plan: DrawPlan) -> list[uuid.UUID]:
    """The plan's departments in first-mentioned order: the order teams are drawn in."""
    return list(dict.fromkeys(item.department_id for item in plan.items))


def _eligible_pools(
    plan: DrawPlan,
    targets: Sequence[DrawTarget],
    inspectors: Sequence[DrawInspector],
    conflicts: Sequence[DrawConflict],
) -> dict[str, list[tuple[uuid.UUID, list[uuid.UUID]]]]:
    """Per target, per department: the conflict-free inspectors, in published order."""
    barred = {(c.inspector_id, c.uscc) for c in conflicts}
    pools: dict[str, list[tuple[uuid.UUID, list[uuid.UUID]]]] = {}
    for target in targets:
        pools[target.uscc] = []
        for department_id in departments(plan):
            pool = [
                i.user_id
                for i in inspectors
                if i.department_id == department_id and (i.user_id, target.uscc) not in barred
            ]
            if len(pool) < plan.inspectors_per_target:
                raise Understaffed(target.uscc, department_id, len(pool), plan.inspectors_per_target)
            pools[target.uscc].append((department_id, pool))
    return pools


def digest(document: DrawDocument) -> str:
    """SHA-256 of the document's canonical JSON (keys sorted, msgspec's encoding)."""
    return hashlib.sha256(msgspec.json.encode(document, order="sorted")).hexdigest()


def rerun(document: DrawDocument) -> list[Visit]:
    """Recompute a published draw's visits from its seed and inputs alone; ValueError if inconsistent."""
    if document.algorithm != ALGORITHM:
        raise ValueError(f"unknown algorithm {document.algorithm!r}")
    for target in document.targets:
        if target.weight != weight(target.credit_grade, target.risk_level):
            raise ValueError(f"{target.uscc}: weight {target.weight} does not follow the published formula")
    if document.population != len(document.targets) + len(document.capped):
        raise ValueError("population is not the eligible targets plus the capped ones")
    if document.sample_size != sample_size(document.plan.sampling_permille, document.population, len(document.targets)):
        raise ValueError("sample size does not follow from the sampling ratio")
    return draw_visits(
        document.seed, document.plan, document.targets, document.inspectors, document.conflicts, document.sample_size
    )
