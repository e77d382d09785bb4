"""Whether a proposed penalty stays inside the published benchmark (裁量基准, 第三十四条)."""

from __future__ import annotations

from mobile_contract.discretion import Benchmark, BenchmarkEntry
from mobile_contract.records import PenaltyKind
from mobile_contract.workflow import PenaltyProposal, Refusal

CIRCUMSTANCE_ZH = {"minor": "轻微", "ordinary": "一般", "serious": "严重"}


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f} 元"


def entry_for(benchmark: Benchmark, penalty: PenaltyProposal) -> BenchmarkEntry | None:
    for entry in benchmark.entries:
        if (entry.violation_code, entry.circumstance) == (penalty.violation_code, penalty.circumstance):
            return entry
    return None


def deviation(penalty: PenaltyProposal, benchmark: Benchmark | None) -> Refusal | None:
    """Why ``penalty`` leaves the benchmark, or None; no published benchmark means nothing to leave."""
    if benchmark is None:
        return None
    version = benchmark.summary.version
    entry = entry_for(benchmark, penalty)
    if entry is None:
        circumstance = CIRCUMSTANCE_ZH[penalty.circumstance.value]
        return Refusal(
            "discretion-unknown-violation",
            f"裁量基准（第 {version} 版）没有违法行为“{penalty.violation_code}”{circumstance}情节的规定",
            f"benchmark v{version} has no row for {penalty.violation_code}/{penalty.circumstance}",
        )
    if problems := _outside(penalty, entry):
        return Refusal(
            "discretion-out-of-range",
            f"拟处罚超出裁量基准（第 {version} 版）：{'；'.join(problems)}",
            f"penalty outside benchmark v{version} row {entry.violation_code}/{entry.circumstance}",
        )
    return None


def _outside(penalty: PenaltyProposal, entry: BenchmarkEntry) -> list[str]:
    problems = []
    if extra := sorted(set(penalty.kinds) - set(entry.kinds)):
        problems.append(f"基准不允许的处罚种类 {', '.join(extra)}")
    fined = PenaltyKind.FINE in penalty.kinds and PenaltyKind.FINE in entry.kinds
    if fined and not entry.fine_min_fen <= penalty.fine_fen <= entry.fine_max_fen:
        problems.append(
            f"罚款 {yuan(penalty.fine_fen)} 不在 {yuan(entry.fine_min_fen)}–{yuan(entry.fine_max_fen)} 之间"
        )
    return problems
