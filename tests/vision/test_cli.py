"""``vision analyze`` from the command line, with a real (untrained) YOLO model and its card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.vision.helpers import encode
from vision.cli import app
from vision.synth import scenarios

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # the whole pipeline at work, not a unit (docs/testing.md)


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ultralytics import YOLO

    path = tmp_path_factory.mktemp("model") / "untrained.pt"
    YOLO("yolov8n.yaml").save(str(path))
    card = {"name": "yolov8n-untrained", "version": "test", "class_map": {"truck": "dump_truck", "person": "person"}}
    path.with_suffix(".json").write_text(json.dumps(card))
    return path


def test_analyze_writes_alerts_and_prints_a_summary(tmp_path: Path, weights: Path) -> None:
    scenario = scenarios.camera_tamper("covered", duration_s=20.0, width=320, height=180)
    clip = tmp_path / "covered.mp4"
    encode(scenario.script, clip)
    site = tmp_path / "site.yaml"
    site.write_text(
        "id: quarry-01\nname: 测试采石场\nkind: quarry\nregion_code: '360102'\n"
        f"cameras:\n  - {{id: cam-01, name: 北坡, url: {clip}}}\n"
    )
    out = tmp_path / "alerts.jsonl"
    result = CliRunner().invoke(
        app, ["analyze", str(clip), "--site", str(site), "--out", str(out), "--weights", str(weights)]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert {line["kind"] for line in lines} == {"camera_covered"}
    assert lines[0]["model"]["name"] == "yolov8n-untrained" and len(lines[0]["model"]["weights_sha256"]) == 64
    assert "1 alerts" in result.output and "analysed 20" in result.output  # the summary table
    assert (tmp_path / "alerts.outbox" / "alerts").is_dir()
