"""The Grafana dashboard and Prometheus configuration (deploy/grafana, deploy/prometheus) ask only for
series the API and the vision nodes expose: a renamed metric fails here, not as an empty panel."""

from __future__ import annotations

import json
import re
from pathlib import Path

import prometheus_client
import yaml
from prometheus_client import CollectorRegistry

import api.observability.metrics
import storage.audit
from tests.vision.test_node import NothingThere
from vision.config import NodeConfig, OutboxConfig, PyTorchDetector
from vision.metrics import NodeCollector
from vision.node import Node

DEPLOY = Path(__file__).parents[2] / "deploy"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
assert api.observability.metrics and storage.audit  # their metrics are in the default registry once imported


def exposed(registry: CollectorRegistry) -> set[str]:
    """Every series name the registry's families can have (a family without samples yet included)."""
    text = prometheus_client.generate_latest(registry).decode()
    families = re.findall(r"^# TYPE (\w+) (\w+)$", text, flags=re.MULTILINE)
    return {name.removesuffix("_total") + suffix for name, kind in families for suffix in SUFFIXES.get(kind, ("",))}


def test_every_dashboard_query_names_an_exposed_series(tmp_path: Path) -> None:
    node = Node(
        NodeConfig(detector=PyTorchDetector(weights="none"), outbox=OutboxConfig(dir=str(tmp_path))),
        [],
        detector=NothingThere(),
    )
    vision = CollectorRegistry()
    vision.register(NodeCollector(node))
    names = exposed(prometheus_client.REGISTRY) | exposed(vision)
    dashboard = json.loads((DEPLOY / "grafana" / "enforce-dashboard.json").read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    asked = {name for query in queries for name in re.findall(r"\benforce_\w+", query)}
    assert asked and asked <= names, sorted(asked - names)
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])


def test_prometheus_scrapes_the_api_and_the_vision_nodes_without_a_secret_in_the_file() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["enforce-api"]["metrics_path"] == "/metrics"
    assert "credentials_file" in jobs["enforce-api"]["authorization"]
    assert "enforce-vision" in jobs
