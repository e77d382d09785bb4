"""Landform change on frames rendered by vision.synth: fresh excavation fires, dusk does not."""

import numpy as np

from mobile_contract.alerts import AlertKind
from mobile_contract.sites import LandformZone
from tests.vision.helpers import camera, rendered
from vision.rules.landform import LandformRule
from vision.synth.scenarios import day_to_night, landform_change


def run(frames: list, zone: LandformZone) -> list:
    rule = LandformRule(camera(zone), zone, every_s=1.0, threshold=0.2)
    return [rule.evaluate(frame, []) for frame in frames]


def test_fresh_excavation_that_stays_fires() -> None:
    scenario = landform_change(width=640, height=360)
    zone = LandformZone(name="山脚", polygon=scenario.regions["excavation"], persist_s=8)
    times = list(np.arange(0.0, 30.0, 2.0))
    results = run(rendered(scenario.script, times), zone)
    fired = [t for t, found in zip(times, results, strict=True) if found]
    assert fired and fired[0] >= 10.0 + 8.0  # appears at 10 s, must persist 8 s
    candidate = results[-1][0]
    assert candidate.key.kind is AlertKind.LANDFORM_CHANGE
    assert candidate.facts.changed_fraction > 0.3
    assert 10.0 <= (candidate.since - scenario.script.start_time).total_seconds() <= 14.0


def test_the_rest_of_the_hillside_is_unchanged() -> None:
    scenario = landform_change(width=640, height=360)
    zone = LandformZone(name="山体", polygon=scenario.regions["hill"], persist_s=4)
    assert not any(run(rendered(scenario.script, np.arange(0.0, 30.0, 2.0)), zone))


def test_nightfall_is_not_a_landform_change() -> None:
    scenario = day_to_night(width=640, height=360)
    zone = LandformZone(name="坑底", polygon=scenario.regions["pit_floor"], persist_s=4, min_changed_fraction=0.02)
    assert not any(run(rendered(scenario.script, np.arange(0.0, 40.0, 2.0)), zone))
