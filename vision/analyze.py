"""Analyse recorded footage (录像分析): ``vision analyze VIDEO --site SITE --out alerts.jsonl``.

The same pipeline as for live cameras, reading a file as fast as it can.
Every alert revision goes to the JSON Lines file and to an outbox folder
beside it (with the snapshot and clip bytes); with ``deliver`` the outbox is
also sent to S3 and the API while the analysis runs.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import av
import msgspec

from mobile_contract.alerts import AlertUpsert
from mobile_contract.sites import CameraConfig, LandformZone, SiteConfig
from vision.config import NodeConfig
from vision.detect.base import Detector
from vision.events import Outbox, Publisher
from vision.pipeline import CameraPipeline, PipelineStats
from vision.sources import VideoSource, recording_start


class LineCount(msgspec.Struct, frozen=True):
    line: str
    outbound: int
    inbound: int


class AnalyzeResult(msgspec.Struct):
    alerts: list[AlertUpsert]  # the latest revision of each alert
    open_at_end: set[str]  # ids of alerts still going when the recording ended (ended only by its end)
    revisions: int
    counts: list[LineCount]
    stats: PipelineStats
    video_s: float
    wall_s: float

    @property
    def realtime_factor(self) -> float:
        return self.video_s / self.wall_s if self.wall_s else 0.0


def pick_camera(site: SiteConfig, camera_id: str | None) -> CameraConfig:
    if camera_id is None:
        if len(site.cameras) != 1:
            raise ValueError(f"site {site.id} has {len(site.cameras)} cameras: name one with --camera")
        return site.cameras[0]
    for camera in site.cameras:
        if camera.id == camera_id:
            return camera
    raise ValueError(f"site {site.id} has no camera {camera_id!r}")


def recording_start_of(video: Path) -> dt.datetime | None:
    """The recording's ``creation_time``, if its recorder wrote one."""
    with av.open(str(video)) as container:
        return recording_start(container)


def unreachable(site: SiteConfig, config: NodeConfig, *, camera_id: str | None, duration_s: float) -> list[str]:
    """Rules whose persistence is longer than the recording: they can never fire on it, and saying nothing
    would read as "nothing happened"."""
    camera = pick_camera(site, camera_id)
    waits = [(f"{type(z).__name__} {z.name}: dwell_s", z.dwell_s) for z in camera.zones if hasattr(z, "dwell_s")]
    waits += [(f"LandformZone {z.name}: persist_s", z.persist_s) for z in camera.zones if isinstance(z, LandformZone)]
    waits += [("tamper.persist_s", config.tamper.persist_s)]
    if site.prohibited_hours:
        waits.append(("rules.min_active_s", config.rules.min_active_s))
    return [
        f"{name} {wait:g} s is longer than the recording ({duration_s:.0f} s): it can never fire here"
        for name, wait in waits
        if wait > duration_s
    ]


def video_duration_s(video: Path) -> float:
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        return float(container.duration or 0) / av.time_base


def analyze(
    video: Path,
    site: SiteConfig,
    config: NodeConfig,
    *,
    detector: Detector,
    outbox: Outbox,
    camera_id: str | None = None,
    reference: bool = False,
    start: dt.datetime | None = None,
    listeners: list[Callable[[AlertUpsert], None]] | None = None,
    progress: Callable[[float], None] | None = None,
) -> AnalyzeResult:
    """Run one camera's pipeline over a recording; ``progress`` hears the stream time now reached."""
    camera = pick_camera(site, camera_id)
    latest: dict[str, AlertUpsert] = {}
    context = {"mode": "reference" if reference else "normal", "source": video.name}
    publisher = Publisher(
        site,
        camera,
        outbox=outbox,
        model=detector.identity,
        evidence=config.evidence,
        context=context,
        listeners=[lambda upsert: latest.__setitem__(str(upsert.id), upsert), *(listeners or [])],
    )
    pipeline = CameraPipeline(site, camera, config, detect=detector.detect, publisher=publisher, reference=reference)
    source = VideoSource(str(video), live=False, start=start, gap_s=camera.offline_after_s)
    began = time.perf_counter()
    pipeline.run(source, progress=progress)
    wall_s = time.perf_counter() - began
    counts = [LineCount(name, out, into) for name, (out, into) in pipeline.rules.counts().items()]
    return AnalyzeResult(
        alerts=sorted(latest.values(), key=lambda a: (a.started_at, str(a.id))),
        open_at_end={str(i) for i in pipeline.open_at_finish},
        revisions=pipeline.stats.revisions,
        counts=counts,
        stats=pipeline.stats,
        video_s=video_duration_s(video),
        wall_s=wall_s,
    )


class JsonLines:
    """Appends each alert revision to a ``.jsonl`` file as it is issued."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = path.open("wb")

    def __call__(self, upsert: AlertUpsert) -> None:
        self.handle.write(msgspec.json.encode(upsert) + b"\n")
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()
