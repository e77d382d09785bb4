"""Scripted camera clips with ground truth (带真值的合成视频): what the pipeline tests and benchmark watch.

A ``ClipScript`` says what happens when: actors moving along keyframed paths, the light level over
time, landform changes, tampering. ``render_frame`` draws any instant of it, ``iter_frames`` walks it
frame by frame as the camera would deliver it, and ``write_clip`` encodes H.264 (libx264, yuv420p, a
fixed key-frame interval) with PyAV and writes ``<clip>.truth.json`` beside it.

Coordinates are normalised to the frame (x right, y down); an actor's keyframes give the point where
it stands on the ground. Times are seconds from frame 0, whose wall-clock time is ``start_time``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import cv2
import msgspec
import numpy as np

from vision.synth import tamper as tampering
from vision.synth.actors import ActorKind
from vision.synth.scene import Box, Conditions, Extras, compose
from vision.synth.staging import Stage, light_level
from vision.synth.weather import Grain, Haze

TamperKind = Literal["covered", "defocused", "moved", "frozen", "offline"]
SceneName = Literal["quarry", "hillside", "haul_road"]
CHINA_STANDARD_TIME = dt.timezone(dt.timedelta(hours=8), "CST")
# A video camera denoises over time; stills keep more grain. This keeps night clips near a real camera's bit rate.
_SENSOR_NOISE = 0.8


class Keyframe(msgspec.Struct, frozen=True):
    t_s: float
    x: float
    y: float


class ActorPath(msgspec.Struct, frozen=True, kw_only=True):
    """One actor's part in the clip; between keyframes it moves in a straight line."""

    kind: ActorKind
    keyframes: list[Keyframe]
    scale: float = 1.0  # times the size perspective gives at its position
    appear_s: float = 0.0
    leave_s: float | None = None  # None: stays to the end
    working: bool = False  # boom, bucket or mast busy (a person walks when moving regardless)
    loaded: bool = False
    lights: bool = True  # lamps on when it is dark


class Tamper(msgspec.Struct, frozen=True, kw_only=True):
    """Camera tampering (摄像头遮挡/失焦/移位/冻结/离线) from ``start_s`` until ``end_s`` (None: the end)."""

    kind: TamperKind
    start_s: float
    end_s: float | None = None
    shift_x: float = 0.08  # moved: pan as a share of the width
    shift_y: float = 0.05  # moved: tilt as a share of the height
    rotate_deg: float = 4.0  # moved: roll


class LightingKey(msgspec.Struct, frozen=True):
    """Ambient light level at ``t_s`` (1 day, 0 night); linear between keys, held beyond them."""

    t_s: float
    level: float


class Landform(msgspec.Struct, frozen=True, kw_only=True):
    """Fresh excavation (新开挖面) in ``polygon`` appearing at ``t_s`` (fading in over ``grow_s``) and staying."""

    t_s: float
    polygon: list[tuple[float, float]]
    grow_s: float = 0.0


class ClipScript(msgspec.Struct, frozen=True, kw_only=True):
    scene: SceneName
    duration_s: float
    width: int = 1920
    height: int = 1080
    fps: int = 25
    actors: list[ActorPath] = []
    tamper: list[Tamper] = []
    lighting: list[LightingKey] = []
    landform: list[Landform] = []
    rain: bool = False
    dust: bool = False
    seed: int = 0
    start_time: dt.datetime = dt.datetime(2025, 6, 2, 10, 0, tzinfo=CHINA_STANDARD_TIME)


class FrameTruth(msgspec.Struct, frozen=True):
    index: int
    t_s: float
    wall_time: dt.datetime
    light: float
    tamper: TamperKind | None
    boxes: list[Box]


class TruthEvent(msgspec.Struct, frozen=True):
    """Something that happened: actor_enters/actor_leaves (first/last frame it is boxed in), tamper_starts/
    tamper_ends, camera_offline, landform_changes, light_changes."""

    kind: str
    t_s: float
    actor: int | None = None
    detail: str = ""


class GroundTruth(msgspec.Struct, frozen=True):
    script: ClipScript
    fps: int
    width: int
    height: int
    keyframe_interval: int  # frames between H.264 key frames
    frame_count: int  # frames delivered (fewer than duration × fps when the camera goes offline)
    frames: list[FrameTruth]
    events: list[TruthEvent]


class SynthFrame(msgspec.Struct):
    """One delivered frame: its BGR pixels and what is truly in it."""

    image: np.ndarray
    truth: FrameTruth


def _active(script: ClipScript, kind: TamperKind, t_s: float) -> Tamper | None:
    for item in script.tamper:
        if item.kind == kind and item.start_s <= t_s and (item.end_s is None or t_s < item.end_s):
            return item
    return None


def _tamper_at(script: ClipScript, t_s: float) -> TamperKind | None:
    for kind in ("offline", "covered", "frozen", "defocused", "moved"):
        if _active(script, kind, t_s) is not None:
            return kind
    return None


@functools.lru_cache(maxsize=4)
def _stage(encoded: bytes) -> tuple[ClipScript, Stage, Extras]:
    """Backdrops, noise and haze for one script, built once and reused for every frame."""
    script = msgspec.json.decode(encoded, type=ClipScript)
    stage = Stage(script)
    rng = np.random.default_rng([script.seed, 1])
    haze = Haze(rng, script.height, script.width, 0.5) if script.dust else None
    return script, stage, Extras(grain=Grain(rng, script.height, script.width), haze=haze)


