"""Light, weather and camera artefacts (光照、天气、成像): what turns a clean drawing into a camera frame.

Order matters and ``scene.compose`` keeps it: dust haze on the lit scene, then the day/night tone curve,
then lamps (they shine whatever the ambient light), rain, sensor noise and compression blur.
"""

from __future__ import annotations

import cv2
import msgspec
import numpy as np

from vision.synth.actors import Lamp
from vision.synth.terrain import value_noise

LIGHTS_ON_BELOW = 0.4  # machines run their lamps below this ambient level
_DUST: tuple[int, int, int] = (150, 175, 196)
_NIGHT_TINT = np.array((1.3, 0.95, 0.7))
_DUSK_TINT = np.array((0.78, 0.92, 1.12))


class Conditions(msgspec.Struct, frozen=True):
    """How the scene is lit and seen."""

    light: float = 1.0  # ambient level: 1 day, about 0.4 dusk, 0 night
    rain: float = 0.0  # 0–1 streak density
    dust: float = 0.0  # 0–1 haze density
    noise: float = 2.0  # sensor noise sigma in daylight (grey levels); darkness adds more
    blur: float = 0.0  # Gaussian sigma in pixels before compression
    jpeg_quality: int = 0  # 0 leaves the frame uncompressed (clips are compressed by H.264 instead)


def tone_lut(light: float, rain: float = 0.0) -> np.ndarray:
    """Per-channel lookup table for the ambient light level, with rain's flat overcast look."""
    level = min(1.0, max(0.0, light))
    brightness = 0.1 + 0.9 * level**1.6
    if level < 0.5:
        tint = _NIGHT_TINT + (_DUSK_TINT - _NIGHT_TINT) * (level / 0.5)
    else:
        tint = _DUSK_TINT + (np.ones(3) - _DUSK_TINT) * ((level - 0.5) / 0.5)
    values = np.arange(256, dtype=np.float64)[:, None]
    contrast = 1.0 - 0.25 * rain
    toned = (values * contrast + 128.0 * (1.0 - contrast)) * brightness * tint[None, :] + 3.0
    return np.clip(toned, 0, 255).astype(np.uint8).reshape(256, 1, 3)


def apply_tone(image: np.ndarray, light: float, rain: float = 0.0) -> np.ndarray:
    return cv2.LUT(image, tone_lut(light, rain))


def draw_lamps(image: np.ndarray, lamps: list[Lamp], light: float) -> None:
    """Head lamps with a glow and a beam, tail lights red; nothing in daylight."""
    strength = 1.0 - light / LIGHTS_ON_BELOW
    if strength <= 0.0:
        return
    for lamp in lamps:
        colour = (40, 40, 230) if lamp.rear else (200, 235, 255)
        if not lamp.rear:
            _add_beam(image, lamp, strength)
        _add_glow(image, lamp, colour, strength)


def _add_glow(image: np.ndarray, lamp: Lamp, colour: tuple[int, int, int], strength: float) -> None:
    radius = max(2, int(lamp.size * 3))
    h, w = image.shape[:2]
    x0, y0, x1, y1 = int(lamp.x) - radius, int(lamp.y) - radius, int(lamp.x) + radius + 1, int(lamp.y) + radius + 1
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if cx0 >= cx1 or cy0 >= cy1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    falloff = np.exp(-(((xx - lamp.x) ** 2 + (yy - lamp.y) ** 2) / (radius * 0.4) ** 2))
    glow = (falloff[..., None] * np.array(colour, np.float32) * strength).astype(np.uint8)
    roi = image[cy0:cy1, cx0:cx1]
    cv2.add(roi, glow[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0], dst=roi)


