"""The motion gate on frames built in memory and rendered by vision.synth."""

import numpy as np

from tests.vision.helpers import frame_of, rendered
from vision.config import MotionConfig
from vision.motion import MotionGate
from vision.synth.scenarios import day_to_night, forbidden_zone_dwell, quiet_night_quarry
from vision.types import Box


def textured(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.integers(60, 200, (18, 32, 3)).astype(np.uint8)
    return np.kron(base, np.ones((10, 10, 1), np.uint8))  # 320×180, blocky texture


def run(gate: MotionGate, images: list[np.ndarray]) -> list:
    return [gate.detect(frame_of(image, i).contrast, 1.0) for i, image in enumerate(images)]


def test_a_moving_object_is_a_region_where_it_is() -> None:
    images = []
    for step in range(4):
        image = textured()
        x = 40 + step * 60
        image[80:130, x : x + 50] = (20, 220, 250)
        images.append(image)
    last = run(MotionGate(MotionConfig()), images)[-1]
    truck = Box(220 / 320, 80 / 180, 270 / 320, 130 / 180)
    assert any(region.intersects(truck) for region in last.regions)
    assert all(region.y1 >= 70 / 180 and region.y2 <= 140 / 180 for region in last.regions)  # only where it drove


def test_global_brightness_changes_are_not_motion() -> None:
    images = [np.clip(textured().astype(float) * gain, 0, 255).astype(np.uint8) for gain in (1.0, 0.7, 0.4, 0.2, 0.1)]
    results = run(MotionGate(MotionConfig()), images)
    assert all(not r.regions for r in results)


def test_dusk_on_an_empty_quarry_gives_the_detector_nothing() -> None:
    scenario = day_to_night(duration_s=40.0, width=640, height=360)
    frames = rendered(scenario.script, range(0, 40, 2))
    gate = MotionGate(MotionConfig())
    assert all(not gate.detect(f.contrast, 2.0).regions for f in frames)


def test_a_lamp_flicker_at_night_is_not_motion() -> None:
    scenario = quiet_night_quarry(duration_s=60.0, width=640, height=360)
    flicker = scenario.script.duration_s * 0.4
    frames = rendered(scenario.script, [0.0, 10.0, 20.0, flicker + 0.16, flicker + 0.48, 30.0])
    gate = MotionGate(MotionConfig())
    assert not any(gate.detect(f.contrast, 1.0).regions for f in frames)


def test_machinery_driving_in_is_seen() -> None:
    scenario = forbidden_zone_dwell(width=640, height=360)
    frames = rendered(scenario.script, [0.0, 4.0, 5.0, 6.0])
    gate = MotionGate(MotionConfig())
    results = [gate.detect(f.contrast, 1.0) for f in frames]
    assert results[-1].regions
