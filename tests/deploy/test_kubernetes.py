"""The Kubernetes manifests (deploy/k8s): rendered, every object checked against the Kubernetes schemas,
the two operator resources checked for what we rely on, and checkov's policies with no failure.

Rendering: the kustomizations use only ``resources``, ``namespace``, ``nameSuffix`` and JSON-patch
``patches``, the subset of Kustomize this file implements; where ``kubectl`` is installed a test checks
that ``kubectl kustomize`` gives the same objects. CloudNativePG's ``Cluster`` and MinIO's ``Tenant``
have no schema in a registry package, so they are checked structurally here (the fields the deployment
relies on), not against their CRDs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonpatch
import kubernetes_validate
import msgspec
import pytest
import yaml

from vision.config import NodeConfig

K8S = Path(__file__).parents[2] / "deploy" / "k8s"
OVERLAYS = ("cpu", "gpu")
KUBERNETES_VERSION = "1.33.0"
CHECKOV = "checkov==3.3.30"
CLUSTER_SCOPED = frozenset({"Namespace"})
OPERATOR_KINDS = frozenset({("postgresql.cnpg.io/v1", "Cluster"), ("minio.min.io/v2", "Tenant")})


def render(folder: Path) -> list[dict]:
    """The objects of a kustomization: its resources (files or folders), renamed, patched, in its namespace."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    objects = []
    for resource in kustomization["resources"]:
        path = folder / resource
        objects += render(path) if path.is_dir() else [o for o in yaml.safe_load_all(path.read_text()) if o]
    for patch in kustomization.get("patches", []):
        objects = [_patched(o, patch, folder) for o in objects]
    if suffix := kustomization.get("nameSuffix"):
        objects = [_renamed(o, suffix) for o in objects]
    for obj in objects:
        if obj["kind"] not in CLUSTER_SCOPED and "namespace" in kustomization:
            obj["metadata"]["namespace"] = kustomization["namespace"]
    return objects


def _patched(obj: dict, patch: dict, folder: Path) -> dict:
    target = patch["target"]
    if obj["kind"] != target["kind"] or obj["metadata"]["name"] != target.get("name", obj["metadata"]["name"]):
        return obj
    return jsonpatch.apply_patch(obj, yaml.safe_load((folder / patch["path"]).read_text()))


def _renamed(obj: dict, suffix: str) -> dict:
    """The suffix on every name, and on the ConfigMaps the pods mount (Kustomize's name references)."""
    obj["metadata"]["name"] += suffix
    pod = obj.get("spec", {}).get("template", {}).get("spec", {})
    for volume in pod.get("volumes", []):
        if "configMap" in volume:
            volume["configMap"]["name"] += suffix
    return obj


def named(objects: list[dict], kind: str, name: str) -> dict:
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_builtin_object_validates_against_the_kubernetes_schemas(overlay: str) -> None:
    objects = render(K8S / "overlays" / overlay)
    builtin = [o for o in objects if (o["apiVersion"], o["kind"]) not in OPERATOR_KINDS]
    for obj in builtin:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    keys = [(o["kind"], o["metadata"]["name"]) for o in objects]
    assert len(keys) == len(set(keys)), "an object is defined twice"


def test_the_api_has_probes_autoscaling_a_disruption_budget_and_tls() -> None:
    objects = render(K8S / "overlays" / "cpu")
    [api] = named(objects, "Deployment", "enforce-api")["spec"]["template"]["spec"]["containers"]
    assert api["readinessProbe"]["httpGet"]["path"] == api["livenessProbe"]["httpGet"]["path"] == "/health"
    assert named(objects, "HorizontalPodAutoscaler", "enforce-api")["spec"]["scaleTargetRef"]["name"] == "enforce-api"
    assert named(objects, "PodDisruptionBudget", "enforce-api")["spec"]["minAvailable"] == 1
    assert named(objects, "Ingress", "enforce-api")["spec"]["tls"][0]["secretName"] == "enforce-tls"


