"""Fixed-camera backdrops (背景): quarry face (采石场/塘口), damaged hillside (破损山体) and haul road (运输道路).

A ``Layout`` is the geometry of the view, normalised 0–1 with y down; the clip scenarios use the
canonical one so that their zones and lines stay valid for any seed, the data set jitters it. The
backdrop itself (rock, vegetation, gravel, sky, clutter) is painted from value noise and a seed.
"""

from __future__ import annotations

import enum
import itertools

import cv2
import msgspec
import numpy as np

Colour = tuple[int, int, int]


class SceneKind(enum.StrEnum):
    QUARRY = "quarry"  # 采石场
    HILLSIDE = "hillside"  # 破损山体
    HAUL_ROAD = "haul_road"  # 山石运输道路


class Layout(msgspec.Struct, frozen=True):
    """Geometry of one camera view, normalised to the frame (x right, y down)."""

    scene: SceneKind
    horizon: float  # sky line
    ground_top: float  # where the ground actors stand on begins (pit floor, hill foot, verge)
    far_ppm: float  # image heights per metre at ground_top: perspective shrinks far actors
    near_ppm: float  # image heights per metre at the bottom edge
    road_top: tuple[float, float] = (0.0, 0.0)  # haul road's upper edge: y at x=0 and at x=1
    road_bottom: tuple[float, float] = (0.0, 0.0)


_CANONICAL = {
    SceneKind.QUARRY: Layout(SceneKind.QUARRY, horizon=0.2, ground_top=0.56, far_ppm=0.012, near_ppm=0.07),
    SceneKind.HILLSIDE: Layout(SceneKind.HILLSIDE, horizon=0.18, ground_top=0.62, far_ppm=0.015, near_ppm=0.07),
    SceneKind.HAUL_ROAD: Layout(
        SceneKind.HAUL_ROAD,
        horizon=0.36,
        ground_top=0.45,
        far_ppm=0.01,
        near_ppm=0.09,
        road_top=(0.6, 0.56),
        road_bottom=(0.8, 0.75),
    ),
}


def canonical_layout(scene: SceneKind) -> Layout:
    """The layout every scripted clip of ``scene`` uses."""
    return _CANONICAL[SceneKind(scene)]


def jittered_layout(scene: SceneKind, rng: np.random.Generator) -> Layout:
    """A layout near the canonical one, as another camera on another site would see it."""
    base = canonical_layout(scene)
    shift = float(rng.uniform(-0.06, 0.06))
    tilt = float(rng.uniform(-0.04, 0.04))
    zoom = float(rng.uniform(0.7, 1.4))
    return msgspec.structs.replace(
        base,
        horizon=base.horizon + shift,
        ground_top=base.ground_top + shift,
        far_ppm=base.far_ppm * zoom,
        near_ppm=base.near_ppm * zoom,
        road_top=(base.road_top[0] + shift - tilt, base.road_top[1] + shift + tilt),
        road_bottom=(base.road_bottom[0] + shift - tilt, base.road_bottom[1] + shift + tilt),
    )


def height_per_metre(layout: Layout, y: float) -> float:
    """Image heights per metre for something standing at normalised ``y``."""
    depth = min(1.0, max(0.0, (y - layout.ground_top) / (1.0 - layout.ground_top)))
    return layout.far_ppm + depth * (layout.near_ppm - layout.far_ppm)


def lane_y(layout: Layout, x: float, across: float) -> float:
    """Normalised y of a point ``across`` (0 = upper edge, 1 = lower edge) the haul road at ``x``."""
    top = layout.road_top[0] + (layout.road_top[1] - layout.road_top[0]) * x
    bottom = layout.road_bottom[0] + (layout.road_bottom[1] - layout.road_bottom[0]) * x
    return top + across * (bottom - top)


def value_noise(rng: np.random.Generator, height: int, width: int, cell: float, octaves: int = 3) -> np.ndarray:
    """Smooth noise in 0–1 with features about ``cell`` pixels across (float32, height × width)."""
    total = np.zeros((height, width), np.float32)
    amplitude, weight = 1.0, 0.0
    for octave in range(octaves):
        size = cell / (2**octave)
        grid = rng.random((max(2, int(height / size) + 2), max(2, int(width / size) + 2)), dtype=np.float32)
        total += amplitude * cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
        weight += amplitude
        amplitude *= 0.5
    return np.clip(total / weight, 0.0, 1.0)


