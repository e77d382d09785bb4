"""Video sources (视频源): files and RTSP/HTTP streams, decoded with PyAV.

A source yields the stream's compressed packets (for the evidence ring
buffer) and ``Silence`` markers when nothing arrives: a camera that stops
delivering is an event, never a silent gap. Live streams reconnect with
exponential back-off; files end at their end. Frame times come from the
stream's own timestamps, anchored once to the wall clock (live) or to the
recording's start time (files).

``capture_origin`` says when stream time 0 was, judged by the packet that
arrived least delayed (live) — what two streams of one camera are aligned by
(``vision.recorder``): the anchor of ``origin`` is taken when the first packet
is demuxed, which comes after the seconds FFmpeg read ahead to probe the
stream, and that read-ahead differs from stream to stream.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator

import av
import cv2
import msgspec
import numpy as np

from mobile_contract.stream_urls import redacted
from vision.motion.gate import local_contrast
from vision.ringbuffer import as_av_packet
from vision.types import Frame, Packet

log = logging.getLogger(__name__)


class Silence(msgspec.Struct, frozen=True):
    """No packet since ``since_s`` (stream seconds) up to ``until_s``; ``resumed`` once data flows again."""

    since_s: float
    until_s: float
    at: dt.datetime
    resumed: bool = False


class StreamInfo(msgspec.Struct, frozen=True):
    width: int
    height: int
    fps: float


def open_container(url: str, *, timeout_s: float) -> av.container.InputContainer:
    """Open a file or stream; network reads give up after ``timeout_s`` so silence is noticed."""
    options: dict[str, str] = {}
    if url.startswith("rtsp://"):
        options = {"rtsp_transport": "tcp", "timeout": str(int(timeout_s * 1e6))}
    elif url.startswith(("http://", "https://")):
        options = {"rw_timeout": str(int(timeout_s * 1e6))}
    return av.open(url, options=options, timeout=timeout_s)


def recording_start(container: av.container.InputContainer) -> dt.datetime | None:
    """The recording's start time from its ``creation_time`` tag, if the recorder wrote one."""
    tag = container.metadata.get("creation_time") or container.streams.video[0].metadata.get("creation_time")
    if not tag:
        return None
    return dt.datetime.fromisoformat(tag.replace("Z", "+00:00"))


