"""Vision test fixtures: small scenario clips rendered once per run, ultralytics kept offline."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_AUTOINSTALL", "false")

SMALL = {"width": 640, "height": 360}


@pytest.fixture(scope="session")
def scenario_clip(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``scenario_clip(name, **options)`` writes ``vision.synth`` scenario ``name`` at 640×360 once per run."""
    from vision.synth.scenarios import write_scenario

    folder = tmp_path_factory.mktemp("clips")
    made: dict[tuple[str, tuple[tuple[str, float], ...]], Path] = {}

    def make(name: str, **options: float) -> Path:
        key = (name, tuple(sorted(options.items())))
        if key not in made:
            target = folder / f"{name}-{len(made)}"
            made[key] = write_scenario(name, target, **{**SMALL, **options})[0]
        return made[key]

    return make
