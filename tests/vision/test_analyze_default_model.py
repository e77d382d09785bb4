"""The committed synthetic-trained model (vision/models) end to end, not the ground-truth replay.

These check that the pipeline with the real detector raises the right alerts on rendered clips, and that
the normal mode and the reference mode agree with it too. The model is weak on people (held-out recall
about 0.3), so people are not relied on here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mobile_contract.alerts import AlertKind
from mobile_contract.sites import CountLine, ForbiddenZone
from tests.vision.helpers import camera, encode, site
from vision.analyze import analyze
from vision.cli import DEFAULT_WEIGHTS
from vision.config import NodeConfig, PyTorchDetector
from vision.detect.yolo import YoloDetector
from vision.events import Outbox
from vision.synth import scenarios

pytestmark = [
    pytest.mark.slow,
    pytest.mark.integration,  # the whole pipeline at work, not a unit (docs/testing.md)
    pytest.mark.skipif(not DEFAULT_WEIGHTS.exists(), reason="the default model is not in this checkout"),
]
SIZE = {"width": 960, "height": 540}


@pytest.fixture(scope="module")
def detector() -> YoloDetector:
    return YoloDetector(PyTorchDetector(weights=str(DEFAULT_WEIGHTS), imgsz=640, region_imgsz=320))


def test_forbidden_zone_dwell_with_the_real_model(tmp_path: Path, detector: YoloDetector) -> None:
    scenario = scenarios.forbidden_zone_dwell(**SIZE)
    stays, passes = scenario.expect
    clip = tmp_path / "dwell.mp4"
    encode(scenario.script, clip)
    zone = ForbiddenZone(
        name="禁采区", polygon=scenario.regions["forbidden"], dwell_s=passes.end_s - passes.start_s + 3
    )
    config = site(camera(zone, url=str(clip)))
    result = analyze(
        clip, config, NodeConfig(detector=detector.config), detector=detector, outbox=Outbox(tmp_path / "o")
    )
    assert [a.kind for a in result.alerts] == [AlertKind.FORBIDDEN_ZONE]
    started = (result.alerts[0].started_at - scenario.script.start_time).total_seconds()
    assert stays.start_s - 1 <= started <= stays.start_s + 5  # the entry, give or take a missed detection
    assert {t["class"] for t in result.alerts[0].detail["tracks"]} == {"excavator"}


def test_line_counts_agree_with_the_truth_in_both_modes(tmp_path: Path, detector: YoloDetector) -> None:
    scenario = scenarios.line_crossing(**SIZE)
    clip = tmp_path / "line.mp4"
    encode(scenario.script, clip)
    top, bottom = scenario.lines["count"]
    config = site(camera(CountLine(name="出口", a=bottom, b=top), analysis_hz=2.0, url=str(clip)), closed=True)
    trucks = scenario.expect[0].counts
    for reference in (False, True):
        result = analyze(
            clip,
            config,
            NodeConfig(detector=detector.config),
            detector=detector,
            outbox=Outbox(tmp_path / f"o-{reference}"),
            reference=reference,
        )
        (count,) = result.counts
        assert (count.outbound, count.inbound) == (trucks["left_to_right"], trucks["right_to_left"]), reference
        assert [a.kind for a in result.alerts] == [AlertKind.HAUL_CROSSING]