def _add_beam(image: np.ndarray, lamp: Lamp, strength: float) -> None:
    reach = lamp.size * 40
    cone = np.array(
        [
            (lamp.x, lamp.y),
            (lamp.x + lamp.facing * reach, lamp.y + reach * 0.05),
            (lamp.x + lamp.facing * reach, lamp.y + reach * 0.35),
        ]
    )
    h, w = image.shape[:2]
    x0, y0 = max(0, int(cone[:, 0].min()) - 2), max(0, int(cone[:, 1].min()) - 2)
    x1, y1 = min(w, int(cone[:, 0].max()) + 3), min(h, int(cone[:, 1].max()) + 3)
    if x0 >= x1 or y0 >= y1:
        return
    roi = image[y0:y1, x0:x1]  # only the cone's surroundings: a full-frame overlay per lamp is slow at 1080p
    overlay = np.zeros_like(roi)
    level = int(45 * strength)
    points = np.round(cone * 16).astype(np.int32) - np.array([x0 * 16, y0 * 16], np.int32)
    cv2.fillPoly(overlay, [points], (level, level + 5, level + 8), cv2.LINE_AA, shift=4)
    cv2.add(roi, overlay, dst=roi)


class Haze:
    """Dust haze (扬尘): opacity thicker near the ground and in drifting clouds, blended in two byte passes."""

    def __init__(self, rng: np.random.Generator, height: int, width: int, density: float) -> None:
        rows = np.linspace(0.4, 1.0, height, dtype=np.float32)[:, None]
        clouds = value_noise(rng, height, width, height / 3, octaves=2)
        alpha = np.clip(density * 0.7 * rows * (0.5 + clouds), 0.0, 0.7)[..., None]
        self.keep = np.repeat(np.round((1.0 - alpha) * 255), 3, axis=2).astype(np.uint8)
        self.dust = np.round(alpha * np.array(_DUST, np.float32)).astype(np.uint8)

    def apply(self, image: np.ndarray) -> None:
        cv2.multiply(image, self.keep, dst=image, scale=1.0 / 255.0)
        cv2.add(image, self.dust, dst=image)


def draw_rain(image: np.ndarray, rng: np.random.Generator, intensity: float, light: float) -> None:
    """Bright slanted streaks, as drops near the lens catch the light."""
    h, w = image.shape[:2]
    count = int(intensity * h * w / 2500)
    if count == 0:
        return
    layer = np.zeros_like(image)
    lean = rng.uniform(-0.35, 0.35)
    x = rng.uniform(0, w, count)
    y = rng.uniform(0, h, count)
    length = rng.uniform(0.015, 0.05, count) * h
    value = int(70 * max(0.3, light))
    for x0, y0, n in zip(x, y, length, strict=True):
        cv2.line(layer, (int(x0), int(y0)), (int(x0 + lean * n), int(y0 + n)), (value, value, value), 1, cv2.LINE_AA)
    cv2.add(image, layer, dst=image)


class Grain:
    """Sensor noise from one pre-drawn field, read at a random offset each frame (fast at 1080p)."""

    _PAD = 64

    def __init__(self, rng: np.random.Generator, height: int, width: int) -> None:
        field = rng.normal(0.0, 8.0, (height + self._PAD, width + self._PAD, 3)).astype(np.float32)
        self.positive = np.clip(field, 0, 255).astype(np.uint8)
        self.negative = np.clip(-field, 0, 255).astype(np.uint8)
        self.height, self.width = height, width

    def apply(self, image: np.ndarray, rng: np.random.Generator, sigma: float) -> None:
        dy, dx = (int(v) for v in rng.integers(0, self._PAD, 2))
        window = np.s_[dy : dy + self.height, dx : dx + self.width]
        gain = sigma / 8.0
        cv2.addWeighted(image, 1.0, self.positive[window], gain, 0.0, dst=image)
        cv2.addWeighted(image, 1.0, self.negative[window], -gain, 0.0, dst=image)


def noise_sigma(conditions: Conditions, light: float) -> float:
    """Darkness raises the gain and with it the noise."""
    return conditions.noise * (1.0 + 3.0 * (1.0 - min(1.0, max(0.0, light))))


def degrade(image: np.ndarray, blur: float, jpeg_quality: int) -> np.ndarray:
    """Optics and compression: a soft lens, then a JPEG round trip."""
    if blur > 0:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    if jpeg_quality:
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
        if ok and (decoded := cv2.imdecode(encoded, cv2.IMREAD_COLOR)) is not None:
            image = decoded
    return image
