"""Every rule end to end on rendered clips with known ground truth (端到端规则测试).

The pipeline runs on H.264 clips from ``vision.synth`` with the ground-truth
replay detector (``tests/vision/groundtruth.py``), so what is tested is the
sampler, motion gate, crops, tracker, rules and events, not the synthetic
model's accuracy. Each case checks that the rule fires when it should, at
about the right time, and that nothing else fires.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mobile_contract.alerts import AlertKind, AlertUpsert
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
NIGHT = ProhibitedHours(start=dt.time(22), end=dt.time(6))


def run(
    tmp_path: Path,
    scenario: Scenario,
    zones: list[Zone],
    *,
    hz: float = 1.0,
    reference: bool = False,
    **options: object,
) -> AnalyzeResult:
    clip = tmp_path / f"{scenario.name}.mp4"
    truth = encode(scenario.script, clip)
    config = site(camera(*zones, analysis_hz=hz, url=str(clip)), **options)
    return analyze(
        clip, config, CONFIG, detector=GroundTruthDetector(truth), outbox=Outbox(tmp_path / "out"), reference=reference
    )


def kinds(result: AnalyzeResult) -> set[AlertKind]:
    return {a.kind for a in result.alerts}


def offset(alert: AlertUpsert, scenario: Scenario) -> float:
    return (alert.started_at - scenario.script.start_time).total_seconds()


def small(make, **options):  # type: ignore[no-untyped-def]
    return make(width=640, height=360, **options)


def test_forbidden_zone_dwell_fires_for_the_excavator_not_the_passing_truck(tmp_path: Path) -> None:
    scenario = small(scenarios.forbidden_zone_dwell)
    stays, passes = scenario.expect
    dwell_s = (passes.end_s - passes.start_s) + 3.0  # longer than the truck's pass
    zone = ForbiddenZone(name="禁采区", polygon=scenario.regions["forbidden"], dwell_s=dwell_s)
    result = run(tmp_path, scenario, [zone])
    assert kinds(result) == {AlertKind.FORBIDDEN_ZONE}
    (alert,) = result.alerts
    assert abs(offset(alert, scenario) - stays.start_s) <= 1.5
    assert {t["class"] for t in alert.detail["tracks"]} == {"excavator"}
    assert [m.kind for m in alert.media] == ["snapshot", "clip"]


@pytest.mark.parametrize(("make", "fires"), [(scenarios.night_machinery, True), (scenarios.day_machinery, False)])
def test_machinery_working_in_prohibited_hours(tmp_path: Path, make, fires: bool) -> None:  # type: ignore[no-untyped-def]
    scenario = small(make)
    result = run(tmp_path, scenario, [], prohibited_hours=[NIGHT])
    assert kinds(result) == ({AlertKind.PROHIBITED_HOURS} if fires else set())


def test_line_crossings_are_counted_by_direction_and_alert_at_a_closed_site(tmp_path: Path) -> None:
    scenario = small(scenarios.line_crossing)
    top, bottom = scenario.lines["count"]
    line = CountLine(name="出口", a=bottom, b=top)  # drawn upwards: left to right is outbound
    trucks = scenario.expect[0]
    result = run(tmp_path, scenario, [line], hz=2.0, closed=True)
    (count,) = result.counts
    assert (count.outbound, count.inbound) == (trucks.counts["left_to_right"], trucks.counts["right_to_left"])
    assert kinds(result) == {AlertKind.HAUL_CROSSING}
    (alert,) = result.alerts  # one incident for the run of crossings, not one per truck
    assert alert.detail["facts"]["outbound"] == count.outbound


def test_an_open_site_counts_without_alerting(tmp_path: Path) -> None:
    scenario = small(scenarios.line_crossing)
    top, bottom = scenario.lines["count"]
    result = run(tmp_path, scenario, [CountLine(name="出口", a=bottom, b=top)], hz=2.0)
    assert result.alerts == [] and result.counts[0].outbound > 0


def test_landform_change_fires_in_its_zone_only(tmp_path: Path) -> None:
    scenario = small(scenarios.landform_change)
    zones: list[Zone] = [
        LandformZone(name="开挖面", polygon=scenario.regions["excavation"], persist_s=5),
        LandformZone(name="山体", polygon=scenario.regions["hill"], persist_s=5),
    ]
    result = run(tmp_path, scenario, zones)
    (alert,) = result.alerts
    assert alert.kind is AlertKind.LANDFORM_CHANGE and alert.detail["facts"]["zone"] == "开挖面"
    assert 9.0 <= offset(alert, scenario) <= 16.0


@pytest.mark.parametrize(
    ("tamper", "kind"),
    [
        ("covered", AlertKind.CAMERA_COVERED),
        ("defocused", AlertKind.CAMERA_DEFOCUSED),
        ("moved", AlertKind.CAMERA_MOVED),
        ("frozen", AlertKind.CAMERA_FROZEN),
    ],
)
def test_camera_tamper_fires_once_with_its_kind(tmp_path: Path, tamper: str, kind: AlertKind) -> None:
    scenario = small(scenarios.camera_tamper, kind=tamper)
    zone = ForbiddenZone(name="作业区", polygon=scenario.regions["site"], dwell_s=600)  # nothing should dwell
    result = run(tmp_path, scenario, [zone])
    assert [a.kind for a in result.alerts] == [kind]
    assert 9.0 <= offset(result.alerts[0], scenario) <= 13.0


def test_day_to_night_fires_nothing(tmp_path: Path) -> None:
    scenario = small(scenarios.day_to_night)
    zones: list[Zone] = [LandformZone(name="坑底", polygon=scenario.regions["pit_floor"], persist_s=5)]
    result = run(tmp_path, scenario, zones, prohibited_hours=[NIGHT])
    assert result.alerts == []