def _scene_at(script: ClipScript, t_s: float) -> tuple[np.ndarray, list[Box]]:
    """The scene itself at ``t_s``, as an untampered camera sees it."""
    _, stage, extras = _stage(msgspec.json.encode(script))
    poses, actors = stage.poses(t_s)
    light = light_level(script.lighting, t_s)
    rain, dust = 0.7 if script.rain else 0.0, 0.5 if script.dust else 0.0
    conditions = Conditions(light=light, rain=rain, dust=dust, noise=_SENSOR_NOISE)
    rng = np.random.default_rng([script.seed, 2, round(t_s * script.fps)])
    image, boxes = compose(stage.backdrop(t_s), poses, conditions, rng, extras)
    return image, [msgspec.structs.replace(box, actor=actors[box.actor]) for box in boxes]


def render_frame(script: ClipScript, t_s: float) -> tuple[np.ndarray, list[Box]]:
    """The picture the camera gives at ``t_s`` and the boxes of the actors visible in it.

    An ``offline`` camera delivers nothing: ``iter_frames`` stops there; this still draws the scene.
    """
    frozen = _active(script, "frozen", t_s)
    image, boxes = _scene_at(script, frozen.start_s if frozen else t_s)
    if _active(script, "covered", t_s):
        return tampering.covered(image, np.random.default_rng([script.seed, 3])), []
    if shift := _active(script, "moved", t_s):
        matrix = tampering.view_shift(script.width, script.height, shift.shift_x, shift.shift_y, shift.rotate_deg)
        image, boxes = tampering.moved(image, boxes, matrix)
    if _active(script, "defocused", t_s):
        image = tampering.defocused(image)
    return image, boxes


def iter_frames(script: ClipScript) -> Iterator[SynthFrame]:
    """Frames as the camera delivers them, until the clip ends or the camera goes offline."""
    previous: SynthFrame | None = None
    for index in range(round(script.duration_s * script.fps)):
        t_s = index / script.fps
        state = _tamper_at(script, t_s)
        if state == "offline":
            return
        truth_time = script.start_time + dt.timedelta(seconds=t_s)
        light = light_level(script.lighting, t_s)
        if state == "frozen" and previous is not None and previous.truth.tamper == "frozen":
            image, boxes = previous.image, previous.truth.boxes  # the very same picture, again
        else:
            image, boxes = render_frame(script, t_s)
        previous = SynthFrame(image, FrameTruth(index, round(t_s, 6), truth_time, round(light, 4), state, boxes))
        yield previous


def _frame_of(image: np.ndarray, index: int, fps: int) -> av.VideoFrame:
    frame = av.VideoFrame.from_ndarray(
        np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420), np.uint8), format="yuv420p"
    )
    frame.pts = index
    frame.time_base = Fraction(1, fps)
    return frame


def write_clip(
    script: ClipScript,
    path: Path,
    *,
    keyframe_interval_s: float = 2.0,
    preset: str = "ultrafast",
    crf: int = 23,
) -> GroundTruth:
    """Encode the clip as H.264 MP4 at ``path`` and write its ground truth to ``<stem>.truth.json``."""
    path = Path(path)
    gop = max(1, round(keyframe_interval_s * script.fps))
    frames: list[FrameTruth] = []
    with av.open(str(path), "w") as container:
        container.metadata["creation_time"] = script.start_time.isoformat()
        stream = container.add_stream("libx264", rate=script.fps)
        stream.width, stream.height, stream.pix_fmt = script.width, script.height, "yuv420p"
        stream.codec_context.gop_size = gop
        stream.options = {"preset": preset, "crf": str(crf), "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0"}
        for frame in iter_frames(script):
            container.mux(stream.encode(_frame_of(frame.image, frame.truth.index, script.fps)))
            frames.append(frame.truth)
        container.mux(stream.encode(None))
    truth = GroundTruth(
        script, script.fps, script.width, script.height, gop, len(frames), frames, _events(script, frames)
    )
    truth_path(path).write_bytes(msgspec.json.encode(truth))
    return truth


def truth_path(clip: Path) -> Path:
    return Path(clip).with_suffix(".truth.json")


def read_truth(clip: Path) -> GroundTruth:
    return msgspec.json.decode(truth_path(clip).read_bytes(), type=GroundTruth)


def _events(script: ClipScript, frames: list[FrameTruth]) -> list[TruthEvent]:
    """The clip's story, in time order, from the script and from what the frames actually show."""
    events: list[TruthEvent] = []
    seen: dict[int, tuple[float, float]] = {}
    for frame in frames:
        for box in frame.boxes:
            first, _ = seen.get(box.actor, (frame.t_s, frame.t_s))
            seen[box.actor] = (first, frame.t_s)
    end = len(frames) / script.fps
    for actor, (first, last) in seen.items():
        kind = script.actors[actor].kind
        events.append(TruthEvent("actor_enters", first, actor, kind))
        if last + 1.0 / script.fps < end:
            events.append(TruthEvent("actor_leaves", round(last + 1.0 / script.fps, 6), actor, kind))
    for item in script.tamper:
        events.append(
            TruthEvent("camera_offline" if item.kind == "offline" else "tamper_starts", item.start_s, detail=item.kind)
        )
        if item.end_s is not None and item.kind != "offline" and item.end_s < end:
            events.append(TruthEvent("tamper_ends", item.end_s, detail=item.kind))
    for change in script.landform:
        events.append(TruthEvent("landform_changes", change.t_s, detail=msgspec.json.encode(change.polygon).decode()))
    for before, after in itertools.pairwise(script.lighting):
        if before.level != after.level:
            detail = f"{before.level:g} -> {after.level:g} by {after.t_s:g} s"
            events.append(TruthEvent("light_changes", before.t_s, detail=detail))
    return sorted(events, key=lambda event: (event.t_s, event.kind))
