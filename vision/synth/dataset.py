"""An ultralytics YOLO data set of synthetic scenes (合成训练集).

Layout: ``images/{train,val}/NNNNNN.jpg``, ``labels/{train,val}/NNNNNN.txt`` (one ``class cx cy w h`` line
per box, normalised) and ``data.yaml``. Scene ``i`` is drawn from the seed pair ``(seed, i)`` and the
held-out split is a seeded permutation, so the same arguments write the same files. After the synthetic
scenes come ``photos`` frames made from real photographs (``vision.synth.photos``): those of the held-out
split use only the photographs reserved for it, so validation never sees a photograph training saw.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import msgspec
import numpy as np
import yaml

from vision.synth.actors import CLASS_NAMES
from vision.synth.photos import PHOTOS, photo_scene
from vision.synth.scene import Box, random_scene

_JPEG_QUALITY = 95  # the scene is already degraded; saving must not degrade it much further


class DatasetSummary(msgspec.Struct, frozen=True):
    data_yaml: str
    seed: int
    images: int  # synthetic scenes
    train: int
    val: int
    width: int
    height: int
    boxes_per_class: dict[str, int]
    photos: int = 0  # frames made from real photographs, after the synthetic scenes


def yolo_label_lines(boxes: list[Box], width: int, height: int) -> list[str]:
    """Boxes as ultralytics label lines: ``class cx cy w h``, normalised to the image."""
    return [
        f"{b.class_id} {(b.x1 + b.x2) / 2 / width:.6f} {(b.y1 + b.y2) / 2 / height:.6f} "
        f"{(b.x2 - b.x1) / width:.6f} {(b.y2 - b.y1) / height:.6f}"
        for b in boxes
    ]


def held_out(seed: int, images: int, val_fraction: float) -> set[int]:
    """Indices of the validation split."""
    order = np.random.default_rng([seed, 0x5EED]).permutation(images)
    return {int(i) for i in order[: round(images * val_fraction)]}


def write_dataset(
    out_dir: Path,
    *,
    images: int,
    photos: int = 0,
    seed: int = 0,
    val_fraction: float = 0.2,
    width: int = 960,
    height: int = 540,
) -> DatasetSummary:
    """Render ``images`` synthetic scenes and ``photos`` photograph frames into ``out_dir``, with its ``data.yaml``.

    A folder already rendered with the same arguments (its ``summary.json`` says so) is used as it is.
    """
    out_dir = Path(out_dir).resolve()
    done = out_dir / "summary.json"
    if done.exists():
        summary = msgspec.json.decode(done.read_bytes(), type=DatasetSummary)
        if (summary.images, summary.photos, summary.seed, summary.width, summary.height) == (
            images,
            photos,
            seed,
            width,
            height,
        ) and summary.val == len(held_out(seed, images, val_fraction)) + round(photos * val_fraction):
            return summary
    val = held_out(seed, images, val_fraction) | {images + i for i in held_out(seed + 1, photos, val_fraction)}
    splits = {"train": tuple(p for p in PHOTOS if not p.held_out), "val": tuple(p for p in PHOTOS if p.held_out)}
    counts = dict.fromkeys(CLASS_NAMES, 0)
    for index in range(images + photos):
        split = "val" if index in val else "train"
        if index < images:
            image, boxes = random_scene([seed, index], width, height)
        else:
            image, boxes = photo_scene([seed, 0xF070, index], splits[split], width, height)
        _write(out_dir, split, index, image, yolo_label_lines(boxes, width, height))
        for box in boxes:
            counts[box.label] += 1
    data_yaml = out_dir / "data.yaml"
    names = dict(enumerate(CLASS_NAMES))
    data_yaml.write_text(
        yaml.safe_dump({"path": str(out_dir), "train": "images/train", "val": "images/val", "names": names})
    )
    total = images + photos
    summary = DatasetSummary(str(data_yaml), seed, images, total - len(val), len(val), width, height, counts, photos)
    done.write_bytes(msgspec.json.encode(summary))
    return summary


def _write(out_dir: Path, split: str, index: int, image: np.ndarray, lines: list[str]) -> None:
    for folder in ("images", "labels"):
        (out_dir / folder / split).mkdir(parents=True, exist_ok=True)
    path = out_dir / "images" / split / f"{index:06d}.jpg"
    cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY])
    (out_dir / "labels" / split / f"{index:06d}.txt").write_text("".join(line + "\n" for line in lines))
