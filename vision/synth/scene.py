"""One synthetic camera frame with exact boxes (合成画面与标注框).

``compose`` puts posed actors on a backdrop and applies the conditions; the clip renderer calls it every
frame. ``random_scene`` draws everything from a seed (scene kind, layout, light, weather, actors) for the
training set: the same seed gives the same pixels and boxes on every machine.
"""

from __future__ import annotations

import msgspec
import numpy as np

from vision.synth.actors import CLASS_NAMES, NOMINAL_HEIGHT_M, ActorKind, Colour, Pose, actor_parts, draw_actor
from vision.synth.terrain import Layout, SceneKind, height_per_metre, jittered_layout, lane_y, render_backdrop
from vision.synth.weather import (
    LIGHTS_ON_BELOW,
    Conditions,
    Grain,
    Haze,
    apply_tone,
    degrade,
    draw_lamps,
    draw_rain,
    noise_sigma,
)

MIN_BOX_PIXELS = 3.0  # a sliver narrower than this at the frame edge is not labelled
MACHINE_COLOURS: tuple[Colour, ...] = (
    (0, 185, 235), (0, 200, 245), (10, 130, 235), (30, 150, 250), (40, 45, 185),
    (150, 95, 35), (60, 135, 50), (215, 215, 210), (125, 125, 120), (40, 175, 200),
)  # fmt: skip
CLOTHES: tuple[Colour, ...] = (
    (0, 110, 255),
    (60, 230, 210),
    (95, 45, 25),
    (35, 35, 175),
    (210, 210, 205),
    (45, 45, 45),
)
HELMETS: tuple[Colour, ...] = ((0, 220, 255), (235, 235, 235), (30, 30, 200), (170, 80, 20), (0, 140, 255))


class Box(msgspec.Struct, frozen=True):
    """An actor's box in pixels, clipped to the frame."""

    class_id: int
    label: str
    actor: int  # index of the actor in the script or scene
    x1: float
    y1: float
    x2: float
    y2: float
    visible: float  # share of the full box inside the frame


class Extras(msgspec.Struct):
    """Per-view caches the clip renderer keeps between frames; a still makes its own."""

    grain: Grain | None = None
    haze: Haze | None = None


def clip_box(
    box: tuple[float, float, float, float], width: int, height: int, kind: ActorKind, actor: int
) -> Box | None:
    x1, y1, x2, y2 = box
    cx1, cy1, cx2, cy2 = max(0.0, x1), max(0.0, y1), min(float(width), x2), min(float(height), y2)
    if cx2 - cx1 < MIN_BOX_PIXELS or cy2 - cy1 < MIN_BOX_PIXELS:
        return None
    visible = (cx2 - cx1) * (cy2 - cy1) / max(1e-9, (x2 - x1) * (y2 - y1))
    return Box(CLASS_NAMES.index(kind.value), kind.value, actor, cx1, cy1, cx2, cy2, round(visible, 4))


def compose(
    backdrop: np.ndarray,
    poses: list[Pose],
    conditions: Conditions,
    rng: np.random.Generator,
    extras: Extras | None = None,
) -> tuple[np.ndarray, list[Box]]:
    """Draw ``poses`` (far ones first) on a copy of ``backdrop`` and see it under ``conditions``."""
    image = backdrop.copy()
    height, width = image.shape[:2]
    extras = extras or Extras()
    order = sorted(range(len(poses)), key=lambda i: poses[i].y)
    drawn = {i: draw_actor(image, poses[i]) for i in order}
    if conditions.dust > 0:
        (extras.haze or Haze(rng, height, width, conditions.dust)).apply(image)
    image = apply_tone(image, conditions.light, conditions.rain)
    draw_lamps(image, [lamp for i in order if poses[i].lights for lamp in drawn[i].lamps], conditions.light)
    draw_rain(image, rng, conditions.rain, conditions.light)
    (extras.grain or Grain(rng, height, width)).apply(image, rng, noise_sigma(conditions, conditions.light))
    image = degrade(image, conditions.blur, conditions.jpeg_quality)
    boxes = [clip_box(drawn[i].box, width, height, poses[i].kind, i) for i in range(len(poses))]
    return image, [box for box in boxes if box is not None]


