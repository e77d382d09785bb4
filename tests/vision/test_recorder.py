"""``vision.recorder``: a camera analysed on its sub-stream, its evidence from its main stream (子码流分析，主码流取证).

The two streams are encoded in the test from the same rendered pictures, as a camera's two encoders do: the
main stream at 640×360, the sub-stream at CIF 352×288 (another shape, as real sub-streams often have).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fractions
import io
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import av
import cv2
import msgspec
import numpy as np
import pytest

from mobile_contract.alerts import AlertKind, AlertUpsert, Severity
from mobile_contract.sites import CameraConfig, DomainClass
from tests.vision.fleet_world import wait_until
from tests.vision.groundtruth import IDENTITY
from tests.vision.helpers import camera, site
from tests.vision.streams import LoopingCameras, refused_url
from vision.config import NodeConfig, PyTorchDetector, TamperConfig
from vision.events import Outbox, Publisher
from vision.events.evidence import snapshot_jpeg
from vision.node import open_streams
from vision.pipeline import CameraPipeline
from vision.recorder import MAIN_STREAM, MainStreamRecorder
from vision.ringbuffer import PacketRing, nearest_picture
from vision.sources import VideoSource, bgr, make_frame
from vision.synth import clips, scenarios
from vision.types import AlertCandidate, Box, DwellFacts, Frame, IncidentKey, Packet, Track

MAIN, SUB = (640, 360), (352, 288)
START = dt.datetime(2025, 6, 2, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@dataclasses.dataclass(frozen=True)
class Stream:
    """One of a camera's encoders: where it writes, at what size, when its recording began, frames it lost."""

    path: Path
    size: tuple[int, int]
    start: dt.datetime = START
    lost: range = range(0)


def encode(images: Iterable[np.ndarray], streams: list[Stream], *, fps: int) -> None:
    """Every picture into every stream at that stream's size, 1-s key-frame interval."""
    outs = [av.open(str(s.path), "w") for s in streams]
    encoders = []
    for out, spec in zip(outs, streams, strict=True):
        out.metadata["creation_time"] = spec.start.isoformat()
        encoder = out.add_stream("libx264", rate=fps)
        encoder.width, encoder.height, encoder.pix_fmt = *spec.size, "yuv420p"
        encoder.options = {"preset": "ultrafast", "x264-params": f"keyint={fps}:min-keyint={fps}:scenecut=0"}
        encoders.append(encoder)
    for index, image in enumerate(images):
        for out, encoder, spec in zip(outs, encoders, streams, strict=True):
            if index not in spec.lost:
                picture = av.VideoFrame.from_ndarray(cv2.resize(image, spec.size), format="bgr24")
                picture.pts, picture.time_base = index, fractions.Fraction(1, fps)
                out.mux(encoder.encode(picture))
    for out, encoder in zip(outs, encoders, strict=True):
        out.mux(encoder.encode(None))
        out.close()


def moving_square(seconds: float, fps: int) -> Iterator[np.ndarray]:
    """A textured backdrop with a bright square moving across it: every picture differs from the next."""
    backdrop = np.random.default_rng(7).integers(0, 120, (MAIN[1], MAIN[0], 3), dtype=np.uint8)
    for index in range(round(seconds * fps)):
        image = backdrop.copy()
        x = 20 + index * 6 % (MAIN[0] - 80)
        image[140:200, x : x + 60] = 230
        yield image


def payloads(path: Path | bytes) -> list[bytes]:
    with av.open(io.BytesIO(path) if isinstance(path, bytes) else str(path)) as container:
        return [bytes(p) for p in container.demux(video=0) if p.size]


def pictures(path: Path) -> dict[float, np.ndarray]:
    """Every picture of a recording by its time in seconds."""
    with av.open(str(path)) as container:
        return {round(float(f.time), 3): f.to_ndarray(format="bgr24") for f in container.decode(video=0)}


def test_the_picture_nearest_a_time_is_decoded_from_the_key_frame_before_it(tmp_path: Path) -> None:
    main = tmp_path / "main.mp4"
    encode(moving_square(3.0, 25), [Stream(main, MAIN)], fps=25)
    source = VideoSource(str(main), live=False)
    ring = PacketRing(keep_s=10.0)
    for item in source.packets():
        assert isinstance(item, Packet)
        ring.append(item)
    assert source.stream is not None
    found = nearest_picture(ring.window(1.53, 2.03), source.stream, 1.53)
    assert found is not None and found.pts_s == pytest.approx(1.52)  # 1.52 and 1.56 are the frames either side
    assert np.array_equal(found.picture.to_ndarray(format="bgr24"), pictures(main)[1.52])


