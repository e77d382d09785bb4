"""The evaluation renderer (评测场景渲染): a world drawn unlike the training scenes, seen by unlike cameras.

Nothing here is shared with ``vision.synth``: the terrain is a shaded height field (spectral noise, lit
from the side) with loess, limestone or red-sandstone colours, terraces, a curved haul road, sheds,
fences and poles; vehicles are drawn with other proportions; the camera has lens distortion,
vignetting, automatic gain with the noise that comes with it, an infrared night mode with its
illuminator, an on-screen clock burnt in after the lens, and JPEG compression at its own quality.
Lamps are headlights with a beam on the ground, work lamps and torches, each with a saturated core and
bloom. Tampering acts on the light before the sensor (a cloth, a hand-slid cover, a dead illuminator,
a blur, a knock), so noise and the clock go on as a real camera's do; a frozen encoder repeats the scene
while the clock ticks.

``render(world, t_s)`` returns the frame and the boxes (pixels) of the vehicles in it.
"""

from __future__ import annotations

import datetime as dt
import functools
import math

import cv2
import msgspec
import numpy as np

PALETTES = {
    "loess": ((92, 142, 186), (70, 110, 150), (120, 170, 205)),  # ground, dark, light (BGR)
    "limestone": ((150, 152, 148), (105, 108, 106), (196, 198, 192)),
    "sandstone": ((70, 96, 168), (52, 70, 125), (102, 134, 205)),
}
SKY = np.array((215, 185, 150), np.float32)
VEHICLE_COLOURS = ((30, 60, 200), (190, 120, 30), (20, 170, 230), (60, 140, 60), (200, 200, 200))


class CameraModel(msgspec.Struct, frozen=True):
    """How a camera sees (相机模型)."""

    name: str
    width: int
    height: int
    fps: int = 25
    distortion: float = -0.12  # barrel (negative) radial coefficient
    vignette: float = 0.35  # light lost at the corners
    noise: float = 2.5  # sensor noise sigma at unit gain, grey levels
    jpeg_quality: int = 70
    max_gain: float = 8.0  # automatic gain at night multiplies the noise


class Path(msgspec.Struct, frozen=True):
    """Where something is at a time: straight lines between (t_s, x, y) points, held before and after."""

    points: list[tuple[float, float, float]]
    appear_s: float = 0.0
    leave_s: float | None = None

    def at(self, t_s: float) -> tuple[float, float] | None:
        if t_s < self.appear_s or (self.leave_s is not None and t_s >= self.leave_s):
            return None
        times = [p[0] for p in self.points]
        x = float(np.interp(t_s, times, [p[1] for p in self.points]))
        y = float(np.interp(t_s, times, [p[2] for p in self.points]))
        return x, y

    def heading(self, t_s: float) -> int:
        ahead, here = self.at(t_s + 0.2), self.at(t_s)
        return -1 if ahead is not None and here is not None and ahead[0] < here[0] else 1


class Lamp(msgspec.Struct, frozen=True):
    kind: str  # headlights | work_lamp | torch
    path: Path
    power: float = 1.0
    flicker: float = 0.0  # 0–1 random flicker of a failing lamp


class Vehicle(msgspec.Struct, frozen=True):
    kind: str  # dump_truck | excavator
    path: Path
    scale: float = 1.0
    lights: bool = True
    colour: int = 0


class Tamper(msgspec.Struct, frozen=True):
    """``covered`` (cloth; ``coverage`` < 1 from the left edge; ``ramp_s`` slides it in), ``ir_failure``,
    ``defocused`` (blur growing over ``ramp_s``), ``moved`` (shift as a share of the width, degrees of
    roll), ``frozen``, ``offline``."""

    kind: str
    start_s: float
    end_s: float | None = None  # None: to the end
    ramp_s: float = 0.0
    coverage: float = 1.0
    shift: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def active(self, t_s: float) -> bool:
        return self.start_s <= t_s and (self.end_s is None or t_s < self.end_s)

    def extent(self, t_s: float) -> float:
        return 1.0 if self.ramp_s <= 0 else min(1.0, max(0.0, (t_s - self.start_s) / self.ramp_s))


