from pathlib import Path

import msgspec
import pytest

from mobile_contract.sites import load_site_config
from vision.config import DEFAULT_WEIGHTS, ConfigError, NodeConfig, OpenVinoDetector, PyTorchDetector, load_node_config


def test_detector_plugin_is_chosen_by_its_tag(tmp_path: Path) -> None:
    path = tmp_path / "node.yaml"
    path.write_text("detector: {backend: openvino, weights: m_openvino_model, imgsz: 640}\noutbox: {dir: out}\n")
    config = load_node_config(path, env={})
    assert isinstance(config.detector, OpenVinoDetector)
    assert config.outbox.dir == "out"


def test_unknown_keys_are_refused_with_the_field_named(tmp_path: Path) -> None:
    path = tmp_path / "node.json"
    path.write_text('{"detector": {"backend": "pytorch", "weights": "m.pt"}, "motion": {"widht": 320}}')
    with pytest.raises(ConfigError, match=r"node\.json: motion: Object contains unknown field `widht`"):
        load_node_config(path, env={})


def test_bounds_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "node.json"
    path.write_text('{"detector": {"backend": "pytorch", "weights": "m.pt", "imgsz": 650}}')
    with pytest.raises(ConfigError, match=r"node\.json: detector\.imgsz: Expected `int` that's a multiple of 32"):
        load_node_config(path, env={})


def test_secrets_come_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "node.json"
    path.write_bytes(msgspec.json.encode(NodeConfig(detector=PyTorchDetector(weights="m.pt"))))
    env = {"VISION_API_TOKEN": "t", "VISION_S3_ACCESS_KEY": "a", "VISION_S3_SECRET_KEY": "s"}
    config = load_node_config(path, env=env)
    assert (config.api.token, config.s3.access_key, config.s3.secret_key) == ("t", "a", "s")
    with pytest.raises(AttributeError):
        config.api.token = "other"  # type: ignore[misc]


def test_every_field_has_a_default_and_the_detector_is_the_shipped_model(tmp_path: Path) -> None:
    path = tmp_path / "node.yaml"
    path.write_text("# nothing set: every default\n")
    config = load_node_config(path, env={})
    assert config == NodeConfig() and config.detector == PyTorchDetector(weights=str(DEFAULT_WEIGHTS))
    assert DEFAULT_WEIGHTS.exists()


def test_the_examples_are_accepted_as_they_are() -> None:
    examples = Path(__file__).parents[2] / "examples"
    node = load_node_config(examples / "node.yaml", env={})
    assert node.detector.weights == str(DEFAULT_WEIGHTS) and node.api.url is None
    # "Every field below shows its default": every section is there, and says what the default is
    shown = msgspec.yaml.decode((examples / "node.yaml").read_bytes())
    assert set(shown) == set(NodeConfig.__struct_fields__)
    assert msgspec.structs.replace(node, sites=[]) == NodeConfig()
    site = load_site_config((examples / "site.yaml").read_bytes(), format="yaml")
    assert site.location is not None and site.location.coordinate_system == "gcj02"
    assert [str(h.start) for h in site.prohibited_hours] == ["22:00:00"], "22:00 is a time of day, not 1320"


def test_a_bad_value_is_one_line_naming_the_file_and_field(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vision.cli import app

    path = tmp_path / "node.yaml"
    path.write_text("motion:\n  width: wide\n")
    result = CliRunner().invoke(app, ["outbox", "show", "--config", str(path)])
    assert result.exit_code == 2
    assert result.output == f"vision: {path}: motion.width: Expected `int`, got `str`\n"


def test_without_the_vision_extra_the_command_says_which_command_installs_it(monkeypatch, capsys) -> None:
    import importlib.util

    from vision import entry

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "av" else real(name, *a))
    with pytest.raises(SystemExit) as ended:
        entry.main()
    assert "uv sync --extra vision --inexact" in str(ended.value.code) and "av" in str(ended.value.code)