def test_two_recordings_are_aligned_by_when_each_began(tmp_path: Path) -> None:
    """The main stream's recording began 1 s after the sub-stream's (MP4 keeps whole seconds): its picture of
    analysis time 2.0 s is its own 1.0 s."""
    main, sub = tmp_path / "main.mp4", tmp_path / "sub.mp4"
    encode(moving_square(4.0, 25), [Stream(sub, SUB)], fps=25)
    late = START + dt.timedelta(seconds=1)
    encode(list(moving_square(5.0, 25))[25:], [Stream(main, MAIN, start=late)], fps=25)
    analysis = VideoSource(str(sub), live=False)
    next(analysis.packets())  # connected: its recording's start is known
    recorder = MainStreamRecorder(VideoSource(str(main), live=False), analysis, ring_s=10.0).start()
    try:
        recorder.reached(2.0)
        found = recorder.picture(2.0)
    finally:
        recorder.close()
    assert found is not None and found.pts_s == pytest.approx(2.0)
    assert np.array_equal(found.picture.to_ndarray(format="bgr24"), pictures(main)[1.0])


def record_covered(folder: Path, *, main_lost: range = range(0)) -> tuple[Path, Path]:
    """The quarry camera covered from 10 s to 20 s, as a main stream and a sub-stream (10 frames a second)."""
    script = scenarios.camera_tamper("covered", duration_s=20.0, width=MAIN[0], height=MAIN[1], fps=10).script
    main, sub = folder / "main.mp4", folder / "sub.mp4"
    streams = [Stream(main, MAIN, lost=main_lost), Stream(sub, SUB)]
    encode((f.image for f in clips.iter_frames(script)), streams, fps=10)
    return main, sub


