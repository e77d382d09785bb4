"""An ultralytics YOLO data set of synthetic scenes (合成训练集).

Layout: ``images/{train,val}/NNNNNN.jpg``, ``labels/{train,val}/NNNNNN.txt`` (one ``class cx cy w h`` line
per box, normalised) and ``data.yaml``. Scene ``i`` is drawn from the seed pair ``(seed, i)`` and the
held-out split is a seeded permutation, so the same arguments write the same files.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import msgspec
import numpy as np
import yaml

from vision.synth.actors import CLASS_NAMES
from vision.synth.scene import Box, random_scene

_JPEG_QUALITY = 95  # the scene is already degraded; saving must not degrade it much further


class DatasetSummary(msgspec.Struct, frozen=True):
    data_yaml: str
    seed: int
    images: int
    train: int
    val: int
    width: int
    height: int
    boxes_per_class: dict[str, int]


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
    seed: int = 0,
    val_fraction: float = 0.2,
    width: int = 960,
    height: int = 540,
) -> DatasetSummary:
    """Render ``images`` scenes into ``out_dir`` and write its ``data.yaml``."""
    out_dir = Path(out_dir).resolve()
    val = held_out(seed, images, val_fraction)
    counts = dict.fromkeys(CLASS_NAMES, 0)
    for index in range(images):
        split = "val" if index in val else "train"
        image, boxes = random_scene([seed, index], width, height)
        for folder in ("images", "labels"):
            (out_dir / folder / split).mkdir(parents=True, exist_ok=True)
        cv2.imwrite(
            str(out_dir / "images" / split / f"{index:06d}.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY]
        )
        lines = yolo_label_lines(boxes, width, height)
        (out_dir / "labels" / split / f"{index:06d}.txt").write_text("".join(line + "\n" for line in lines))
        for box in boxes:
            counts[box.label] += 1
    data_yaml = out_dir / "data.yaml"
    names = dict(enumerate(CLASS_NAMES))
    data_yaml.write_text(
        yaml.safe_dump({"path": str(out_dir), "train": "images/train", "val": "images/val", "names": names})
    )
    return DatasetSummary(str(data_yaml), seed, images, images - len(val), len(val), width, height, counts)
