"""``vision train --data``: fine-tuning on a deployment's own YOLO data set, and its refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from vision.cli import app
from vision.config import PyTorchDetector
from vision.detect.card import load_card
from vision.synth.dataset import write_dataset
from vision.train import MODELS_DIR, WEIGHTS_NAME, fine_tune


def test_a_data_set_with_other_class_names_is_refused_with_the_fix(tmp_path: Path) -> None:
    data = tmp_path / "data.yaml"
    data.write_text(yaml.safe_dump({"path": str(tmp_path), "train": "t", "val": "v", "names": {0: "truck"}}))
    result = CliRunner().invoke(app, ["train", "--data", str(data), "--out", str(tmp_path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert (
        "['truck'] are not domain classes; name them excavator, loader, drill_rig, dump_truck, person" in result.output
    )


@pytest.mark.slow
@pytest.mark.integration  # the whole pipeline at work, not a unit (docs/testing.md)
def test_fine_tuning_writes_weights_and_a_card_a_node_can_load(tmp_path: Path) -> None:
    site = tmp_path / "site-footage"
    summary = write_dataset(site, images=10, seed=5, width=320, height=192)
    card = fine_tune(Path(summary.data_yaml), tmp_path / "out", epochs=1, imgsz=64, batch=4)
    weights = tmp_path / "out" / "site-footage.pt"
    assert weights.exists() and card.base_sha256 and card.class_map["3"] == "dump_truck"
    assert f"--data {summary.data_yaml}" in card.command and str(MODELS_DIR / WEIGHTS_NAME) in card.command
    loaded = load_card(PyTorchDetector(weights=str(weights)))
    assert set(loaded.thresholds) == set(loaded.class_map.values())