class VideoSource:
    """Packets of one camera's video, with reconnection for live streams.

    ``start`` anchors stream time to real time for files; live streams anchor
    on the wall clock when their first packet arrives (and again after every
    reconnection, since the camera restarts its timestamps). A ``paced`` file
    plays like a camera: anchored on the wall clock, each packet delivered
    when its time comes (for demonstrations and latency measurements).
    """

    def __init__(
        self,
        url: str,
        *,
        live: bool,
        start: dt.datetime | None = None,
        timeout_s: float = 5.0,
        gap_s: float = 30.0,
        backoff_max_s: float = 30.0,
        paced: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.live = live
        self.paced = paced
        self.timeout_s = timeout_s
        self.gap_s = gap_s
        self.backoff_max_s = backoff_max_s
        self.clock = clock
        self.container: av.container.InputContainer | None = None
        self.stream: av.VideoStream | None = None
        self.origin: dt.datetime | None = start
        self._offset_s = 0.0  # stream seconds of earlier connections, so time keeps increasing
        self._first_pts: int | None = None
        self._last_s: float | None = None
        self._attempts = 0  # failed connections in a row, for the back-off
        self._least_delay_s: float | None = None  # this connection's least (arrival − stream time), clock seconds
        self.lock = threading.RLock()  # held while the decoder may be replaced: others use it under this lock

    def info(self) -> StreamInfo:
        assert self.stream is not None
        rate = self.stream.average_rate or self.stream.guessed_rate or 25
        return StreamInfo(
            width=self.stream.codec_context.width, height=self.stream.codec_context.height, fps=float(rate)
        )

    @property
    def last_s(self) -> float | None:
        """Stream time of the newest packet so far."""
        return self._last_s

    def wall(self, pts_s: float) -> dt.datetime:
        assert self.origin is not None
        return self.origin + dt.timedelta(seconds=pts_s)

    @property
    def capture_origin(self) -> dt.datetime | None:
        """When stream time 0 was: a recording's start, or for a stream the least delayed arrival's reckoning.

        Packets that FFmpeg read ahead while probing arrive all at once and seem early for their time; those
        after arrive as sent. The least (arrival − stream time) over the connection is the stream's own clock
        plus its smallest transit delay, which differs little between two streams of one camera.
        """
        if not (self.live or self.paced):
            return self.origin
        if self._least_delay_s is None:
            return None
        return dt.datetime.fromtimestamp(self._least_delay_s, dt.UTC)

    def packets(self) -> Iterator[Packet | Silence]:
        """Every packet of the stream in decode order, and ``Silence`` wherever the stream went quiet."""
        while True:
            try:
                self._connect()
                yield from self._read()
            except (av.error.FFmpegError, OSError) as exc:
                if not self.live:
                    raise
                # FFmpeg's message ends with the URL it opened, password and all: name the camera without them
                log.warning("camera %s: %s", redacted(self.url), exc.strerror or type(exc).__name__)
            if not self.live:
                return
            yield from self._reconnect_wait()

    def decode(self, packet: Packet, *, drain: bool = False) -> list[av.VideoFrame]:
        """Decode one packet into zero or more frames.

        A decoder holds frames back to reorder B-frames; fed key frames only it
        would answer one or two key frames late (seconds), so with ``drain`` it
        gives up the frame at once and starts afresh for the next key frame.
        """
        assert self.stream is not None and self.stream.time_base is not None  # a demuxed stream has one
        codec = self.stream.codec_context
        pictures = list(codec.decode(as_av_packet(packet, self.stream.time_base)))
        if drain:
            pictures += codec.decode(None)
            codec.flush_buffers()
        return pictures

    def flush(self) -> list[av.VideoFrame]:
        assert self.stream is not None
        return list(self.stream.codec_context.decode(None))

    def key_frames_only(self, enabled: bool) -> None:
        """Tell the decoder to drop everything but key frames (``skip_frame = NONKEY``)."""
        assert self.stream is not None
        self.stream.codec_context.skip_frame = "NONKEY" if enabled else "DEFAULT"

    def seconds(self, pts: int) -> float:
        assert self.stream is not None and self.stream.time_base is not None
        first = self._first_pts or 0
        return self._offset_s + float((pts - first) * self.stream.time_base)

    def close(self) -> None:
        """Close the connection; its stream (and decoder) must not be touched afterwards."""
        with self.lock:
            self.stream = None
            if self.container is not None:
                self.container.close()
                self.container = None

    def _connect(self) -> None:
        self.close()
        container = open_container(self.url, timeout_s=self.timeout_s)
        with self.lock:
            self.container = container
            self.stream = container.streams.video[0]
            # One decoding thread per camera, on its reader thread: a node runs many cameras beside a detector that
            # fills every core, so a decoder's own thread pool only contends with them (bench/run vision: the busy
            # road 9.5-10.2x -> 11.2-13.1x the naive baseline on 2 cores); frame threads would also hold frames back.
            self.stream.codec_context.thread_count = 1
        self._first_pts = None
        self._least_delay_s = None
        if self.origin is None and not self.live and not self.paced:
            self.origin = recording_start(self.container)

    def _read(self) -> Iterator[Packet | Silence]:
        assert self.container is not None and self.stream is not None
        for raw in self.container.demux(self.stream):
            if raw.size == 0 or raw.pts is None:
                continue
            if self._first_pts is None:
                self._first_pts = raw.pts
                self._attempts = 0
                self._anchor()
            pts_s = self.seconds(raw.pts)
            if self._last_s is not None and pts_s - self._last_s >= self.gap_s:
                yield Silence(self._last_s, pts_s, self.wall(pts_s), resumed=True)
            self._last_s = max(pts_s, self._last_s or 0.0)
            if self.paced:
                time.sleep(max(0.0, (self.wall(pts_s) - self._now()).total_seconds()))
            arrived = self.clock() - pts_s
            self._least_delay_s = arrived if self._least_delay_s is None else min(self._least_delay_s, arrived)
            yield Packet(bytes(raw), raw.pts, raw.dts or raw.pts, raw.duration or 0, raw.is_keyframe, pts_s)

    def _anchor(self) -> None:
        """Live streams restart their timestamps on every connection: place each on the wall clock."""
        if self.live or (self.paced and self.origin is None):
            now = self._now()
            self.origin = self.origin or now
            self._offset_s = (now - self.origin).total_seconds()
        elif self.origin is None:
            raise ValueError(f"{self.url}: recording has no creation_time; pass its start time explicitly")

    def _reconnect_wait(self) -> Iterator[Silence]:
        """Back off exponentially between attempts, reporting silence at least once a second."""
        self._attempts += 1
        pause = min(self.backoff_max_s, 0.5 * 2 ** min(self._attempts, 10))
        deadline = self.clock() + pause
        since = self._last_s or 0.0
        while self.clock() < deadline:
            time.sleep(min(1.0, max(0.0, deadline - self.clock())))
            yield self._silence(since)

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def _silence(self, since: float) -> Silence:
        now = self._now()
        if self.origin is None:
            # Never connected: stream time starts at the first silence (just after the first failed attempt), so
            # the silence grows and the camera is reported offline (a connection later goes on from there).
            self.origin = now
        return Silence(since, (now - self.origin).total_seconds(), now)


def _planes(picture: av.VideoFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Y, U and V of a yuv420p picture as arrays (one copy), or None for other pixel formats."""
    if picture.format.name != "yuv420p":
        return None
    data, h, w = picture.to_ndarray(), picture.height, picture.width
    return data[:h], data[h : h + h // 4].reshape(h // 2, w // 2), data[h + h // 4 :].reshape(h // 2, w // 2)


def _scaled_height(height: int, width: int, to_width: int) -> int:
    return max(2, round(height * to_width / width / 2) * 2)


def grey_small(picture: object, width: int) -> np.ndarray:
    """The analysis image: luma only, ``width`` pixels wide, as uint8 (area-averaged: no aliasing shimmer)."""
    if isinstance(picture, av.VideoFrame):
        height = _scaled_height(picture.height, picture.width, width)
        planes = _planes(picture)
        if planes is None:
            return picture.reformat(width=width, height=height, format="gray").to_ndarray()
        luma = cv2.resize(planes[0], (width, height), interpolation=cv2.INTER_AREA)
        return cv2.convertScaleAbs(luma, alpha=255 / 219, beta=-16 * 255 / 219)  # video range 16–235 to 0–255
    arr = np.asarray(picture)
    grey = cv2.cvtColor(arr, cv2.COLOR_BGR2GRAY) if arr.ndim == 3 else arr
    return cv2.resize(grey, (width, _scaled_height(grey.shape[0], grey.shape[1], width)), interpolation=cv2.INTER_AREA)


def bgr(picture: object, width: int | None = None) -> np.ndarray:
    """Full-colour pixels of a frame, optionally scaled to ``width``; scaling YUV before converting is cheaper."""
    if not isinstance(picture, av.VideoFrame):
        arr = np.asarray(picture)
        if width is None or width == arr.shape[1]:
            return arr
        size = (width, _scaled_height(arr.shape[0], arr.shape[1], width))
        return cv2.resize(arr, size, interpolation=cv2.INTER_AREA)
    planes = _planes(picture)
    if width is None or width == picture.width or planes is None:
        height = _scaled_height(picture.height, picture.width, width or picture.width)
        return picture.reformat(width=width or picture.width, height=height, format="bgr24").to_ndarray()
    height = _scaled_height(picture.height, picture.width, width)
    y, u, v = (
        cv2.resize(plane, size, interpolation=cv2.INTER_AREA)
        for plane, size in zip(
            planes, [(width, height), (width // 2, height // 2), (width // 2, height // 2)], strict=True
        )
    )
    i420 = np.concatenate([y.ravel(), u.ravel(), v.ravel()]).reshape(height * 3 // 2, width)
    return cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420)


def make_frame(camera_id: str, picture: object, *, seq: int, pts_s: float, at: dt.datetime, width: int) -> Frame:
    """An analysis frame from a decoded picture (or a BGR array): the small grey and contrast images made once."""
    grey = grey_small(picture, width)
    if isinstance(picture, av.VideoFrame):
        size, key = (picture.width, picture.height), picture.key_frame
    else:
        size, key = (np.asarray(picture).shape[1], np.asarray(picture).shape[0]), True
    return Frame(
        camera_id=camera_id,
        seq=seq,
        pts_s=pts_s,
        at=at,
        key=key,
        width=size[0],
        height=size[1],
        grey=grey,
        contrast=local_contrast(grey),
        picture=picture,
    )