def test_vision_nodes_keep_their_outbox_and_gpu_nodes_ask_for_a_gpu() -> None:
    objects = render(K8S / "overlays" / "gpu")
    cpu, gpu = named(objects, "StatefulSet", "vision-node"), named(objects, "StatefulSet", "vision-node-gpu")
    for node in (cpu, gpu):
        [claim] = node["spec"]["volumeClaimTemplates"]
        [container] = node["spec"]["template"]["spec"]["containers"]
        assert {"name": "outbox", "mountPath": "/var/lib/vision/outbox"} in container["volumeMounts"]
        assert claim["metadata"]["name"] == "outbox"
    [container] = gpu["spec"]["template"]["spec"]["containers"]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert gpu["spec"]["template"]["spec"]["nodeSelector"] == {"nvidia.com/gpu.present": "true"}


def test_secrets_come_only_from_secrets() -> None:
    for overlay in OVERLAYS:
        objects = render(K8S / "overlays" / overlay)
        assert not [o for o in objects if o["kind"] == "Secret"], "a Secret is written in the manifests"
        for obj in objects:
            for container in _containers(obj):
                for variable in container.get("env", []):
                    sensitive = any(w in variable["name"] for w in ("SECRET", "PASSWORD", "KEY", "DATABASE_URL"))
                    assert not sensitive or "secretKeyRef" in variable.get("valueFrom", {}), variable["name"]


def test_the_operator_resources_hold_what_the_deployment_relies_on() -> None:
    """Structural, not against the CRDs: no registry package ships their schemas."""
    objects = render(K8S / "overlays" / "cpu")
    cluster = named(objects, "Cluster", "enforce-db")["spec"]
    assert cluster["instances"] >= 3 and cluster["storage"]["size"]
    assert cluster["backup"]["barmanObjectStore"]["s3Credentials"]["accessKeyId"]["name"]
    tenant = named(objects, "Tenant", "minio")["spec"]
    assert {"name": "enforcement-evidence", "objectLock": True} in tenant["buckets"]
    assert tenant["configuration"]["name"] and all(p["servers"] * p["volumesPerServer"] >= 4 for p in tenant["pools"])


@pytest.mark.skipif(not shutil.which("kubectl"), reason="kubectl is not installed")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kubectl_kustomize_renders_the_same_objects(overlay: str) -> None:
    command = ["kubectl", "kustomize", str(K8S / "overlays" / overlay)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    by_name = {(o["kind"], o["metadata"]["name"]): o for o in yaml.safe_load_all(done.stdout)}
    assert by_name == {(o["kind"], o["metadata"]["name"]): o for o in render(K8S / "overlays" / overlay)}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_vision_node_configs_are_valid_node_configs(overlay: str) -> None:
    for config in [o for o in render(K8S / "overlays" / overlay) if o["kind"] == "ConfigMap"]:
        node = msgspec.yaml.decode(config["data"]["node.yaml"], type=NodeConfig)
        assert node.fleet.max_streams >= 1 and node.outbox.dir == "/var/lib/vision/outbox"


@pytest.mark.slow
def test_checkov_finds_nothing(tmp_path: Path) -> None:
    """checkov from PyPI, in its own environment (its networkx pin conflicts with scikit-image's), on the GPU
    overlay: it holds every object of the CPU one."""
    uv = shutil.which("uv")
    assert uv, "uv runs checkov"
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text(yaml.safe_dump_all(render(K8S / "overlays" / "gpu"), sort_keys=False))
    command = [uv, "tool", "run", "--from", CHECKOV, "checkov", "--framework", "kubernetes", "--quiet",
               "--skip-download", "--compact", "--output", "json", "--config-file", str(K8S / "checkov.yaml"),
               "-f", str(rendered)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    report = json.loads(done.stdout)
    failed = report["results"]["failed_checks"]
    assert not failed, [(f["check_id"], f["check_name"], f["resource"]) for f in failed]
    assert report["summary"]["passed"] > 100


def _containers(obj: dict) -> list[dict]:
    spec = obj.get("spec", {})
    pod = spec.get("template", {}).get("spec", spec)
    return pod.get("containers", []) if isinstance(pod, dict) else []
