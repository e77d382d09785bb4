"""Speed must not cost alerts: the normal mode (sampled, gated, cropped) and the reference mode
(every frame, whole frames, no gate) raise the same alerts on the benchmark's two clips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mobile_contract.sites import CountLine, ForbiddenZone, LandformZone, ProhibitedHours, Zone
from tests.vision.groundtruth import GroundTruthDetector
from tests.vision.helpers import camera, encode, site
from vision.analyze import AnalyzeResult, analyze
from vision.config import NodeConfig, PyTorchDetector
from vision.events import Outbox
from vision.synth import scenarios
from vision.synth.expectations import Scenario

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # the whole pipeline at work, not a unit (docs/testing.md)
CONFIG = NodeConfig(detector=PyTorchDetector(weights="ground-truth"))


def both_modes(tmp_path: Path, scenario: Scenario, zones: list[Zone], hz: float, **options: object):  # type: ignore[no-untyped-def]
    clip = tmp_path / "clip.mp4"
    truth = encode(scenario.script, clip)
    config = site(camera(*zones, analysis_hz=hz, url=str(clip)), **options)
    results = {}
    for reference in (False, True):
        detector = GroundTruthDetector(truth)
        outbox = Outbox(tmp_path / f"out-{reference}")
        results[reference] = analyze(clip, config, CONFIG, detector=detector, outbox=outbox, reference=reference)
    return results[False], results[True]


def same_alerts(normal: AnalyzeResult, reference: AnalyzeResult, tolerance_s: float) -> None:
    def incidents(result: AnalyzeResult) -> list[tuple[str, str]]:
        return sorted((a.kind.value, a.summary.split("：")[0]) for a in result.alerts)

    assert incidents(normal) == incidents(reference)
    pairs = zip(
        sorted(normal.alerts, key=lambda a: (a.kind, a.started_at)),
        sorted(reference.alerts, key=lambda a: (a.kind, a.started_at)),
        strict=True,
    )
    for fast, slow in pairs:
        assert abs((fast.started_at - slow.started_at).total_seconds()) <= tolerance_s


def test_quiet_night_quarry(tmp_path: Path) -> None:
    scenario = scenarios.quiet_night_quarry(duration_s=60.0, width=640, height=360)
    floor = scenario.regions["pit_floor"]
    zones: list[Zone] = [
        ForbiddenZone(name="坑底", polygon=floor, dwell_s=10),
        LandformZone(name="坑底地貌", polygon=floor, persist_s=10),
    ]
    night = ProhibitedHours(start=dt.time(22), end=dt.time(6))
    normal, reference = both_modes(tmp_path, scenario, zones, hz=1.0, prohibited_hours=[night], closed=True)
    same_alerts(normal, reference, tolerance_s=1.0)
    assert normal.stats.detector_frames < normal.stats.analysed / 4  # the gate did its work


def test_busy_haul_road(tmp_path: Path) -> None:
    scenario = scenarios.busy_haul_road(duration_s=60.0, width=640, height=360)
    top, bottom = scenario.lines["count"]
    zones: list[Zone] = [
        CountLine(name="出口", a=bottom, b=top),
        ForbiddenZone(name="料堆", polygon=scenario.regions["stockpile"], dwell_s=20),
    ]
    normal, reference = both_modes(tmp_path, scenario, zones, hz=2.0, closed=True)
    same_alerts(normal, reference, tolerance_s=1.0)
    assert normal.alerts, "the busy road must raise something for the comparison to mean anything"
    assert [(c.outbound, c.inbound) for c in normal.counts] == [(c.outbound, c.inbound) for c in reference.counts]
    expected = scenario.expect[0].counts
    assert normal.counts[0].outbound == expected["left_to_right"]
