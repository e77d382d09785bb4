"""Still scenes: the same seed gives the same pixels, and every box sits exactly on its drawn actor."""

from __future__ import annotations

import numpy as np
import pytest

from vision.synth.actors import ActorKind, Pose, draw_actor
from vision.synth.scene import Conditions, compose, random_scene
from vision.synth.terrain import SceneKind, canonical_layout, render_backdrop

CLEAR = Conditions(light=1.0, noise=0.0)


def test_same_seed_same_pixels_and_boxes() -> None:
    image_a, boxes_a = random_scene([7, 1], 320, 180)
    image_b, boxes_b = random_scene([7, 1], 320, 180)
    image_c, _ = random_scene([7, 2], 320, 180)
    assert np.array_equal(image_a, image_b)
    assert boxes_a == boxes_b
    assert not np.array_equal(image_a, image_c)


@pytest.mark.parametrize("seed", range(12))
def test_boxes_lie_inside_the_frame(seed: int) -> None:
    image, boxes = random_scene([3, seed], 480, 270)
    assert image.shape == (270, 480, 3)
    for box in boxes:
        assert 0 <= box.x1 < box.x2 <= 480
        assert 0 <= box.y1 < box.y2 <= 270
        assert 0 < box.visible <= 1


@pytest.mark.parametrize("kind", list(ActorKind))
@pytest.mark.parametrize(("phase", "facing", "depth"), [(0.0, 1, 1.0), (0.5, -1, 0.7), (1.0, 1, 0.55)])
def test_box_is_the_hull_of_the_drawn_pixels(kind: ActorKind, phase: float, facing: int, depth: float) -> None:
    canvas = np.full((400, 600, 3), 255, np.uint8)
    pose = Pose(kind=kind, x=300.0, y=330.0, height=90.0, facing=facing, phase=phase, depth=depth, loaded=True)
    drawn = draw_actor(canvas, pose)
    x1, y1, x2, y2 = drawn.box
    change = (255 - canvas.astype(int)).max(axis=2)
    rows, cols = np.nonzero(change > 8)  # a pixel changed by less is an invisible anti-aliasing fringe
    assert np.floor(x1) <= cols.min() and cols.max() < x2  # every drawn pixel touches the box
    assert np.floor(y1) <= rows.min() and rows.max() < y2
    rows, cols = np.nonzero(change > 40)  # and the box hugs what is visible
    assert (cols.min() - x1, x2 - cols.max() - 1, rows.min() - y1, y2 - rows.max() - 1) < (2.5, 2.5, 2.5, 2.5)


def test_actors_change_pixels_only_inside_their_boxes() -> None:
    layout = canonical_layout(SceneKind.QUARRY)
    backdrop = render_backdrop(layout, np.random.default_rng(5), 480, 270)
    poses = [
        Pose(kind=ActorKind.EXCAVATOR, x=120.0, y=220.0, height=50.0),
        Pose(kind=ActorKind.DUMP_TRUCK, x=350.0, y=200.0, height=40.0, facing=-1, loaded=True),
        Pose(kind=ActorKind.PERSON, x=250.0, y=250.0, height=30.0),
    ]
    empty, _ = compose(backdrop, [], CLEAR, np.random.default_rng(0))
    image, boxes = compose(backdrop, poses, CLEAR, np.random.default_rng(0))
    changed = (image != empty).any(axis=2)
    inside = np.zeros_like(changed)
    for box in boxes:
        inside[int(box.y1) : int(np.ceil(box.y2)), int(box.x1) : int(np.ceil(box.x2))] = True
        assert changed[int(box.y1) : int(np.ceil(box.y2)), int(box.x1) : int(np.ceil(box.x2))].mean() > 0.2
    assert sorted(box.label for box in boxes) == ["dump_truck", "excavator", "person"]
    assert not (changed & ~inside).any()


def test_night_dims_the_scene_and_lights_the_lamps() -> None:
    backdrop = render_backdrop(canonical_layout(SceneKind.QUARRY), np.random.default_rng(5), 480, 270)
    truck = [Pose(kind=ActorKind.DUMP_TRUCK, x=240.0, y=200.0, height=60.0, lights=True)]
    day, _ = compose(backdrop, truck, CLEAR, np.random.default_rng(0))
    night, _ = compose(backdrop, truck, Conditions(light=0.0, noise=0.0), np.random.default_rng(0))
    assert night.mean() < day.mean() * 0.3
    lamp_x, lamp_y = int(240 + 1.25 * 60), int(200 - 0.45 * 60)
    assert night[lamp_y, lamp_x].max() > 200  # the head lamp shines whatever the ambient light


def test_a_rejected_kind_of_scene_is_not_silently_drawn() -> None:
    with pytest.raises(ValueError):
        canonical_layout("gravel_pit")  # type: ignore[arg-type]
