"""The evaluation table (评测结果汇总): per tamper kind and per rule, recall, false alarms, latency.

Rows are the scene groups (a tamper kind, ``forbidden_zone``, ``haul_crossing``) and, for the quiet
footage, its conditions (day, dusk, night, rain, snow, fog). False alarms per camera-hour are counted
on the quiet footage only: it has nothing to report, so every alert there is false.
"""

from __future__ import annotations

import statistics

import msgspec

from vision.evaluation.run import TAMPER_KINDS, SceneResult


class Row(msgspec.Struct, frozen=True):
    group: str
    scenes: int
    expected: int  # alerts (or, for crossings, truck crossings) that should have been raised
    recalled: int
    wrong_kind: int  # tamper alerts of another kind raised in a tamper scene
    false_alarms: int
    hours: float
    latency_median_s: float | None
    latency_max_s: float | None

    @property
    def recall(self) -> float:
        return self.recalled / self.expected if self.expected else 1.0

    @property
    def per_hour(self) -> float:
        return self.false_alarms / self.hours if self.hours else 0.0


def summarise(results: list[SceneResult]) -> list[Row]:
    groups: dict[str, list[SceneResult]] = {}
    for result in results:
        groups.setdefault(("quiet " if result.quiet else "") + result.group, []).append(result)
    return [_row(name, members) for name, members in sorted(groups.items())]


def _row(name: str, members: list[SceneResult]) -> Row:
    latencies = [latency for r in members for _, latency in r.recalled]
    crossings = [r for r in members if r.crossings]
    expected = sum(len(r.recalled) + len(r.missed) for r in members)
    recalled = sum(len(r.recalled) for r in members)
    if crossings:  # each truck crossing counts, in its direction
        expected = sum(sum(r.crossings.values()) for r in crossings)
        recalled = sum(min(r.counts[d], n) for r in crossings for d, n in r.crossings.items())
    return Row(
        group=name,
        scenes=len(members),
        expected=expected,
        recalled=recalled,
        wrong_kind=sum(1 for r in members if not r.quiet for f in r.false_alarms if f.kind in TAMPER_KINDS),
        false_alarms=sum(len(r.false_alarms) for r in members),
        hours=sum(r.hours for r in members),
        latency_median_s=statistics.median(latencies) if latencies else None,
        latency_max_s=max(latencies) if latencies else None,
    )


def overcounted(results: list[SceneResult]) -> int:
    """Crossings counted beyond the trucks' real ones, in either direction."""
    return sum(max(0, r.counts[d] - n) for r in results for d, n in r.crossings.items())


def quiet_rate(rows: list[Row]) -> tuple[int, float]:
    """False alarms and camera-hours over all quiet footage."""
    quiet = [r for r in rows if r.group.startswith("quiet ")]
    return sum(r.false_alarms for r in quiet), sum(r.hours for r in quiet)
