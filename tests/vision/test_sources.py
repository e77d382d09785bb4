"""Sources and the evidence ring buffer, on a small H.264 clip encoded in the test."""

import datetime as dt
import io
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from tests.vision.streams import refused_url
from vision.ringbuffer import PacketRing
from vision.sources import Silence, VideoSource
from vision.types import Packet

START = dt.datetime(2025, 6, 2, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def write_clip(
    path: Path, *, seconds: float, fps: int = 25, gop: int = 25, skip: tuple[float, float] | None = None
) -> None:
    """A moving bright square; frames in ``skip`` are left out, as a camera that stopped sending."""
    with av.open(str(path), "w") as out:
        out.metadata["creation_time"] = START.isoformat()
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        stream.options = {"preset": "ultrafast", "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0"}
        for i in range(round(seconds * fps)):
            if skip and skip[0] <= i / fps < skip[1]:
                continue
            image = np.full((96, 160, 3), 40, np.uint8)
            image[30:60, i % 130 : i % 130 + 30] = 220
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def test_file_times_come_from_the_stream_and_the_recording_start(tmp_path: Path) -> None:
    clip = tmp_path / "c.mp4"
    write_clip(clip, seconds=2)
    source = VideoSource(str(clip), live=False)
    packets = [p for p in source.packets() if isinstance(p, Packet)]
    assert len(packets) == 50
    assert sorted(p.pts_s for p in packets)[:3] == pytest.approx([0.0, 0.04, 0.08])
    assert source.wall(1.0) == START + dt.timedelta(seconds=1)
    assert sum(p.key for p in packets) == 2


def test_a_gap_in_the_stream_is_reported_as_silence(tmp_path: Path) -> None:
    clip = tmp_path / "gap.mp4"
    write_clip(clip, seconds=6, skip=(1.0, 4.0))
    source = VideoSource(str(clip), live=False, gap_s=2.0)
    silences = [s for s in source.packets() if isinstance(s, Silence)]
    assert len(silences) == 1
    assert silences[0].since_s == pytest.approx(0.96)
    assert silences[0].until_s == pytest.approx(4.0)
    assert silences[0].resumed


def test_key_frame_decoding_gives_the_frame_at_once(tmp_path: Path) -> None:
    clip = tmp_path / "c.mp4"
    write_clip(clip, seconds=3)
    source = VideoSource(str(clip), live=False)
    times = []
    for item in source.packets():
        if isinstance(item, Packet) and item.key:
            source.key_frames_only(True)
            times += [source.seconds(f.pts) for f in source.decode(item, drain=True)]
    assert times == pytest.approx([0.0, 1.0, 2.0])


def test_clip_from_the_ring_is_the_camera_bits_remuxed(tmp_path: Path) -> None:
    clip = tmp_path / "c.mp4"
    write_clip(clip, seconds=6)
    source = VideoSource(str(clip), live=False)
    ring = PacketRing(keep_s=3.0)
    kept = []
    for item in source.packets():
        assert isinstance(item, Packet)
        ring.append(item)
        kept.append(item)
    assert ring.window(0.0, 10.0)[0].key  # the ring always starts at a key frame
    data = ring.clip(3.5, 5.0, source.stream)
    with av.open(io.BytesIO(data)) as mp4:
        frames = list(mp4.decode(video=0))
    assert len(frames) == 51  # from the key frame at 3.0 s through 5.0 s
    original = {p.pts_s: p.data for p in kept}
    with av.open(io.BytesIO(data)) as mp4:
        remuxed = [bytes(p) for p in mp4.demux(video=0) if p.size]
    assert remuxed[0] == original[3.0]  # not re-encoded


def test_a_live_stream_is_placed_in_time_by_its_least_delayed_packet(tmp_path: Path) -> None:
    """The first 2 s arrive at once (what FFmpeg read ahead while probing), then packets come as sent.

    Frame times stay anchored on the first packet demuxed; the capture origin, by which a camera's two streams
    are aligned, is 2 s earlier: when the first packet was really sent.
    """
    clip = tmp_path / "c.mp4"
    write_clip(clip, seconds=4)
    demuxed = 2.0
    arrivals = [demuxed] + [demuxed + max(0.0, i / 25 - 2.0) for i in range(100)]  # the anchor, then each packet
    clock = iter(arrivals)
    source = VideoSource(str(clip), live=True, clock=lambda: 1_000_000.0 + next(clock))
    for item in source.packets():
        if isinstance(item, Packet) and item.pts_s >= 3.96:
            break
    assert source.origin == dt.datetime.fromtimestamp(1_000_002.0, dt.UTC)
    assert source.capture_origin == dt.datetime.fromtimestamp(1_000_000.0, dt.UTC)


def test_a_live_stream_that_never_answers_is_silent_from_the_first_attempt() -> None:
    """Its silence grows (so the camera is reported offline) instead of starting afresh at every report."""
    source = VideoSource(refused_url("sub.ts"), live=True, timeout_s=1.0, backoff_max_s=1.0)
    silences = []
    for item in source.packets():
        assert isinstance(item, Silence)
        silences.append(item)
        if item.until_s >= 2.0 or len(silences) > 20:
            break
    assert silences[-1].until_s >= 2.0 and silences[-1].since_s == 0.0
    assert [s.until_s for s in silences] == sorted(s.until_s for s in silences)
    assert source.origin is not None and source.origin <= silences[0].at
