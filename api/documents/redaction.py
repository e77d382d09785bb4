"""Blurring faces and licence plates in a photo before it is published (公示图片脱敏).

What it finds, and what it cannot:
- **Faces**: scikit-image's LBP frontal-face cascade (``lbpcascade_frontalface_opencv.xml``, the
  OpenCV cascade shipped inside the scikit-image wheel), on the photo scaled to at most 800 px.
  It finds frontal and near-frontal faces from 20 px up to a third of the photo's height (on the
  ultralytics sample photos: the five pedestrians' faces in ``bus.jpg``, part of each face in
  ``zidane.jpg``); it misses profiles, faces turned away, under helmets or masks, and very small or
  blurred faces. It is tuned to over-blur (two neighbours suffice), so it also marks some patches
  of background as faces: a cost in blur, not in privacy. The opencv-python 5 wheel ships no
  cascades and no ``CascadeClassifier``, and YuNet's ONNX model is on no package registry, so
  OpenCV's own detectors could not be used offline.
- **Licence plates**: a documented colour heuristic for Chinese plates (GA 36): a blue (小型汽车),
  yellow (大型汽车, 挂车 — the dump trucks on haul roads) or green (新能源) region that is a filled
  rectangle about 2–6 times as wide as tall, with light or dark characters inside. It finds plates
  seen roughly face-on in daylight, from about 40 px wide; it misses plates at a steep angle, dirty
  or mud-covered plates, white (police, military) and black plates, and plates at night; a blue or
  yellow sign or a stripe of the same shape is blurred too.
Whatever is found is blurred strongly (Gaussian, radius a third of the region's height) with a
margin. The caller keeps the original untouched; only the blurred copy is published.
"""

from __future__ import annotations

import functools
import io

import msgspec
import numpy as np
from PIL import Image, ImageFilter
from skimage import color, data, feature, measure, morphology

WORK_SIZE = 800  # detection runs on the photo scaled to this longest side
PLATE_ASPECT = (2.0, 6.0)
PLATE_MIN_WIDTH = 40
PLATE_MAX_SHARE = 0.05  # of the image's area
HUES = {"blue": (0.55, 0.70), "yellow": (0.08, 0.18), "green": (0.25, 0.45)}  # skimage HSV, 0–1
MARGIN = 0.3  # a face box is tight around eyes and mouth; hair, ears and chin must go too


class Box(msgspec.Struct, frozen=True):
    """A region in the original photo's pixels: left, top, width, height."""

    x: int
    y: int
    w: int
    h: int


class Redacted(msgspec.Struct, frozen=True, kw_only=True):
    jpeg: bytes
    faces: list[Box]
    plates: list[Box]


@functools.cache
def _faces_cascade() -> feature.Cascade:
    return feature.Cascade(data.lbp_frontal_face_cascade_filename())


def redact(photo: bytes) -> Redacted:
    """The photo with faces and plates blurred, as JPEG, and where they were found."""
    image = Image.open(io.BytesIO(photo)).convert("RGB")
    scale = min(1.0, WORK_SIZE / max(image.size))
    small = np.asarray(image.resize((round(image.width * scale), round(image.height * scale))) if scale < 1 else image)
    faces = [_scaled(b, scale) for b in find_faces(small)]
    plates = [_scaled(b, scale) for b in find_plates(small)]
    for box in faces + plates:
        _blur(image, box)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return Redacted(jpeg=out.getvalue(), faces=faces, plates=plates)


def find_faces(rgb: np.ndarray) -> list[Box]:
    found = _faces_cascade().detect_multi_scale(
        img=color.rgb2gray(rgb),
        scale_factor=1.2,
        step_ratio=1,
        min_size=(20, 20),
        max_size=(rgb.shape[0] // 3, rgb.shape[0] // 3),
        min_neighbor_number=2,
    )
    return [Box(f["c"], f["r"], f["width"], f["height"]) for f in found]


def find_plates(rgb: np.ndarray) -> list[Box]:
    hsv = color.rgb2hsv(rgb)
    saturated = (hsv[..., 1] > 0.45) & (hsv[..., 2] > 0.3)
    boxes = []
    for low, high in HUES.values():
        mask = morphology.closing(
            saturated & (hsv[..., 0] >= low) & (hsv[..., 0] <= high), morphology.footprint_rectangle((5, 9))
        )
        boxes += [b for region in measure.regionprops(measure.label(mask)) if (b := _plate_like(region, hsv))]
    return boxes


def _plate_like(region: measure._regionprops.RegionProperties, hsv: np.ndarray) -> Box | None:
    top, left, bottom, right = region.bbox
    w, h = right - left, bottom - top
    image_area = hsv.shape[0] * hsv.shape[1]
    if not (w >= PLATE_MIN_WIDTH and PLATE_ASPECT[0] <= w / max(h, 1) <= PLATE_ASPECT[1]):
        return None
    if region.extent < 0.5 or w * h > PLATE_MAX_SHARE * image_area:
        return None
    inside = hsv[top:bottom, left:right]
    characters = (inside[..., 1] < 0.35) | (inside[..., 2] < 0.25)  # white or black strokes on the colour
    return Box(left, top, w, h) if 0.08 <= characters.mean() <= 0.6 else None


def _scaled(box: Box, scale: float) -> Box:
    return Box(*(round(v / scale) for v in (box.x, box.y, box.w, box.h)))


def _blur(image: Image.Image, box: Box) -> None:
    dx, dy = round(box.w * MARGIN), round(box.h * MARGIN)
    area = (
        max(box.x - dx, 0),
        max(box.y - dy, 0),
        min(box.x + box.w + dx, image.width),
        min(box.y + box.h + dy, image.height),
    )
    region = image.crop(area).filter(ImageFilter.GaussianBlur(radius=max(box.h / 3, 4)))
    image.paste(region, area[:2])
