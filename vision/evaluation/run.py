"""Run the pipeline on evaluation scenes and score it (评测运行与计分).

Frames are rendered as the camera delivers them and go through the very pipeline a node runs
(``CameraPipeline``: sampler with its key-frame schedule, motion gate, detector crops, tracker, rules,
incidents, publisher); only decoding is skipped, the camera's own JPEG compression standing in for
the codec. The detector is an *oracle* that reports the vehicles the renderer drew, but only inside
the crops the pipeline asks about: this measures the rules, the tamper statistics, sampling and
tracking, not the model (whose figures are in the model card).

Scoring, per scene: an expected alert is *recalled* when an alert of its kind opens at or after the
condition began (for a dwell, once the dwell is due) within ``RECALL_WINDOW_S``; its latency is from
the condition to the frame that raised it. Every other alert is a false alarm (of a tamper kind, or
of a rule). Count lines are scored by the final outbound and inbound counts against the trucks'
true crossings.
"""

from __future__ import annotations

import collections
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

import msgspec

from mobile_contract.alerts import AlertKind, AlertUpsert, ModelIdentity
from mobile_contract.sites import CameraConfig, DomainClass, SiteConfig, SiteKind
from vision.config import NodeConfig, PyTorchDetector
from vision.detect.base import Crop
from vision.evaluation.scenes import EvalScene
from vision.evaluation.world import World, render
from vision.events import Outbox, Publisher
from vision.pipeline import CameraPipeline
from vision.reader import AHEAD
from vision.sources import Silence, make_frame
from vision.types import Box, Detection, Packet

RECALL_WINDOW_S = 90.0
GOP_S = 1.0  # the cameras send a key frame every second
TAMPER_KINDS = {k for k in AlertKind if k.value.startswith("camera_")}
ORACLE = ModelIdentity(
    name="evaluation-oracle (the renderer's own boxes)",
    weights_sha256="0" * 64,
    ultralytics_version="n/a",
    backend="oracle",
    class_map={c.value: c.value for c in DomainClass},
    thresholds={c.value: 0.0 for c in DomainClass},
)


class Raised(msgspec.Struct, frozen=True):
    kind: AlertKind
    at_s: float  # scene time of the frame that raised it
    since_s: float  # when the pipeline says it began
    summary: str


class SceneResult(msgspec.Struct, frozen=True):
    scene: str
    group: str
    quiet: bool
    hours: float
    raised: list[Raised]
    recalled: list[tuple[str, float]]  # expected kind and its latency, seconds
    missed: list[str]
    false_alarms: list[Raised]
    counts: dict[str, int]  # outbound / inbound counted
    crossings: dict[str, int]  # outbound / inbound that happened
    analysed: int


class Oracle:
    """Reports the boxes the renderer drew in this frame, for the crops it is shown."""

    identity = ORACLE

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.boxes: list[tuple[str, tuple[float, ...]]] = []
        self.calls = 0

    def detect(self, crops: list[Crop]) -> list[list[Detection]]:
        self.calls += 1
        return [self._in(crop.region) for crop in crops]

    def _in(self, region: Box) -> list[Detection]:
        found = []
        for kind, (x1, y1, x2, y2) in self.boxes:
            box = Box(float(x1) / self.width, float(y1) / self.height, float(x2) / self.width, float(y2) / self.height)
            cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
            if region.x1 <= cx < region.x2 and region.y1 <= cy < region.y2:
                found.append(Detection(box=box, cls=DomainClass(kind), score=0.9, label=kind))
        return found


def default_config() -> NodeConfig:
    """The shipped defaults; the detector entry is never loaded (the oracle stands in)."""
    return NodeConfig(detector=PyTorchDetector(weights="oracle"))


def run_scene(scene: EvalScene, config: NodeConfig | None = None) -> SceneResult:
    """Feed the scene's frames through a camera pipeline and score what it raised."""
    config = config or default_config()
    world = scene.world
    camera = CameraConfig(id="eval-cam", name="评测摄像头", url=scene.name, analysis_hz=scene.hz, zones=scene.zones)
    site = SiteConfig(
        id="eval", name="评测点位", kind=SiteKind.QUARRY, region_code="360102", cameras=[camera], closed=scene.closed
    )
    oracle = Oracle(world.camera.width, world.camera.height)
    first: dict[str, Raised] = {}
    clock = _Clock(world.start)
    with tempfile.TemporaryDirectory() as folder:
        listen = _listener(first, clock)
        publisher = Publisher(
            site, camera, outbox=Outbox(Path(folder)), model=ORACLE, evidence=config.evidence, listeners=[listen]
        )
        pipeline = CameraPipeline(site, camera, config, detect=oracle.detect, publisher=publisher)
        _feed(scene, pipeline, oracle, clock)
        pipeline.finish()
    counts = {"outbound": 0, "inbound": 0}
    for outbound, inbound in pipeline.rules.counts().values():
        counts = {"outbound": outbound, "inbound": inbound}
    return score(scene, sorted(first.values(), key=lambda r: r.at_s), counts, pipeline.stats.analysed)


