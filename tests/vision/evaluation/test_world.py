"""The evaluation renderer's boxes, which its oracle detector reports: they must be where the truck is."""

from __future__ import annotations

import datetime as dt

import pytest

from vision.evaluation.scenes import CAMERAS
from vision.evaluation.world import Path, Vehicle, World, render


@pytest.mark.parametrize("x", [0.02, 0.5, 0.97])
def test_a_truck_is_boxed_where_it_stands_even_at_the_edge_of_a_barrel_lens(x: float) -> None:
    """The noisy box camera's lens (k1 -0.2) has no inverse at the edge of its view: a truck entering the
    frame there was boxed across most of it, and the count line counted crossings nobody made."""
    camera = min(CAMERAS, key=lambda c: c.distortion)
    truck = Vehicle("dump_truck", Path([(0.0, x, 0.7)]))
    world = World(camera=camera, start=dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC), duration_s=1.0, vehicles=[truck])
    _, boxes = render(world, 0.0)
    ((_, (x1, _, x2, _)),) = boxes
    assert (x2 - x1) / camera.width < 0.3
    assert x1 / camera.width - 0.05 <= x <= x2 / camera.width + 0.05 or x1 <= 0 or x2 >= camera.width