def random_conditions(rng: np.random.Generator) -> Conditions:
    """Half day, a fifth dusk, the rest night; rain, dust, blur and compression now and then."""
    draw = rng.random()
    light = rng.uniform(0.75, 1.0) if draw < 0.5 else rng.uniform(0.35, 0.75) if draw < 0.7 else rng.uniform(0.0, 0.3)
    return Conditions(
        light=float(light),
        rain=float(rng.uniform(0.2, 1.0)) if rng.random() < 0.2 else 0.0,
        dust=float(rng.uniform(0.2, 0.9)) if rng.random() < 0.25 else 0.0,
        noise=float(rng.uniform(1.0, 4.0)),
        blur=float(rng.uniform(0.3, 1.5)) if rng.random() < 0.4 else 0.0,
        jpeg_quality=int(rng.integers(35, 91)),
    )


def _random_kind(rng: np.random.Generator, scene: SceneKind) -> ActorKind:
    kinds = list(ActorKind)
    weights = [0.1, 0.15, 0.1, 0.5, 0.15] if scene is SceneKind.HAUL_ROAD else [0.24, 0.2, 0.2, 0.2, 0.16]
    return kinds[int(rng.choice(len(kinds), p=weights))]


def _random_pose(rng: np.random.Generator, layout: Layout, kind: ActorKind, width: int, height: int) -> Pose:
    x = float(rng.uniform(-0.08, 1.08))
    on_road = layout.scene is SceneKind.HAUL_ROAD and kind is not ActorKind.PERSON and rng.random() < 0.8
    y = (
        lane_y(layout, x, float(rng.uniform(0.25, 0.95)))
        if on_road
        else float(rng.uniform(layout.ground_top + 0.03, 1.03))
    )
    person = kind is ActorKind.PERSON
    return Pose(
        kind=kind,
        x=x * width,
        y=y * height,
        height=NOMINAL_HEIGHT_M[kind] * height_per_metre(layout, y) * height * float(rng.uniform(0.85, 1.2)),
        facing=1 if rng.random() < 0.5 else -1,
        phase=float(rng.random()),
        depth=1.0 if person or rng.random() < 0.5 else float(rng.uniform(0.55, 1.0)),
        colour=pick_colour(rng, CLOTHES if person else MACHINE_COLOURS),
        trim=pick_colour(rng, HELMETS if person else MACHINE_COLOURS),
        loaded=bool(rng.random() < 0.5),
        lights=bool(rng.random() < 0.85),
    )


def pick_colour(rng: np.random.Generator, palette: tuple[Colour, ...]) -> Colour:
    base = palette[int(rng.integers(len(palette)))]
    wear = rng.uniform(0.75, 1.1)
    return tuple(int(min(255, c * wear)) for c in base)  # type: ignore[return-value]


def _hull(pose: Pose) -> np.ndarray:
    points = np.concatenate([poly for poly, _ in actor_parts(pose)[0]])
    return np.concatenate([points.min(axis=0), points.max(axis=0)])


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over the smaller box: occluding half of any actor is too much."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return float(w * h / smaller)


def random_poses(rng: np.random.Generator, layout: Layout, width: int, height: int) -> list[Pose]:
    """Up to five actors that do not hide one another."""
    wanted = int(rng.choice(6, p=[0.04, 0.22, 0.28, 0.22, 0.14, 0.10]))
    poses: list[Pose] = []
    hulls: list[np.ndarray] = []
    for _ in range(wanted * 10):
        if len(poses) == wanted:
            break
        pose = _random_pose(rng, layout, _random_kind(rng, layout.scene), width, height)
        hull = _hull(pose)
        if all(_overlap(hull, other) < 0.3 for other in hulls):
            poses.append(pose)
            hulls.append(hull)
    return poses


def random_scene(seed: int | list[int], width: int = 960, height: int = 540) -> tuple[np.ndarray, list[Box]]:
    """A random frame and its boxes, fully determined by ``seed``."""
    rng = np.random.default_rng(seed)
    layout = jittered_layout(SceneKind(rng.choice(list(SceneKind))), rng)
    backdrop = render_backdrop(layout, rng, width, height)
    conditions = random_conditions(rng)
    poses = random_poses(rng, layout, width, height)
    return compose(backdrop, poses, conditions, rng)


__all__ = ["LIGHTS_ON_BELOW", "Box", "Conditions", "Extras", "compose", "random_scene"]
