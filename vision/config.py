"""Vision node configuration (视频分析节点配置): one frozen Struct per concern.

Read once from a YAML or JSON file, validated by msgspec (unknown keys are
refused; an error is one line naming the file and the field), then frozen.
Every field has a default where one makes sense: an empty file is a node that
runs the shipped detector and keeps its alerts in the outbox. Secrets come from the
environment: ``VISION_API_TOKEN`` or ``VISION_API_USERNAME`` and
``VISION_API_PASSWORD`` (a ``vision_node`` user), and the node's own S3 keys
``VISION_S3_ACCESS_KEY``, ``VISION_S3_SECRET_KEY``.
Site configs (zones, permits, hours) are separate documents, see
``mobile_contract.sites``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.sites import DomainClass

DEFAULT_WEIGHTS = Path(__file__).parent / "models" / "quarry-yolov8n-synth.pt"  # the shipped model (模型卡同目录)
Seconds = Annotated[float, Meta(ge=0, le=86_400)]
Fraction = Annotated[float, Meta(ge=0, le=1)]
ImgSize = Annotated[int, Meta(ge=64, le=2048, multiple_of=32)]


class _Frozen(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    pass


class ModelCard(msgspec.Struct, frozen=True, kw_only=True):
    """What a model's classes mean and how sure it must be (模型说明): recorded on every alert.

    Unknown fields are allowed: a card written by training (``vision.train``) also records how the
    weights were made.
    """

    name: str = ""  # empty: the weights' file name
    version: str = ""  # empty: ``trained_at``
    trained_at: str = ""
    class_map: dict[str, DomainClass] = {}  # model label or class index → domain class; others are ignored
    thresholds: dict[DomainClass, Annotated[float, Meta(ge=0, le=1)]] = {}
    default_threshold: Annotated[float, Meta(ge=0, le=1)] = 0.4


class _Detector(_Frozen, frozen=True, tag_field="backend"):
    weights: Annotated[str, Meta(description="model file or exported model folder")]
    imgsz: ImgSize = 640  # whole frames
    region_imgsz: ImgSize = 320  # crops around motion: small objects stay large, inference stays cheap
    max_batch: Annotated[int, Meta(ge=1, le=64)] = 8
    batch_wait_ms: Annotated[float, Meta(ge=0, le=1000)] = 5.0
    card: ModelCard | None = None  # None: read ``<weights>.json`` beside the weights


class PyTorchDetector(_Detector, frozen=True, tag="pytorch"):
    weights: Annotated[str, Meta(description="model file; default: the shipped model")] = str(DEFAULT_WEIGHTS)
    device: str = "cpu"


class OnnxDetector(_Detector, frozen=True, tag="onnx"):
    pass


class OpenVinoDetector(_Detector, frozen=True, tag="openvino"):
    pass


class TensorRtDetector(_Detector, frozen=True, tag="tensorrt"):
    device: str = "cuda:0"
    half: bool = True


DetectorConfig = PyTorchDetector | OnnxDetector | OpenVinoDetector | TensorRtDetector


class MotionConfig(_Frozen, frozen=True):
    """The cheap low-resolution gate in front of the detector (运动门控)."""

    width: Annotated[int, Meta(ge=64, le=1280)] = 320
    contrast_threshold: Annotated[float, Meta(gt=0, le=2)] = 0.18  # change in local contrast, not brightness
    min_area: Fraction = 0.0004  # of the frame; smaller blobs are rain, noise, insects
    background_s: Annotated[float, Meta(gt=0, le=3600)] = 20.0  # how fast a stopped object joins the background
    relight_fraction: Fraction = 0.6  # more of the frame than this changed at once: a lighting switch


class RegionConfig(_Frozen, frozen=True):
    """How motion becomes detector crops (检测区域)."""

    min_side: Fraction = 0.25  # of the frame height: a crop is never smaller than this square
    max_zoom: Annotated[float, Meta(ge=1, le=8)] = 1.5  # objects in a crop at most this much larger than whole
    margin: Fraction = 0.25  # grow each motion box by this share of its size
    max_regions: Annotated[int, Meta(ge=1, le=16)] = 3  # more than this: run the whole frame
    max_area: Fraction = 0.45  # crops covering more of the frame than this: run the whole frame
    recheck_s: Seconds = 10.0  # re-detect parked tracked objects this often though nothing moves
    full_frame_s: Seconds = 60.0  # a whole-frame look this often, whatever the gate says


class TamperConfig(_Frozen, frozen=True):
    """Thresholds on frame statistics for a blinded camera (摄像头遮挡/失焦/移位/冻结), see ``vision.rules.tamper``."""

    every_s: Annotated[float, Meta(ge=0, le=10)] = 1.0  # the checks run this often; between, their answer holds
    persist_s: Seconds = 5.0  # a condition must hold this long
    clear_s: Seconds = 2.5  # and is forgotten only after being absent this long (one odd frame is not recovery)
    covered_contrast: Annotated[float, Meta(ge=0, le=1)] = 0.04  # grey std / mean below this: a uniform picture
    covered_fraction: Fraction = 0.4  # share of the view's textured cells gone blind: covered (a 60 % cover is)
    blind_ratio: Fraction = 0.35  # a cell whose texture fell below this share of its baseline lost it
    blind_similarity: Annotated[float, Meta(ge=-1, le=1)] = 0.6  # ... and its broad shapes are less alike: blind
    defocus_ratio: Fraction = 0.5  # a cell's sharpness (fine over mid-scale detail) below this share of its baseline
    defocus_fraction: Fraction = 0.75  # ... in this share of the cells whose shapes are still there: defocused
    defocus_forget_s: Seconds = 21_600.0  # the sharpness baseline sinks this slowly (never while suspect)
    moved_px: Annotated[float, Meta(gt=0, le=200)] = 8.0  # a frame corner moved this far, analysis-image pixels
    moved_min_matches: Annotated[int, Meta(ge=4, le=500)] = 12  # features agreeing on the view's motion
    frozen_diff: Annotated[float, Meta(ge=0, le=10)] = 0.3  # mean absolute grey difference between frames
    baseline_s: Seconds = 600.0  # time constant of the healthy texture per cell
    view_learn_s: Annotated[float, Meta(gt=0, le=86_400)] = 60.0  # time constant of the static background
    relearn_s: Seconds = 120.0  # a view that cannot be compared with the background this long is learnt anew


class SamplingConfig(_Frozen, frozen=True):
    """A camera analysed faster while a truck nears a count line (计数线附近加密分析): at 1 Hz a truck can cross
    between two samples unseen. Costs decoding every frame, and more detector calls, while it lasts."""

    line_hz: Annotated[float, Meta(ge=0, le=25)] = 5.0  # the rate then; 0: never faster than the camera's own
    line_reach: Fraction = 0.35  # a truck (tracked or just detected) this close to a count line (share of the frame)
    line_hold_s: Seconds = 3.0  # keep the rate this long once the last sighting near the line took effect


class RuleTuning(_Frozen, frozen=True):
    """Timing of incidents, shared by every rule (事件时序)."""

    end_after_s: Seconds = 30.0  # an incident not seen this long has ended
    crossing_end_after_s: Seconds = 300.0  # a run of truck movements counts as one incident
    min_active_s: Seconds = 5.0  # machinery must work this long in prohibited hours
    update_every_s: Seconds = 300.0  # a continuing incident refreshes its ``last_seen_at`` this often
    landform_every_s: Seconds = 5.0
    landform_threshold: Annotated[float, Meta(gt=0, le=2)] = 0.2  # change of log brightness or local contrast
    track_lost_s: Seconds = 5.0


class EvidenceConfig(_Frozen, frozen=True):
    """Snapshot and clip attached to each alert (证据)."""

    clip_pre_s: Seconds = 5.0
    clip_post_s: Seconds = 5.0
    jpeg_quality: Annotated[int, Meta(ge=30, le=100)] = 85
    snapshot_width: Annotated[int, Meta(ge=320, le=3840)] = 1920


class OutboxConfig(_Frozen, frozen=True):
    """Alerts wait here until the API and S3 have them (本地待发队列)."""

    dir: str = "var/vision/outbox"
    retry_initial_s: Annotated[float, Meta(gt=0, le=60)] = 1.0
    retry_max_s: Annotated[float, Meta(gt=0, le=600)] = 30.0


class ApiConfig(_Frozen, frozen=True):
    """The enforcement API, signed in as a ``vision_node`` user: a fixed token, or a username and password."""

    url: str | None = None  # e.g. https://enforce.example.cn; None: keep alerts in the outbox
    token: str = ""  # VISION_API_TOKEN
    username: str = ""  # VISION_API_USERNAME
    password: str = ""  # VISION_API_PASSWORD: signs in again whenever the token has expired
    timeout_s: Annotated[float, Meta(gt=0, le=120)] = 10.0


class S3Config(_Frozen, frozen=True):
    endpoint: str | None = None  # host:port; None: media stays in the outbox with the alert
    bucket: str = "enforcement-evidence"
    secure: bool = True
    region: str = "us-east-1"
    access_key: str = ""  # VISION_S3_ACCESS_KEY
    secret_key: str = ""  # VISION_S3_SECRET_KEY


class FleetConfig(_Frozen, frozen=True):
    """This node among many (多节点): it claims cameras by lease from the API up to ``max_streams`` (vision.fleet)."""

    node: str = ""  # the lease holder's name, stable across restarts; empty: VISION_NODE_NAME, else the host name
    max_streams: Annotated[int, Meta(ge=0, le=1000)] = 8  # streams it can analyse in real time


class MetricsConfig(_Frozen, frozen=True):
    """The node's Prometheus exporter (运行指标, vision.metrics): off unless a port is given."""

    port: Annotated[int, Meta(ge=1, le=65535)] | None = None
    host: str = "127.0.0.1"  # loopback: a Prometheus beside the node; 0.0.0.0 for a pod scrape


