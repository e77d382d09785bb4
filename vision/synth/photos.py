"""Real photographs from installed packages (真实照片): hard negatives, real backdrops, a few real people.

A model trained on drawings alone fires on anything it has never seen (people boxed as drill rigs).
These photographs ship inside PyPI packages the project pins (scikit-image, scikit-learn, matplotlib), so
training stays reproducible offline; only photographs whose licence allows reuse are listed, with it.
Nothing here is a quarry: each photograph is either a *hard negative* (no machinery in it, cropped and
degraded many ways), a *real backdrop* with synthetic actors drawn on it, or, for the three portraits, a
*real person* boxed by hand (``people``, pixels of the original). The held-out check images of
ultralytics (``bus.jpg``, ``zidane.jpg``) are never used here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import cv2
import msgspec
import numpy as np

from vision.synth.actors import CLASS_NAMES
from vision.synth.scene import Box, compose, random_conditions, random_poses
from vision.synth.terrain import SceneKind, jittered_layout

PERSON = CLASS_NAMES.index("person")
MIN_VISIBLE = 0.5  # a cropped person keeps its label only if at least half of it is still in the frame


class Photo(msgspec.Struct, frozen=True):
    """One photograph: where it comes from, under which licence, and the people in it (pixel boxes)."""

    name: str
    package: str  # the PyPI package that installs it
    origin: str  # path or function inside the package, and the original source
    licence: str
    people: tuple[tuple[int, int, int, int], ...] = ()
    held_out: bool = False  # scenes from it go to the validation split only


PHOTOS: tuple[Photo, ...] = (
    Photo("astronaut", "scikit-image", "skimage.data.astronaut (NASA)", "public domain",
          people=((18, 14, 366, 512),)),
    Photo("camera", "scikit-image", "skimage.data.camera (Lav Varshney)", "CC0", people=((0, 64, 332, 512),)),
    Photo("grace_hopper", "matplotlib", "mpl-data/sample_data/grace_hopper.jpg (US Navy)", "public domain",
          people=((20, 18, 512, 600),)),
    Photo("coffee", "scikit-image", "skimage.data.coffee (Rachel Michetti)", "CC0"),
    Photo("rocket", "scikit-image", "skimage.data.rocket (SpaceX)", "public domain"),
    Photo("hubble_deep_field", "scikit-image", "skimage.data.hubble_deep_field (NASA)", "public domain"),
    Photo("grass", "scikit-image", "skimage.data.grass (linolafett, DeviantArt)", "CC0"),
    Photo("gravel", "scikit-image", "skimage.data.gravel (CC0Textures Gravel04)", "CC0"),
    Photo("brick", "scikit-image", "skimage.data.brick (CC0Textures Bricks25)", "CC0"),
    Photo("coins", "scikit-image", "skimage.data.coins (Brooklyn Museum)", "no known copyright restrictions"),
    Photo("retina", "scikit-image", "skimage.data.retina (Mikael Häggström, Wikimedia)", "CC0"),
    Photo("flower", "scikit-learn", "sklearn/datasets/images/flower.jpg (vultilion, Flickr 6056698931)",
          "CC BY 2.0"),
    Photo("chelsea", "scikit-image", "skimage.data.chelsea (Stefan van der Walt)", "CC0", held_out=True),
    Photo("clock", "scikit-image", "skimage.data.clock (Stefan van der Walt)", "public domain", held_out=True),
    Photo("china", "scikit-learn", "sklearn/datasets/images/china.jpg (danielbuechele, Flickr 6061409035)",
          "CC BY 2.0", held_out=True),
)  # fmt: skip


@functools.cache
def load(name: str) -> np.ndarray:
    """The photograph as BGR pixels, read from the installed package."""
    loader = _LOADERS[next(p.package for p in PHOTOS if p.name == name)]
    image = loader(name)
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


def _skimage(name: str) -> np.ndarray:
    import skimage.data

    image = np.asarray(getattr(skimage.data, name)())
    return image if image.ndim == 2 else cv2.cvtColor(image[..., :3], cv2.COLOR_RGB2BGR)


def _sklearn(name: str) -> np.ndarray:
    import sklearn.datasets

    return _read(Path(sklearn.datasets.__file__).parent / "images" / f"{name}.jpg")


def _matplotlib(name: str) -> np.ndarray:
    import matplotlib

    return _read(Path(matplotlib.get_data_path()) / "sample_data" / f"{name}.jpg")


def _read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(f"{path} is missing: install the training extra (uv sync --extra train)")
    return image


_LOADERS: dict[str, Callable[[str], np.ndarray]] = {
    "scikit-image": _skimage,
    "scikit-learn": _sklearn,
    "matplotlib": _matplotlib,
}


def _crop(photo: Photo, rng: np.random.Generator, width: int, height: int) -> tuple[np.ndarray, list[Box]]:
    """A random window of the photograph at the frame's aspect, scaled to the frame, mirrored half the time."""
    image = load(photo.name)
    h, w = image.shape[:2]
    scale = float(rng.uniform(0.55, 1.0))
    cw = min(w, h * width / height) * scale
    ch = cw * height / width
    x0, y0 = float(rng.uniform(0, w - cw)), float(rng.uniform(0, h - ch))
    factor = width / cw
    matrix = np.array([[factor, 0.0, -x0 * factor], [0.0, factor, -y0 * factor]])
    mirror = bool(rng.random() < 0.5)
    if mirror:
        matrix = np.array([[-1.0, 0.0, width], [0.0, 1.0, 0.0]]) @ np.vstack([matrix, [0, 0, 1]])
    frame = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT)
    boxes = [b for i, p in enumerate(photo.people) if (b := _moved(p, matrix, width, height, i)) is not None]
    return frame, boxes


def _moved(box: tuple[int, int, int, int], matrix: np.ndarray, width: int, height: int, index: int) -> Box | None:
    corners = np.array([(box[0], box[1], 1.0), (box[2], box[3], 1.0)]) @ matrix.T
    (x1, x2), (y1, y2) = sorted(corners[:, 0]), sorted(corners[:, 1])
    cx1, cy1, cx2, cy2 = max(0.0, x1), max(0.0, y1), min(float(width), x2), min(float(height), y2)
    visible = max(0.0, cx2 - cx1) * max(0.0, cy2 - cy1) / ((x2 - x1) * (y2 - y1))
    if visible < MIN_VISIBLE:
        return None
    return Box(PERSON, "person", index, float(cx1), float(cy1), float(cx2), float(cy2), round(visible, 4))


def photo_scene(
    seed: int | list[int], photos: tuple[Photo, ...], width: int = 960, height: int = 540
) -> tuple[np.ndarray, list[Box]]:
    """A frame made from a real photograph: its people labelled, or, for the others, half the time bare (a hard
    negative) and half the time a real backdrop with synthetic actors; lit and degraded like the synthetic scenes."""
    rng = np.random.default_rng(seed)
    photo = photos[int(rng.integers(len(photos)))]
    frame, people = _crop(photo, rng, width, height)
    conditions = random_conditions(rng)
    if photo.people or rng.random() < 0.5:
        image, _ = compose(frame, [], conditions, rng)
        return image, people
    layout = jittered_layout(SceneKind(rng.choice(list(SceneKind))), rng)
    return compose(frame, random_poses(rng, layout, width, height), conditions, rng)
