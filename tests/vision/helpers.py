"""Builders for vision tests: times, sites, tracks and frames rendered by ``vision.synth``."""

from __future__ import annotations

import datetime as dt
import fractions
from collections.abc import Iterable
from pathlib import Path

import msgspec
import numpy as np

from mobile_contract.sites import CameraConfig, DomainClass, SiteConfig, SiteKind, Zone
from vision.sources import make_frame
from vision.synth import clips
from vision.synth.expectations import Scenario
from vision.types import Box, Frame, Track

CST = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2025, 6, 2, 10, 0, tzinfo=CST)
WIDTH = 320  # analysis width


def at(seconds: float, start: dt.datetime = T0) -> dt.datetime:
    return start + dt.timedelta(seconds=seconds)


def camera(*zones: Zone, camera_id: str = "cam-1", analysis_hz: float = 1.0, url: str = "clip.mp4") -> CameraConfig:
    return CameraConfig(id=camera_id, name="测试摄像头", url=url, analysis_hz=analysis_hz, zones=list(zones))


def site(*cameras: CameraConfig, kind: SiteKind = SiteKind.QUARRY, **options: object) -> SiteConfig:
    return SiteConfig(id="site-1", name="测试点位", kind=kind, region_code="360102", cameras=list(cameras), **options)  # type: ignore[arg-type]


def track(track_id: int, cls: DomainClass, x: float, y: float, *, size: float = 0.1, moving: bool = True) -> Track:
    """A track standing at (x, y): the bottom centre of its box."""
    box = Box(x - size / 2, y - size, x + size / 2, y)
    return Track(id=track_id, box=box, cls=cls, score=0.9, moving=moving)


def frame_of(image: np.ndarray, seconds: float, *, start: dt.datetime = T0, seq: int = 0) -> Frame:
    return make_frame("cam-1", image, seq=seq, pts_s=seconds, at=at(seconds, start), width=WIDTH)


def rendered(script: clips.ClipScript, times: Iterable[float]) -> list[Frame]:
    """Frames of a scripted clip at the given times, without encoding (fast)."""
    return [
        frame_of(clips.render_frame(script, float(t))[0], float(t), start=script.start_time, seq=i)
        for i, t in enumerate(times)
    ]


def scenario_site(scenario: Scenario, clip: Path, zones: list[Zone], **options: object) -> SiteConfig:
    return site(camera(*zones, url=str(clip)), **options)


def load_scenario(clip: Path) -> Scenario:
    return msgspec.json.decode(clip.with_suffix(".scenario.json").read_bytes(), type=Scenario)


def encode(script: clips.ClipScript, path: Path, *, gop_s: float = 1.0) -> clips.GroundTruth:
    """Encode a script as H.264 with its per-frame truth kept in memory (no truth file written)."""
    import av

    gop = max(1, round(gop_s * script.fps))
    truths = []
    with av.open(str(path), "w") as container:
        container.metadata["creation_time"] = script.start_time.isoformat()
        stream = container.add_stream("libx264", rate=script.fps)
        stream.width, stream.height, stream.pix_fmt = script.width, script.height, "yuv420p"
        stream.options = {"preset": "ultrafast", "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0"}
        for synth in clips.iter_frames(script):
            picture = av.VideoFrame.from_ndarray(synth.image, format="bgr24")
            picture.pts = synth.truth.index
            picture.time_base = fractions.Fraction(1, script.fps)
            container.mux(stream.encode(picture))
            truths.append(synth.truth)
        container.mux(stream.encode(None))
    return clips.GroundTruth(script, script.fps, script.width, script.height, gop, len(truths), truths, [])