class NodeConfig(_Frozen, frozen=True):
    """Everything one vision node process needs besides the site configs."""

    detector: DetectorConfig = PyTorchDetector()
    motion: MotionConfig = MotionConfig()
    regions: RegionConfig = RegionConfig()
    sampling: SamplingConfig = SamplingConfig()
    tamper: TamperConfig = TamperConfig()
    rules: RuleTuning = RuleTuning()
    evidence: EvidenceConfig = EvidenceConfig()
    outbox: OutboxConfig = OutboxConfig()
    api: ApiConfig = ApiConfig()
    s3: S3Config = S3Config()
    fleet: FleetConfig = FleetConfig()
    metrics: MetricsConfig = MetricsConfig()
    sites: list[str] = []  # site config files for ``vision run`` without the API's registry


class ConfigError(ValueError):
    """A config file that cannot be used, said in one line: the file, the field, what is wrong."""


def load_node_config(path: Path, env: Mapping[str, str] = os.environ) -> NodeConfig:
    """Decode and validate a node config file, then add the secrets from the environment."""
    decode = msgspec.yaml.decode if path.suffix in {".yaml", ".yml"} else msgspec.json.decode
    try:
        config = msgspec.convert(decode(path.read_bytes()) or {}, NodeConfig)  # comments only: every default
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise ConfigError(f"{path}: {one_line(exc)}") from exc
    return with_secrets(config, env)


def one_line(error: Exception) -> str:
    """msgspec's "Expected `int`, got `str` - at `$.motion.width`" as "motion.width: Expected `int`, got `str`"."""
    message, _, where = str(error).partition(" - at `$")
    field = where.rstrip("`").lstrip(".")
    return f"{field}: {message}" if field else message.splitlines()[0]


def with_secrets(config: NodeConfig, env: Mapping[str, str]) -> NodeConfig:
    api = msgspec.structs.replace(
        config.api,
        token=env.get("VISION_API_TOKEN", config.api.token),
        username=env.get("VISION_API_USERNAME", config.api.username),
        password=env.get("VISION_API_PASSWORD", config.api.password),
    )
    s3 = msgspec.structs.replace(
        config.s3,
        access_key=env.get("VISION_S3_ACCESS_KEY", config.s3.access_key),
        secret_key=env.get("VISION_S3_SECRET_KEY", config.s3.secret_key),
    )
    return msgspec.structs.replace(config, api=api, s3=s3)