class Ground(msgspec.Struct, frozen=True):
    """The empty site: its rock, where the sky begins, the haul road (centre y at x=0 and x=1, half width)."""

    seed: int = 0
    palette: str = "loess"
    horizon: float = 0.3
    road: tuple[float, float, float] = (0.72, 0.66, 0.06)


class World(msgspec.Struct, frozen=True):
    """One camera's scene, its light, weather and what happens."""

    camera: CameraModel
    start: dt.datetime
    duration_s: float
    ground: Ground = Ground()
    light: tuple[tuple[float, float], ...] = ((0.0, 1.0),)  # (t_s, level): 1 day, 0 night
    ir_below: float = 0.15  # the camera switches to infrared under this light
    rain: float = 0.0
    snow: float = 0.0
    fog: float = 0.0
    lamps: list[Lamp] = []
    vehicles: list[Vehicle] = []
    tamper: list[Tamper] = []

    def active(self, kind: str, t_s: float) -> Tamper | None:
        return next((x for x in self.tamper if x.kind == kind and x.active(t_s)), None)

    def starts(self, kind: str) -> float | None:
        """When the first tamper of this kind begins, if any."""
        return next((x.start_s for x in self.tamper if x.kind == kind), None)


def _spectral(rng: np.random.Generator, h: int, w: int, beta: float) -> np.ndarray:
    """Noise with a 1/f^beta power spectrum, scaled to 0–1: terrain, cloth, clouds."""
    fy, fx = np.fft.fftfreq(h)[:, None], np.fft.rfftfreq(w)[None, :]
    radius = np.maximum(np.hypot(fx, fy), 1.0 / max(h, w))
    spectrum = (rng.normal(size=radius.shape) + 1j * rng.normal(size=radius.shape)) / radius ** (beta / 2)
    field = np.fft.irfft2(spectrum, s=(h, w)).astype(np.float32)
    return (field - field.min()) / (np.ptp(field) + 1e-9)


def road_y(ground: Ground, x: np.ndarray | float) -> np.ndarray | float:
    """The haul road's centre line at ``x`` (normalised)."""
    left, right, _ = ground.road
    return left + (right - left) * np.asarray(x) + 0.03 * np.sin(np.asarray(x) * 5.0)