class _Canvas:
    """A backdrop being painted: the image, its shared noise fields and the generator."""

    def __init__(self, rng: np.random.Generator, width: int, height: int) -> None:
        self.rng, self.w, self.h = rng, width, height
        self.image = np.zeros((height, width, 3), np.uint8)
        self.coarse = value_noise(rng, height, width, height / 4)
        self.medium = value_noise(rng, height, width, height / 40)
        self.grain = rng.random((height, width), dtype=np.float32)
        streak_grid = rng.random((max(2, height // 90), max(2, width // 5)), dtype=np.float32)
        self.streaks = cv2.resize(streak_grid, (width, height), interpolation=cv2.INTER_CUBIC)  # rock face runnels
        self.rows = np.arange(height, dtype=np.float32)[:, None]

    def texture(
        self, colour: Colour, *, coarse: float = 0.25, medium: float = 0.2, grain: float = 0.12, streaks: float = 0.0
    ) -> np.ndarray:
        jitter = self.rng.uniform(0.85, 1.15) * self.rng.uniform(0.96, 1.04, 3)  # brightness, a little hue
        shade = 1.0 + coarse * (self.coarse - 0.5) + medium * (self.medium - 0.5) + grain * (self.grain - 0.5)
        shade += streaks * (self.streaks - 0.5)
        return np.clip(shade[..., None] * (np.array(colour, np.float32) * jitter), 0, 255).astype(np.uint8)

    def paint(self, mask: np.ndarray, colour: Colour, **strength: float) -> None:
        np.copyto(self.image, self.texture(colour, **strength), where=mask[..., None])

    def ridge(self, y: float, amplitude: float, cell: float) -> np.ndarray:
        """A wavy line across the frame: pixel row per column."""
        profile = value_noise(self.rng, 1, self.w, cell * self.w, octaves=3)[0]
        return (y + amplitude * (profile - 0.5)) * self.h

    def below(self, line: np.ndarray) -> np.ndarray:
        return self.rows >= line[None, :]

    def polygon_mask(self, points: np.ndarray) -> np.ndarray:
        mask = np.zeros((self.h, self.w), np.uint8)
        cv2.fillPoly(mask, [np.round(points * (self.w, self.h)).astype(np.int32)], 1)
        return mask.astype(bool)


def _shade(colour: Colour, factor: float) -> Colour:
    return tuple(int(c * factor) for c in colour)  # type: ignore[return-value]


def _sky(canvas: _Canvas, layout: Layout) -> None:
    t = np.clip(canvas.rows / max(1.0, layout.horizon * canvas.h), 0, 1)[..., None]
    top, low = np.array((205, 150, 95), np.float32), np.array((235, 220, 205), np.float32)
    gradient = top + (low - top) * t
    clouds = np.clip((value_noise(canvas.rng, canvas.h, canvas.w, canvas.h / 5, 4) - 0.55) * 3, 0, 1)[..., None]
    canvas.image[:] = (gradient * (1 - clouds * 0.8) + 245 * clouds * 0.8).astype(np.uint8)
    far = canvas.ridge(layout.horizon, 0.08, 0.5)
    canvas.paint(canvas.below(far), (150, 150, 128), coarse=0.2, medium=0.1, grain=0.04)


def _clutter(canvas: _Canvas, layout: Layout, count: int) -> None:
    """Boulders, stockpiles, huts and poles: things a detector must learn to leave alone."""
    rng, img = canvas.rng, canvas.image
    for _ in range(count):
        x, y = rng.uniform(0, 1), rng.uniform(layout.ground_top + 0.02, 1.0)
        size = height_per_metre(layout, y) * canvas.h * rng.uniform(1.0, 4.0)
        px, py = int(x * canvas.w), int(y * canvas.h)
        grey = int(rng.integers(90, 190))
        match int(rng.integers(0, 4)):
            case 0:
                axes = (max(2, int(size * 0.6)), max(2, int(size * 0.35)))
                cv2.ellipse(img, (px, py), axes, 0, 180, 360, (grey, grey + 5, grey + 10), -1, cv2.LINE_AA)
            case 1:
                cone = np.array([(px - size * 1.8, py), (px + size * 1.8, py), (px + size * 0.2, py - size)], np.int32)
                cv2.fillPoly(img, [cone], (grey - 20, grey, grey + 20), cv2.LINE_AA)
            case 2:
                hut = (int(rng.integers(120, 230)), int(rng.integers(120, 230)), int(rng.integers(60, 200)))
                cv2.rectangle(img, (px, py - int(size * 0.8)), (px + int(size * 1.6), py), hut, -1)
            case _:
                cv2.line(img, (px, py), (px, py - int(size * 2.5)), (60, 70, 80), max(1, int(size / 12)), cv2.LINE_AA)


def _quarry(canvas: _Canvas, layout: Layout) -> None:
    rim = canvas.ridge(layout.horizon + 0.05, 0.05, 0.3)
    canvas.paint(canvas.below(rim), (55, 100, 62), coarse=0.4, medium=0.5)
    benches = int(canvas.rng.integers(3, 5))
    tops = np.linspace(layout.horizon + 0.08, layout.ground_top, benches + 1)
    for top, bottom in itertools.pairwise(tops):
        grey = int(canvas.rng.integers(115, 170))
        rock = (grey - int(canvas.rng.integers(0, 18)), grey, grey + int(canvas.rng.integers(0, 22)))
        canvas.paint(canvas.below(canvas.ridge(top, 0.03, 0.1)), rock, coarse=0.3, medium=0.3, grain=0.2, streaks=0.45)
        shadow = canvas.ridge(top + 0.004, 0.01, 0.1)
        canvas.paint(canvas.below(shadow) & ~canvas.below(shadow + 0.01 * canvas.h), _shade(rock, 0.6), grain=0.2)
        ledge = canvas.ridge(bottom - 0.018, 0.01, 0.2)
        canvas.paint(canvas.below(ledge), (150, 172, 185), coarse=0.2, medium=0.2, grain=0.25)
    floor = canvas.ridge(layout.ground_top, 0.01, 0.3)
    canvas.paint(canvas.below(floor), (140, 160, 172), coarse=0.35, medium=0.3, grain=0.3)
    _clutter(canvas, layout, int(canvas.rng.integers(3, 9)))


def _hillside(canvas: _Canvas, layout: Layout) -> None:
    hill = canvas.ridge(layout.horizon + 0.08, 0.14, 0.6)
    canvas.paint(canvas.below(hill), (48, 92, 58), coarse=0.5, medium=0.7, grain=0.25)
    cx, w = canvas.rng.uniform(0.3, 0.7), canvas.rng.uniform(0.2, 0.35)
    top = float(hill[int(cx * (canvas.w - 1))] / canvas.h) + 0.04
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    radius = 1.0 + 0.25 * (canvas.rng.random(24) - 0.5)
    blob = np.stack(
        [
            cx + w * radius * np.cos(angles),
            (top + layout.ground_top) / 2 + 0.5 * (layout.ground_top - top) * radius * np.sin(angles),
        ],
        1,
    )
    canvas.paint(canvas.polygon_mask(blob), (120, 150, 178), coarse=0.3, medium=0.4, grain=0.25, streaks=0.5)
    foot = canvas.ridge(layout.ground_top, 0.02, 0.4)
    canvas.paint(canvas.below(foot), (110, 140, 150), coarse=0.5, medium=0.4, grain=0.3)
    _clutter(canvas, layout, int(canvas.rng.integers(2, 7)))


def _haul_road(canvas: _Canvas, layout: Layout) -> None:
    fields = canvas.ridge(layout.ground_top, 0.03, 0.5)
    canvas.paint(canvas.below(fields), (70, 130, 110), coarse=0.7, medium=0.5, grain=0.2)
    verge = np.array(
        [
            (0, layout.road_top[0] - 0.02),
            (1, layout.road_top[1] - 0.02),
            (1, layout.road_bottom[1] + 0.02),
            (0, layout.road_bottom[0] + 0.02),
        ]
    )
    canvas.paint(canvas.polygon_mask(verge), (125, 150, 165), coarse=0.3, medium=0.3, grain=0.3)
    road = np.array(
        [(0, layout.road_top[0]), (1, layout.road_top[1]), (1, layout.road_bottom[1]), (0, layout.road_bottom[0])]
    )
    surface = (88, 92, 96) if canvas.rng.random() < 0.5 else (118, 138, 152)
    canvas.paint(canvas.polygon_mask(road), surface, coarse=0.2, medium=0.15, grain=0.2)
    for x in np.arange(canvas.rng.uniform(0, 0.06), 1.0, 0.08):
        a, b = (x, lane_y(layout, x, 0.5)), (x + 0.04, lane_y(layout, x + 0.04, 0.5))
        cv2.line(
            canvas.image,
            (int(a[0] * canvas.w), int(a[1] * canvas.h)),
            (int(b[0] * canvas.w), int(b[1] * canvas.h)),
            (200, 205, 205),
            max(1, canvas.h // 300),
            cv2.LINE_AA,
        )
    _clutter(canvas, layout, int(canvas.rng.integers(2, 6)))


_PAINTERS = {SceneKind.QUARRY: _quarry, SceneKind.HILLSIDE: _hillside, SceneKind.HAUL_ROAD: _haul_road}


def render_backdrop(layout: Layout, rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """The empty daylight view (BGR uint8) of ``layout``, painted from ``rng``."""
    canvas = _Canvas(rng, width, height)
    _sky(canvas, layout)
    _PAINTERS[layout.scene](canvas, layout)
    return canvas.image


def scar_texture(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Freshly exposed rock and soil (新开挖面): lighter and warmer than weathered ground."""
    canvas = _Canvas(rng, width, height)
    return canvas.texture((150, 190, 215), coarse=0.3, medium=0.5, grain=0.35)
