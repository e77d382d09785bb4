"""Ready-made scenarios: every one renders, and its expectations agree with what its frames show."""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import msgspec
import numpy as np
import pytest

from vision.synth.clips import iter_frames, read_truth
from vision.synth.expectations import Scenario
from vision.synth.scenarios import SCENARIOS, write_scenario

TINY = {"width": 192, "height": 108, "fps": 5}


def _feet(scenario: Scenario) -> dict[int, list[tuple[float, float, float]]]:
    """Per actor, (t, x, y) of its standing point as the rendered boxes show it, normalised."""
    w, h = scenario.script.width, scenario.script.height
    feet: dict[int, list[tuple[float, float, float]]] = {i: [] for i in range(len(scenario.script.actors))}
    for frame in iter_frames(scenario.script):
        for box in frame.truth.boxes:
            if box.visible > 0.99:
                feet[box.actor].append((frame.truth.t_s, (box.x1 + box.x2) / 2 / w, box.y2 / h))
    return feet


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_scenario_renders_and_serialises(name: str) -> None:
    scenario = SCENARIOS[name](**TINY)
    assert scenario.name == name
    assert scenario.expect
    decoded = msgspec.json.decode(msgspec.json.encode(scenario), type=Scenario)
    assert decoded == scenario
    for polygon in [*scenario.regions.values(), *scenario.lines.values()]:
        assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in polygon)


def test_line_counts_match_the_rendered_boxes() -> None:
    scenario = SCENARIOS["line_crossing"](**TINY)
    trucks = next(e for e in scenario.expect if e.region == "count" and e.fires)
    assert trucks.counts == {"left_to_right": 2, "right_to_left": 1}
    assert trucks.actors == [0, 1, 2]  # actor 3 turns back before the line
    (x_line, _), _ = scenario.lines["count"]
    feet = _feet(scenario)
    for actor in range(4):
        xs = [x for _, x, _ in feet[actor]]
        crossed = any((a - x_line) * (b - x_line) < 0 for a, b in itertools.pairwise(xs))
        assert crossed == (actor in trucks.actors), actor


def test_dwell_matches_the_rendered_boxes() -> None:
    scenario = SCENARIOS["forbidden_zone_dwell"](**TINY)
    zone = np.array(scenario.regions["forbidden"], np.float32)
    dwell, passing = scenario.expect
    inside = [t for t, x, y in _feet(scenario)[0] if cv2.pointPolygonTest(zone, (x, y), False) >= 0]
    assert inside[0] == pytest.approx(dwell.start_s, abs=0.5)
    assert inside[-1] == pytest.approx(scenario.script.duration_s - 1 / TINY["fps"], abs=1e-6)
    assert dwell.fires and not passing.fires
    assert passing.end_s - passing.start_s < 3.0


def test_prohibited_hours_follow_the_clock() -> None:
    night, day = SCENARIOS["night_machinery"](**TINY), SCENARIOS["day_machinery"](**TINY)
    assert night.script.start_time.hour == 23 and night.expect[0].fires
    assert day.script.start_time.hour == 10 and not day.expect[0].fires


def test_written_scenario_has_truth_and_metadata(tmp_path: Path) -> None:
    clip, truth = write_scenario("camera_offline", tmp_path, duration_s=20.0, **TINY)
    assert truth.frame_count == 15 * TINY["fps"]
    assert read_truth(clip) == truth
    meta = msgspec.json.decode(clip.with_suffix(".scenario.json").read_bytes(), type=Scenario)
    assert meta.expect[0].rule == "camera_offline" and meta.expect[0].start_s == 15.0