@functools.lru_cache(maxsize=8)
def _terrain(site: Ground, w: int, h: int) -> np.ndarray:
    """The empty scene by day, float32 BGR: sky, ridge, shaded ground, terraces, road, sheds, poles."""
    rng = np.random.default_rng([site.seed, 7])
    ground, dark, light = (np.array(c, np.float32) for c in PALETTES[site.palette])
    height = cv2.resize(_spectral(rng, h // 4, w // 4, 3.2), (w, h), interpolation=cv2.INTER_CUBIC)
    shade = np.clip(0.75 + 6.0 * cv2.Sobel(height, cv2.CV_32F, 1, 0, ksize=5) / 32, 0.45, 1.3)
    grain = cv2.resize(_spectral(rng, h // 2, w // 2, 1.6), (w, h))
    image = (ground[None, None] * (0.7 + 0.6 * grain[..., None])) * shade[..., None]
    ys = np.arange(h, dtype=np.float32)[:, None] / h
    xs = np.arange(w, dtype=np.float32)[None, :] / w
    _terraces(image, site, xs, ys, dark, light)
    road = np.abs(ys - road_y(site, xs)) < site.road[2] * (0.5 + ys)
    image[road] = image[road] * 0.35 + light * 0.65
    ridge = site.horizon + 0.05 * _spectral(rng, 1, w, 2.0)[0][None, :] - 0.02
    sky = ys < ridge
    image[sky] = np.broadcast_to(SKY[None, None] * (0.8 + 0.4 * ys[..., None]), image.shape)[sky]
    _structures(image, site, rng)
    return image


def _terraces(
    image: np.ndarray, site: Ground, xs: np.ndarray, ys: np.ndarray, dark: np.ndarray, light: np.ndarray
) -> None:
    """Quarry benches: bands of fresh rock with a shadow line under each lip, on the left of the view."""
    face = (xs < 0.55) & (ys > site.horizon) & (ys < site.horizon + 0.28)
    level = ((ys - site.horizon) / 0.07 + 0.6 * xs) % 1.0
    rock = np.where((level < 0.12)[..., None], dark, light)
    blend = np.where(face[..., None], 0.55, 0.0)
    image[:] = image * (1 - blend) + rock * blend


def _structures(image: np.ndarray, site: Ground, rng: np.random.Generator) -> None:
    """Sheds with windows, a fence and power poles: the straight edges a fixed camera always sees."""
    h, w = image.shape[:2]
    for _ in range(3):
        x0, y0 = int(rng.uniform(0.55, 0.9) * w), int((site.horizon + rng.uniform(0.08, 0.2)) * h)
        sw, sh = int(rng.uniform(0.05, 0.09) * w), int(rng.uniform(0.04, 0.07) * h)
        cv2.rectangle(image, (x0, y0), (x0 + sw, y0 + sh), (175, 175, 170), -1)
        cv2.rectangle(image, (x0 - 3, y0 - sh // 4), (x0 + sw + 3, y0), (60, 60, 140), -1)
        for k in range(3):
            wx = x0 + sw * (k + 1) // 4
            cv2.rectangle(image, (wx - 3, y0 + sh // 3), (wx + 3, y0 + sh // 2), (70, 60, 50), -1)
    for k in range(9):
        x = int((0.05 + 0.1 * k) * w)
        top = int((site.horizon + 0.02) * h)
        cv2.line(image, (x, top), (x, top + int(0.12 * h)), (50, 45, 40), max(2, w // 400))
    cv2.line(image, (0, int((site.horizon + 0.06) * h)), (w, int((site.horizon + 0.04) * h)), (40, 40, 40), 1)


def _size(world: World, y: float, scale: float) -> float:
    """A vehicle's height in pixels where it stands: perspective grows it towards the bottom of the view."""
    horizon = world.ground.horizon
    return scale * world.camera.height * (0.03 + 0.22 * max(0.0, y - horizon) / (1.0 - horizon))


def _draw_vehicle(image: np.ndarray, world: World, vehicle: Vehicle, t_s: float) -> tuple[float, ...] | None:
    """Draw one vehicle standing at its path's point; its box in pixels, or None when it is not there."""
    here = vehicle.path.at(t_s)
    if here is None:
        return None
    w, h = world.camera.width, world.camera.height
    size = _size(world, here[1], vehicle.scale)
    face = vehicle.path.heading(t_s)
    colour = VEHICLE_COLOURS[vehicle.colour % len(VEHICLE_COLOURS)]
    parts = _truck(size) if vehicle.kind == "dump_truck" else _excavator(size, t_s)
    x0, y0 = here[0] * w, here[1] * h
    points = []
    for polygon, tone in parts:
        drawn = np.stack([x0 + face * polygon[:, 0], y0 - polygon[:, 1]], axis=1)
        cv2.fillPoly(image, [np.round(drawn).astype(np.int32)], tuple(c * tone for c in colour), cv2.LINE_AA)
        points.append(drawn)
    every = np.concatenate(points)
    return (*every.min(axis=0), *every.max(axis=0))


def _box(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], np.float32)


def _wheel(cx: float, cy: float, r: float) -> np.ndarray:
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    return np.stack([cx + r * np.cos(angles), cy + r * np.sin(angles)], axis=1).astype(np.float32)


def _truck(s: float) -> list[tuple[np.ndarray, float]]:
    """Side view, nose to the right, ground at 0 (y up): chassis, tipper body, cab with window, wheels."""
    return [
        (_box(-1.2 * s, 0.2 * s, 1.2 * s, 0.35 * s), 0.35),
        (np.array([(-1.25 * s, 0.35 * s), (0.45 * s, 0.35 * s), (0.5 * s, 0.95 * s), (-1.3 * s, 0.9 * s)]), 1.0),
        (_box(0.55 * s, 0.3 * s, 1.2 * s, 1.0 * s), 0.85),
        (_box(0.8 * s, 0.65 * s, 1.15 * s, 0.9 * s), 0.25),
        (_wheel(-0.85 * s, 0.16 * s, 0.16 * s), 0.15),
        (_wheel(-0.45 * s, 0.16 * s, 0.16 * s), 0.15),
        (_wheel(0.85 * s, 0.16 * s, 0.16 * s), 0.15),
    ]


def _excavator(s: float, t_s: float) -> list[tuple[np.ndarray, float]]:
    """Tracks, house, and a boom and arm that swing slowly as it digs."""
    swing = 0.25 * math.sin(t_s * 0.9)
    elbow = (0.6 * s + 0.9 * s * math.cos(0.7 + swing), 0.75 * s + 0.9 * s * math.sin(0.7 + swing))
    tip = (elbow[0] + 0.7 * s * math.cos(-1.2 + swing), elbow[1] + 0.7 * s * math.sin(-1.2 + swing))
    return [
        (_box(-0.9 * s, 0.0, 0.9 * s, 0.28 * s), 0.2),
        (_box(-0.8 * s, 0.28 * s, 0.55 * s, 0.8 * s), 1.0),
        (_box(0.15 * s, 0.8 * s, 0.55 * s, 1.15 * s), 0.8),
        (_bar((0.4 * s, 0.75 * s), elbow, 0.12 * s), 0.9),
        (_bar(elbow, tip, 0.09 * s), 0.9),
    ]


def _bar(a: tuple[float, float], b: tuple[float, float], width: float) -> np.ndarray:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length * width / 2, dx / length * width / 2
    return np.array([(a[0] + nx, a[1] + ny), (b[0] + nx, b[1] + ny), (b[0] - nx, b[1] - ny), (a[0] - nx, a[1] - ny)])


def _level(world: World, t_s: float) -> float:
    times, levels = zip(*world.light, strict=True)
    return float(np.interp(t_s, times, levels))


def _lit(image: np.ndarray, world: World, t_s: float) -> tuple[np.ndarray, float]:
    """The scene under ambient light; at night in infrared: grey, brightest where the illuminator points.

    Returns the image and the camera's gain (automatic exposure lifts a dark scene and its noise)."""
    level = _level(world, t_s)
    h, w = image.shape[:2]
    if level < world.ir_below:
        grey = cv2.cvtColor(np.clip(image, 0, 255).astype(np.uint8), cv2.COLOR_BGR2GRAY).astype(np.float32)
        power = 0.0 if world.active("ir_failure", t_s) else 1.0
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        cone = np.exp(-(((xx - w / 2) / (0.55 * w)) ** 2 + ((yy - 0.65 * h) / (0.6 * h)) ** 2))
        lit = grey * (0.02 + 0.5 * power * cone)
        return np.repeat(lit[..., None], 3, axis=2), 6.0 if power else world.camera.max_gain
    gain = min(world.camera.max_gain, 1.0 / max(0.12, level))
    dusk = np.array((0.85 + 0.15 * level, 0.9 + 0.1 * level, 1.0), np.float32)
    return image * (level**1.3 * gain) * dusk, gain


def _lamps(image: np.ndarray, world: World, t_s: float, gain: float, rng: np.random.Generator) -> None:
    """Lamps light the ground (headlight beams ahead of the vehicle) and bloom into the lens."""
    h, w = image.shape[:2]
    night = max(0.0, 1.0 - _level(world, t_s) / 0.5)
    if night <= 0:
        return
    for lamp in world.lamps:
        here = lamp.path.at(t_s)
        if here is None or (lamp.flicker and rng.random() < lamp.flicker):
            continue
        x, y = here[0] * w, here[1] * h
        power = lamp.power * night * (1.0 if lamp.kind != "torch" else 0.4)
        if lamp.kind == "headlights":  # on a vehicle's nose: its path is the vehicle's ground point
            face, size = lamp.path.heading(t_s), _size(world, here[1], 1.0)
            x, y = x + face * 1.15 * size, y - 0.45 * size
            _beam(image, (x + face * 0.15 * w, y + 0.05 * h), (0.2 * w, 0.05 * h), 90.0 * power)
            for dx in (-0.01 * w, 0.01 * w):
                _glow(image, (x + dx, y), 0.01 * w, 900.0 * power)
        else:
            radius = 0.02 * w if lamp.kind == "work_lamp" else 0.008 * w
            _beam(image, (x, y + 0.06 * h), (0.12 * w, 0.05 * h), 70.0 * power)
            _glow(image, (x, y), radius, 1200.0 * power)


def _beam(image: np.ndarray, centre: tuple[float, float], axes: tuple[float, float], strength: float) -> None:
    h, w = image.shape[:2]
    yy, xx = np.ogrid[0:h, 0:w]
    spot = np.exp(-(((xx - centre[0]) / axes[0]) ** 2 + ((yy - centre[1]) / axes[1]) ** 2)).astype(np.float32)
    image += (strength * spot)[..., None] * np.array((0.9, 1.0, 1.05), np.float32)


def _glow(image: np.ndarray, centre: tuple[float, float], radius: float, strength: float) -> None:
    h, w = image.shape[:2]
    x0, x1 = int(max(0, centre[0] - 8 * radius)), int(min(w, centre[0] + 8 * radius))
    y0, y1 = int(max(0, centre[1] - 8 * radius)), int(min(h, centre[1] + 8 * radius))
    if x1 <= x0 or y1 <= y0:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    d2 = ((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2) / radius**2
    bloom = strength * (np.exp(-d2) + 0.08 * np.exp(-d2 / 16))
    image[y0:y1, x0:x1] += bloom[..., None] * np.array((0.85, 0.95, 1.0), np.float32)


def _weather(image: np.ndarray, world: World, t_s: float, rng: np.random.Generator) -> np.ndarray:
    h, w = image.shape[:2]
    if world.fog:
        depth = np.clip(1.2 - np.arange(h, dtype=np.float32) / h, 0, 1)[:, None, None]
        image = image * (1 - world.fog * depth) + 175.0 * world.fog * depth
    streaks = np.zeros((h, w), np.float32)
    for _ in range(int(world.rain * w * h / 2500)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        cv2.line(streaks, (int(x), int(y)), (int(x + 0.006 * w), int(y + 0.03 * h)), 1.0, 1)
    for _ in range(int(world.snow * w * h / 3000)):
        cv2.circle(streaks, (int(rng.uniform(0, w)), int(rng.uniform(0, h))), max(1, w // 600), 1.6, -1)
    if world.rain or world.snow:
        image = image + 45.0 * cv2.GaussianBlur(streaks, (0, 0), 0.7)[..., None]
    return image


def _knock(world: World, t_s: float) -> np.ndarray | None:
    """The 2×3 map of a camera knocked on its mount (roll about the centre, then pan and tilt), if it was."""
    moved = world.active("moved", t_s)
    if moved is None:
        return None
    w, h = world.camera.width, world.camera.height
    dx, dy, roll = moved.shift
    matrix = np.asarray(cv2.getRotationMatrix2D((w / 2, h / 2), roll * moved.extent(t_s), 1.0), np.float64)
    matrix[:, 2] += (dx * w * moved.extent(t_s), dy * h * moved.extent(t_s))
    return matrix


def _tampered(image: np.ndarray, world: World, t_s: float) -> np.ndarray:
    """What happens between the scene and the sensor: a knock, a blur, a cloth."""
    h, w = image.shape[:2]
    if (matrix := _knock(world, t_s)) is not None:
        image = cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)
    if blur := world.active("defocused", t_s):
        sigma = 0.5 + 0.012 * w * blur.extent(t_s)
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    if cover := world.active("covered", t_s):
        reach = cover.coverage * cover.extent(t_s)
        cloth = _cloth(world.ground.seed, h, w)
        edge = np.clip((reach * w - np.arange(w, dtype=np.float32)) / (0.02 * w), 0, 1)[None, :, None]
        image = image * (1 - edge) + cloth * edge
    return image


@functools.lru_cache(maxsize=4)
def _cloth(seed: int, h: int, w: int) -> np.ndarray:
    """Dark fabric right against the lens: out of focus, a faint weave of light leaking through."""
    rng = np.random.default_rng([seed, 11])
    blotch = cv2.resize(_spectral(rng, h // 8, w // 8, 2.5), (w, h), interpolation=cv2.INTER_CUBIC)
    return (12.0 + 22.0 * blotch)[..., None] * np.array((0.9, 1.0, 1.15), np.float32)


@functools.lru_cache(maxsize=4)
def _lens_maps(width: int, height: int, k1: float, vignette: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    nx, ny = (xx - width / 2) / (width / 2), (yy - height / 2) / (width / 2)
    r2 = nx**2 + ny**2
    factor = 1 + k1 * r2
    map_x, map_y = nx * factor * width / 2 + width / 2, ny * factor * width / 2 + height / 2
    shading = (1 - vignette * r2 / r2.max()).astype(np.float32)[..., None]
    return map_x.astype(np.float32), map_y.astype(np.float32), shading


def _sensor(image: np.ndarray, world: World, t_s: float, gain: float, rng: np.random.Generator) -> np.ndarray:
    """Lens distortion and vignetting, noise grown with the gain, the clock burnt in, JPEG compression."""
    camera = world.camera
    map_x, map_y, shading = _lens_maps(camera.width, camera.height, camera.distortion, camera.vignette)
    image = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE) * shading
    sigma = camera.noise * math.sqrt(gain)
    image = image + rng.normal(0.0, sigma, image.shape[:2]).astype(np.float32)[..., None]
    out = np.clip(image, 0, 255).astype(np.uint8)
    stamp = (world.start + dt.timedelta(seconds=t_s)).strftime("%Y-%m-%d %H:%M:%S")
    scale = camera.width / 1400
    cv2.putText(out, stamp, (int(0.02 * camera.width), int(0.05 * camera.height)), 0, scale, (235, 235, 235), 2)
    ok, jpeg = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, camera.jpeg_quality])
    decoded = cv2.imdecode(jpeg, cv2.IMREAD_COLOR) if ok else None
    return out if decoded is None else np.asarray(decoded)


def render(world: World, t_s: float) -> tuple[np.ndarray, list[tuple[str, tuple[float, ...]]]]:
    """The frame the camera gives at ``t_s`` and each visible vehicle's (class, pixel box)."""
    frozen = world.active("frozen", t_s)
    scene_t = frozen.start_s if frozen is not None else t_s
    image = _terrain(world.ground, world.camera.width, world.camera.height).copy()
    boxes = []
    for vehicle in world.vehicles:
        box = _draw_vehicle(image, world, vehicle, scene_t)
        if box is not None:
            boxes.append((vehicle.kind, box))
    rng = np.random.default_rng([world.ground.seed, 3, round(scene_t * world.camera.fps)])
    image, gain = _lit(image, world, scene_t)
    _lamps(image, world, scene_t, gain, rng)
    image = _weather(image, world, scene_t, rng)
    image = _tampered(image, world, t_s)
    noise = np.random.default_rng([world.ground.seed, 5, round(scene_t * world.camera.fps)])  # frozen with the scene
    return _sensor(image, world, t_s, gain, noise), _visible(world, boxes, t_s)


def _through_lens(world: World, t_s: float, box: tuple[float, ...]) -> tuple[int, int, int, int] | None:
    """Where a scene box lands in the frame: carried along a knock, then bent by the lens distortion.

    The frame's pixels whose lens map samples the box: exact, where inverting the distortion is not (a
    barrel lens has no inverse at the edge of its view: the fixed-point inversion diverged there and made a
    truck entering the frame a box across most of it)."""
    x1, y1, x2, y2 = box
    corners = np.array([(x1, y1), (x2, y1), (x1, y2), (x2, y2)], np.float64)
    if (matrix := _knock(world, t_s)) is not None:
        corners = np.c_[corners, np.ones(len(corners))] @ matrix.T
    (x1, y1), (x2, y2) = corners.min(axis=0), corners.max(axis=0)
    camera = world.camera
    map_x, map_y, _ = _lens_maps(camera.width, camera.height, camera.distortion, camera.vignette)
    rows, columns = np.nonzero((map_x >= x1) & (map_x <= x2) & (map_y >= y1) & (map_y <= y2))
    if rows.size == 0:
        return None
    return int(columns.min()), int(rows.min()), int(columns.max()) + 1, int(rows.max()) + 1


def _visible(world: World, boxes: list[tuple[str, tuple[float, ...]]], t_s: float) -> list:
    """Boxes the camera still shows: none through a cover or a dead illuminator, carried along a knock."""
    if world.active("covered", t_s) or world.active("ir_failure", t_s):
        return []
    kept = []
    for kind, box in boxes:
        seen = _through_lens(world, t_s, box)
        if seen is not None and seen[2] - seen[0] > 4 and seen[3] - seen[1] > 4:
            kept.append((kind, seen))
    return kept
