from pathlib import Path

import msgspec
import pytest

from vision.config import NodeConfig, OpenVinoDetector, PyTorchDetector, load_node_config


def test_detector_plugin_is_chosen_by_its_tag(tmp_path: Path) -> None:
    path = tmp_path / "node.yaml"
    path.write_text("detector: {backend: openvino, weights: m_openvino_model, imgsz: 640}\noutbox: {dir: out}\n")
    config = load_node_config(path, env={})
    assert isinstance(config.detector, OpenVinoDetector)
    assert config.outbox.dir == "out"


def test_unknown_keys_are_refused_with_the_field_named(tmp_path: Path) -> None:
    path = tmp_path / "node.json"
    path.write_text('{"detector": {"backend": "pytorch", "weights": "m.pt"}, "motion": {"widht": 320}}')
    with pytest.raises(msgspec.ValidationError, match="widht"):
        load_node_config(path, env={})


def test_bounds_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "node.json"
    path.write_text('{"detector": {"backend": "pytorch", "weights": "m.pt", "imgsz": 650}}')
    with pytest.raises(msgspec.ValidationError, match="imgsz"):
        load_node_config(path, env={})


def test_secrets_come_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "node.json"
    path.write_bytes(msgspec.json.encode(NodeConfig(detector=PyTorchDetector(weights="m.pt"))))
    env = {"VISION_API_TOKEN": "t", "VISION_S3_ACCESS_KEY": "a", "VISION_S3_SECRET_KEY": "s"}
    config = load_node_config(path, env=env)
    assert (config.api.token, config.s3.access_key, config.s3.secret_key) == ("t", "a", "s")
    with pytest.raises(AttributeError):
        config.api.token = "other"  # type: ignore[misc]