@pytest.fixture(scope="module")
def covered_lens(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return record_covered(tmp_path_factory.mktemp("covered"))


class Watched(msgspec.Struct):
    alerts: list[AlertUpsert]
    media: dict[str, bytes]
    analysed: list[Frame]  # without their pictures

    @property
    def sizes(self) -> set[tuple[int, int]]:
        return {(frame.width, frame.height) for frame in self.analysed}


def watch(tmp_path: Path, cam: CameraConfig, source: VideoSource, main: VideoSource | None) -> Watched:
    """One camera's pipeline over its streams; no rule here needs a detection, so the detector finds nothing."""
    outbox = Outbox(tmp_path / "outbox")
    alerts: list[AlertUpsert] = []
    config = NodeConfig(detector=PyTorchDetector(weights="none"), tamper=TamperConfig(persist_s=3.0))
    publisher = Publisher(
        site(cam), cam, outbox=outbox, model=IDENTITY, evidence=config.evidence, listeners=[alerts.append]
    )
    pipeline = CameraPipeline(site(cam), cam, config, detect=lambda crops: [[] for _ in crops], publisher=publisher)
    analysed: list[Frame] = []
    analyse = pipeline.analyse

    def noted(frame: Frame) -> list[Track]:
        analysed.append(msgspec.structs.replace(frame, picture=None, whole=None))
        return analyse(frame)

    pipeline.analyse = noted  # type: ignore[method-assign]
    pipeline.run(source, main=main)
    media = {m.sha256: outbox.media_bytes(a.id, m.sha256) for a in alerts for m in a.media}
    return Watched(alerts, media, analysed)


def watch_sub_stream_camera(tmp_path: Path, main: Path, sub: Path) -> Watched:
    """A camera with both streams recorded: analysed on ``sub``, its evidence from ``main``."""
    cam = msgspec.structs.replace(camera(url=str(main)), sub_url=str(sub))
    return watch(tmp_path, cam, VideoSource(str(sub), live=False), VideoSource(str(main), live=False))


def evidence_of(watched: Watched, kind: AlertKind) -> tuple[bytes, bytes]:
    """The snapshot JPEG and the clip MP4 of the alert's last revision."""
    alert = [a for a in watched.alerts if a.kind is kind][-1]
    (snapshot,) = [watched.media[m.sha256] for m in alert.media if m.kind == "snapshot"]
    (clip,) = [watched.media[m.sha256] for m in alert.media if m.kind == "clip"]
    return snapshot, clip


def streams_of(watched: Watched, kind: AlertKind) -> dict[str, tuple[str | None, int | None, int | None]]:
    """What the alert's last revision says of each medium: the stream it came from and that stream's size."""
    alert = [a for a in watched.alerts if a.kind is kind][-1]
    return {m.kind: (m.stream, m.width, m.height) for m in alert.media}


def assert_camera_own_packets(clip: bytes, recording: Path) -> None:
    """The clip's packets are a run of the recording's own, byte for byte, from a key frame."""
    cut, original = payloads(clip), payloads(recording)
    first = original.index(cut[0])
    assert cut == original[first : first + len(cut)]
    with av.open(io.BytesIO(clip)) as container:
        assert next(container.demux(video=0)).is_keyframe


@pytest.mark.slow
@pytest.mark.integration  # the whole pipeline at work (docs/testing.md)
def test_a_camera_with_a_sub_stream_is_analysed_on_it_and_its_evidence_is_the_main_stream(
    tmp_path: Path, covered_lens: tuple[Path, Path]
) -> None:
    main, sub = covered_lens
    watched = watch_sub_stream_camera(tmp_path, main, sub)
    assert watched.sizes == {SUB}
    snapshot, clip = evidence_of(watched, AlertKind.CAMERA_COVERED)
    image = cv2.imdecode(np.frombuffer(snapshot, np.uint8), cv2.IMREAD_COLOR)
    assert (image.shape[1], image.shape[0]) == MAIN
    with av.open(io.BytesIO(clip)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == MAIN
        seconds = float(stream.duration * stream.time_base)
    assert 9.0 <= seconds <= 11.0  # clip_pre_s + clip_post_s, from the key frame before
    assert_camera_own_packets(clip, main)
    assert streams_of(watched, AlertKind.CAMERA_COVERED) == {"snapshot": ("main", *MAIN), "clip": ("main", *MAIN)}


@pytest.mark.slow
@pytest.mark.integration  # the whole pipeline at work (docs/testing.md)
def test_with_the_main_stream_lost_the_evidence_is_the_sub_streams_and_says_so(tmp_path: Path) -> None:
    """The main stream sends nothing from 3 s to 19 s: the lens covered at 10 s is shown by the sub-stream."""
    main, sub = record_covered(tmp_path, main_lost=range(30, 190))
    watched = watch_sub_stream_camera(tmp_path, main, sub)
    snapshot, clip = evidence_of(watched, AlertKind.CAMERA_COVERED)
    assert cv2.imdecode(np.frombuffer(snapshot, np.uint8), cv2.IMREAD_COLOR).shape[:2] == (SUB[1], SUB[0])
    assert_camera_own_packets(clip, sub)
    assert streams_of(watched, AlertKind.CAMERA_COVERED) == {"snapshot": ("sub", *SUB), "clip": ("sub", *SUB)}


@pytest.mark.slow
@pytest.mark.integration  # the whole pipeline at work (docs/testing.md)
def test_a_camera_with_one_stream_is_analysed_and_recorded_on_it_as_before(
    tmp_path: Path, covered_lens: tuple[Path, Path]
) -> None:
    main, _ = covered_lens
    cam = camera(url=str(main))
    analysed, evidence = open_streams(cam)
    assert analysed.url == str(main) and evidence is None
    watched = watch(tmp_path, cam, VideoSource(str(main), live=False), None)
    assert watched.sizes == {MAIN}
    snapshot, clip = evidence_of(watched, AlertKind.CAMERA_COVERED)
    assert cv2.imdecode(np.frombuffer(snapshot, np.uint8), cv2.IMREAD_COLOR).shape[:2] == (MAIN[1], MAIN[0])
    assert_camera_own_packets(clip, main)
    assert streams_of(watched, AlertKind.CAMERA_COVERED) == {"snapshot": ("main", *MAIN), "clip": ("main", *MAIN)}


def test_a_node_opens_the_sub_stream_for_analysis_and_the_main_stream_for_evidence() -> None:
    cam = msgspec.structs.replace(camera(url="rtsp://10.0.0.1/main"), sub_url="rtsp://10.0.0.1/sub")
    analysed, evidence = open_streams(cam)
    assert analysed.url == "rtsp://10.0.0.1/sub" and analysed.live
    assert evidence is not None and evidence.url == "rtsp://10.0.0.1/main" and evidence.live


@pytest.mark.slow
@pytest.mark.integration  # the whole pipeline at work (docs/testing.md)
def test_a_main_stream_that_stops_is_reported_and_analysis_goes_on(tmp_path: Path) -> None:
    """The main stream sends nothing from 3 s to 7 s (offline after 2 s); the sub-stream goes on throughout."""
    main, sub = tmp_path / "main.mp4", tmp_path / "sub.mp4"
    encode(moving_square(10.0, 10), [Stream(main, MAIN, lost=range(30, 70)), Stream(sub, SUB)], fps=10)
    cam = msgspec.structs.replace(camera(url=str(main)), sub_url=str(sub), offline_after_s=2.0)
    source = VideoSource(str(sub), live=False, gap_s=cam.offline_after_s)
    watched = watch(tmp_path, cam, source, VideoSource(str(main), live=False, gap_s=cam.offline_after_s))
    assert [round(f.pts_s) for f in watched.analysed] == list(range(10))  # through the main stream's silence
    (lost,) = {a.id: a for a in watched.alerts if a.kind is AlertKind.CAMERA_OFFLINE}.values()
    assert MAIN_STREAM in lost.summary and lost.severity.value == "warning"
    assert lost.started_at == START + dt.timedelta(seconds=2.9)  # from the main stream's last picture
    assert lost.detail["facts"]["measure"] == pytest.approx(4.1) and not lost.detail["facts"]["suspends_rules"]


def test_boxes_found_on_the_sub_stream_are_drawn_on_the_object_in_the_main_stream_snapshot(tmp_path: Path) -> None:
    """At 2.0 s the square is at x 320–380, y 140–200 of the 640×360 main picture; the sub-stream (352×288, another
    shape) saw it at the same normalised place, and that box must frame it on the main-stream snapshot."""
    main, sub = tmp_path / "main.mp4", tmp_path / "sub.mp4"
    encode(moving_square(3.0, 25), [Stream(main, MAIN), Stream(sub, SUB)], fps=25)
    cam = msgspec.structs.replace(camera(url=str(main)), sub_url=str(sub))
    config = NodeConfig(detector=PyTorchDetector(weights="none"))
    publisher = Publisher(site(cam), cam, outbox=Outbox(tmp_path / "outbox"), model=IDENTITY, evidence=config.evidence)
    pipeline = CameraPipeline(site(cam), cam, config, detect=lambda crops: [[] for _ in crops], publisher=publisher)
    analysis = VideoSource(str(sub), live=False)
    next(analysis.packets())
    pipeline.recorder = MainStreamRecorder(VideoSource(str(main), live=False), analysis, ring_s=10.0).start()
    with av.open(str(sub)) as container:
        (picture,) = [f for f in container.decode(video=0) if f.time == 2.0]
        frame = make_frame(cam.id, picture, seq=1, pts_s=2.0, at=START + dt.timedelta(seconds=2), width=320)
    try:
        pipeline.recorder.reached(2.0)
        shown, stream = pipeline.evidence_frame(frame)
    finally:
        pipeline.recorder.close()
    box = Box(320 / 640, 140 / 360, 380 / 640, 200 / 360)
    truck = Track(id=1, box=box, cls=DomainClass.DUMP_TRUCK, score=0.9, moving=True)
    facts = DwellFacts(zone="禁采区", dwell_s=60.0, classes=["dump_truck"])
    candidate = AlertCandidate(
        IncidentKey(cam.id, AlertKind.FORBIDDEN_ZONE), Severity.CRITICAL, frame.at, "", facts, [truck]
    )
    assert stream == "main"
    jpeg = snapshot_jpeg(shown, candidate, cam, width=1920, quality=95, zone=dt.UTC)
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).astype(int)
    red = (image[:, :, 2] > 180) & (image[:, :, 1] < 90) & (image[:, :, 0] < 90)
    assert image.shape[:2] == (MAIN[1], MAIN[0])
    assert red[170, 317:324].any() and red[170, 377:384].any()  # the box's sides, on the square's edges
    assert not red[170, 170:183].any()  # not where the sub-stream's pixel columns would put it


class LiveCamera:
    """A camera's two live HTTP-TS streams of one looping scene, analysed by a pipeline in a thread of its own."""

    def __init__(self, tmp_path: Path, *, main_url: str | None = None) -> None:
        scene = list(moving_square(4.0, 10))
        self.main = LoopingCameras([cv2.resize(image, MAIN) for image in scene], fps=10, phase_s=0.0)
        self.sub = LoopingCameras([cv2.resize(image, SUB) for image in scene], fps=10, phase_s=0.0)
        url = main_url or self.main.url(0)
        cam = msgspec.structs.replace(camera(url=url, analysis_hz=2.0), sub_url=self.sub.url(0), offline_after_s=2.0)
        self.alerts, self.frames = list[AlertUpsert](), list[Frame]()
        config = NodeConfig(detector=PyTorchDetector(weights="none"))
        outbox = Outbox(tmp_path / "outbox")
        publisher = Publisher(
            site(cam), cam, outbox=outbox, model=IDENTITY, evidence=config.evidence, listeners=[self.alerts.append]
        )
        self.pipeline = CameraPipeline(
            site(cam), cam, config, detect=lambda crops: [[] for _ in crops], publisher=publisher
        )
        analyse = self.pipeline.analyse
        self.pipeline.analyse = lambda frame: (self.frames.append(frame), analyse(frame))[1]  # type: ignore[method-assign]
        live = {"live": True, "timeout_s": 1.0, "gap_s": 2.0, "backoff_max_s": 1.0}
        streams = VideoSource(self.sub.url(0), **live), VideoSource(url, **live)
        self.stop = threading.Event()
        self.runner = threading.Thread(
            target=self.pipeline.run, args=(streams[0], self.stop), kwargs={"main": streams[1]}
        )
        self.runner.start()

    def main_stream_lost(self) -> list[AlertUpsert]:
        """Revisions of the main stream's loss, once there is one; analysis must go on after it."""
        wait_until(lambda: any(a.kind is AlertKind.CAMERA_OFFLINE for a in self.alerts), 60, "the main stream's loss")
        analysed = len(self.frames)
        wait_until(lambda: len(self.frames) >= analysed + 4, 60, "analysis going on")
        return [a for a in self.alerts if a.kind is AlertKind.CAMERA_OFFLINE]

    def close(self) -> None:
        self.stop.set()
        self.runner.join()
        self.sub.close()
        self.main.close()


@pytest.mark.slow
@pytest.mark.integration  # the whole pipeline at work (docs/testing.md)
def test_a_live_main_stream_that_goes_is_an_event_and_the_sub_stream_is_analysed_on(tmp_path: Path) -> None:
    """While both streams run, the main-stream picture of an analysed sub-stream frame shows the square where the
    sub-stream does; then the main stream goes for good."""
    live = LiveCamera(tmp_path)
    try:
        wait_until(lambda: len(live.frames) >= 6, 60, "six analysed frames")
        recorder = live.pipeline.recorder
        assert recorder is not None
        frame = wait_until(lambda: recorded(recorder, live.frames[-1]), 60, "the main stream at analysis")
        shown = recorder.picture(frame.pts_s)
        assert shown is not None and (shown.picture.width, shown.picture.height) == MAIN
        apart = scene_index(shown.picture.to_ndarray(format="bgr24")) - scene_index(bgr(frame.picture))
        assert min(apart % 40, -apart % 40) <= LOADED  # frames of the 40-frame loop
        live.main.close()
        lost = live.main_stream_lost()
    finally:
        live.close()
    assert {a.id for a in lost} == {lost[0].id} and MAIN_STREAM in lost[0].summary


@pytest.mark.slow
@pytest.mark.integration  # the whole pipeline at work (docs/testing.md)
def test_a_main_stream_that_never_answers_is_an_event(tmp_path: Path) -> None:
    live = LiveCamera(tmp_path, main_url=refused_url("main.ts"))
    try:
        lost = live.main_stream_lost()
    finally:
        live.close()
    assert MAIN_STREAM in lost[0].summary and lost[0].detail["facts"]["measure"] >= 2.0


def test_a_main_stream_that_cannot_be_read_is_logged_without_its_password(caplog, tmp_path: Path) -> None:
    """FFmpeg names the URL it failed to open, credentials and all; the log an operator reads must not."""
    url = refused_url("main.ts").replace("http://", "http://admin:s3cret-pw@")
    analysed = VideoSource(str(tmp_path / "sub.mp4"), live=False)
    recorder = MainStreamRecorder(VideoSource(url, live=False), analysed, ring_s=5.0).start()
    try:
        wait_until(lambda: "cannot be read" in caplog.text, 10, "the failure logged")
    finally:
        recorder.close()
    assert "s3cret-pw" not in caplog.text and "127.0.0.1" in caplog.text


def recorded(recorder: MainStreamRecorder, frame: Frame) -> Frame | None:
    """The frame, once the main stream's recording has reached its moment."""
    main_s = recorder.main_s(frame.pts_s)
    return frame if main_s is not None and (recorder.ring.newest_s or -1.0) >= main_s else None


def scene_index(image: np.ndarray) -> int:
    """Which picture of ``moving_square`` this is, from where its bright square's left side is."""
    row = image[round(image.shape[0] * 170 / MAIN[1])].mean(axis=1)
    left = int(np.argmax(row > 200)) * MAIN[0] / image.shape[1]
    return round((left - 20) / 6)


# The test's cameras are Python encoders serving the picture of the moment (by the wall clock) with the count of
# pictures sent as timestamps; on a loaded machine an encoder falls behind and its timestamps drift from the
# pictures by a frame or two, which no alignment can undo: hence three frames of slack.
LOADED = 3