class _Clock:
    """The scene time of the frame being analysed, for the latency of what it raises."""

    def __init__(self, start: dt.datetime) -> None:
        self.start, self.t_s = start, 0.0


def _listener(first: dict[str, Raised], clock: _Clock) -> Callable[[AlertUpsert], None]:
    def heard(upsert: AlertUpsert) -> None:
        if str(upsert.id) not in first:
            since = (upsert.started_at - clock.start).total_seconds()
            first[str(upsert.id)] = Raised(upsert.kind, clock.t_s, since, upsert.summary)

    return heard


def _feed(scene: EvalScene, pipeline: CameraPipeline, oracle: Oracle, clock: _Clock) -> None:
    """Frames at the camera's rate; those the sampler asks for are rendered and analysed ``AHEAD`` frames
    later, as the reader thread decodes ahead of analysis (the sampler makes a raised rate take effect
    ``AHEAD`` frames after the one that asked, as it does behind the reader)."""
    world = scene.world
    fps = world.camera.fps
    gop = round(GOP_S * fps)
    offline = world.starts("offline")
    waiting: collections.deque[float] = collections.deque()
    for index in range(round(world.duration_s * fps)):
        t_s = index / fps
        if offline is not None and t_s >= offline:
            while waiting:  # what was decoded before the camera went quiet is still analysed
                _analyse(world, pipeline, oracle, clock, waiting.popleft())
            clock.t_s = t_s
            _silence(pipeline, world.start, offline, t_s, index % fps == 0)
            continue
        packet = Packet(b"", index, index, 1, index % gop == 0, t_s)
        if pipeline.sampler.wants(packet) and pipeline.sampler.due(t_s):
            waiting.append(t_s)
        while len(waiting) > AHEAD or (waiting and index == round(world.duration_s * fps) - 1):
            _analyse(world, pipeline, oracle, clock, waiting.popleft())


def _analyse(world: World, pipeline: CameraPipeline, oracle: Oracle, clock: _Clock, t_s: float) -> None:
    image, oracle.boxes = render(world, t_s)
    clock.t_s = t_s
    at = world.start + dt.timedelta(seconds=t_s)
    pipeline.analyse(
        make_frame("eval-cam", image, seq=round(t_s * 1000), pts_s=t_s, at=at, width=pipeline.config.motion.width)
    )


def _silence(pipeline: CameraPipeline, start: dt.datetime, since_s: float, t_s: float, report: bool) -> None:
    """A camera gone quiet: the source reports the silence about once a second, as a live one does."""
    if report:
        pipeline.on_silence(Silence(since_s, t_s, start + dt.timedelta(seconds=t_s)), origin=start)


def score(scene: EvalScene, raised: list[Raised], counts: dict[str, int], analysed: int) -> SceneResult:
    """Match what was raised with what was expected."""
    unmatched = list(raised)
    recalled, missed = [], []
    for expected in scene.expected:
        hit = next(
            (
                r
                for r in unmatched
                if r.kind is expected.kind and expected.start_s <= r.at_s <= expected.start_s + RECALL_WINDOW_S
            ),
            None,
        )
        if hit is None:
            missed.append(expected.kind.value)
        else:
            unmatched.remove(hit)
            recalled.append((expected.kind.value, round(hit.at_s - expected.start_s, 2)))
    if scene.closed:  # a closed site's crossings are the expected alerts: one incident for the run
        unmatched = [r for r in unmatched if r.kind is not AlertKind.HAUL_CROSSING]
    return SceneResult(
        scene=scene.name,
        group=scene.group,
        quiet=scene.quiet,
        hours=scene.world.duration_s / 3600,
        raised=raised,
        recalled=recalled,
        missed=missed,
        false_alarms=unmatched,
        counts=counts,
        crossings=scene.crossings,
        analysed=analysed,
    )
