"""The training set: valid ultralytics YOLO layout and labels, reproducible from its seed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from vision.synth.actors import CLASS_NAMES
from vision.synth.dataset import held_out, write_dataset


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    summary = write_dataset(out, images=10, seed=3, width=320, height=180)
    assert (summary.train, summary.val) == (8, 2)
    return out


def test_labels_are_ultralytics_lines_inside_the_image(dataset: Path) -> None:
    labels = sorted((dataset / "labels").rglob("*.txt"))
    assert len(labels) == 10
    rows = [line.split() for path in labels for line in path.read_text().splitlines()]
    assert rows, "ten scenes without a single actor"
    for row in rows:
        assert len(row) == 5
        class_id, (cx, cy, w, h) = int(row[0]), map(float, row[1:])
        assert 0 <= class_id < len(CLASS_NAMES)
        assert 0 < w <= 1 and 0 < h <= 1
        assert cx - w / 2 >= -1e-6 and cx + w / 2 <= 1 + 1e-6
        assert cy - h / 2 >= -1e-6 and cy + h / 2 <= 1 + 1e-6


def test_every_image_has_its_label_file(dataset: Path) -> None:
    for split in ("train", "val"):
        images = {p.stem for p in (dataset / "images" / split).glob("*.jpg")}
        labels = {p.stem for p in (dataset / "labels" / split).glob("*.txt")}
        assert images == labels and images


@pytest.mark.slow  # importing ultralytics (and torch) takes seconds
def test_ultralytics_accepts_the_data_yaml(dataset: Path) -> None:
    os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_AUTOINSTALL", "false")
    from ultralytics.data.utils import check_det_dataset

    checked = check_det_dataset(str(dataset / "data.yaml"))
    assert checked["nc"] == len(CLASS_NAMES)
    assert [checked["names"][i] for i in range(len(CLASS_NAMES))] == list(CLASS_NAMES)
    assert yaml.safe_load((dataset / "data.yaml").read_text())["val"] == "images/val"


def test_the_same_seed_writes_the_same_files(dataset: Path, tmp_path: Path) -> None:
    write_dataset(tmp_path, images=10, seed=3, width=320, height=180)
    for path in sorted(dataset.rglob("*.*")):
        if path.suffix in {".jpg", ".txt"}:
            assert (tmp_path / path.relative_to(dataset)).read_bytes() == path.read_bytes(), path.name


def test_held_out_split_depends_only_on_seed_and_size() -> None:
    assert held_out(0, 100, 0.2) == held_out(0, 100, 0.2)
    assert len(held_out(0, 100, 0.2)) == 20
    assert held_out(0, 100, 0.2) != held_out(1, 100, 0.2)
