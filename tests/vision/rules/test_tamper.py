"""Camera tamper on frames rendered by vision.synth; a day-to-night change must not fire."""

import numpy as np
import pytest

from mobile_contract.alerts import AlertKind
from tests.vision.helpers import rendered
from vision.config import TamperConfig
from vision.rules.tamper import TamperMonitor
from vision.synth.scenarios import camera_tamper, day_to_night, quiet_night_quarry

KINDS = {
    "covered": AlertKind.CAMERA_COVERED,
    "defocused": AlertKind.CAMERA_DEFOCUSED,
    "moved": AlertKind.CAMERA_MOVED,
    "frozen": AlertKind.CAMERA_FROZEN,
}


def run(frames: list, step_s: float) -> dict[float, set[AlertKind]]:
    monitor = TamperMonitor("cam-1", TamperConfig())
    return {
        frame.pts_s: {KINDS[k.value] for k in monitor.evaluate(frame.grey, frame.contrast, frame.at, step_s)}
        for frame in frames
    }


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_tamper_fires_after_it_persists_and_only_then(kind: str) -> None:
    scenario = camera_tamper(kind, width=640, height=360)  # type: ignore[arg-type]
    found = run(rendered(scenario.script, np.arange(0.0, 30.0, 1.0)), 1.0)
    fired = sorted(t for t, kinds in found.items() if KINDS[kind] in kinds)
    assert fired, f"{kind} never fired"
    assert 10.0 + TamperConfig().persist_s <= fired[0] <= 10.0 + TamperConfig().persist_s + 3
    others = {k for kinds in found.values() for k in kinds} - {KINDS[kind]}
    assert others == set()
    if kind != "moved":  # the others end at 20 s
        assert fired[-1] < 20.0 + TamperConfig().clear_s + 1


def test_day_to_night_is_not_tamper() -> None:
    scenario = day_to_night(width=640, height=360)
    assert not any(run(rendered(scenario.script, np.arange(0.0, 40.0, 1.0)), 1.0).values())


def test_a_dark_still_night_is_neither_covered_nor_frozen() -> None:
    scenario = quiet_night_quarry(width=640, height=360)
    assert not any(run(rendered(scenario.script, np.arange(0.0, 60.0, 2.0)), 2.0).values())
