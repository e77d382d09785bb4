"""Frame reader (取帧): source → sampler → decoded analysis frames, a little ahead of analysis.

The reader owns the camera's connection: it demuxes, keeps the evidence
ring buffer, asks the sampler which packets to decode (key frames only when
the analysis rate allows) and makes the small analysis images. Run with
``ahead()``, it does this in its own thread, so decoding the next frame
overlaps the detector working on this one. Clips are cut under the same lock
that guards reconnection: a closed decoder is never touched.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import av

from vision.ringbuffer import PacketRing
from vision.sampler import Sampler
from vision.sources import Silence, VideoSource, bgr, make_frame
from vision.stats import PipelineStats
from vision.types import Frame, Packet

AHEAD = 2  # frames decoded ahead of analysis: enough to overlap, little memory


def _take(handoff: queue.Queue, producer: threading.Thread) -> Frame | Silence | BaseException | None:
    """The next item; None once the producer has finished (even if it was halted before saying so)."""
    while True:
        try:
            return handoff.get(timeout=0.2)
        except queue.Empty:
            if not producer.is_alive() and handoff.empty():
                return None


class _Either:
    """Set when this reader is halted or the whole node stops."""

    def __init__(self, own: threading.Event, node: threading.Event | None) -> None:
        self.own, self.node = own, node

    def set(self) -> None:
        self.own.set()

    def is_set(self) -> bool:
        return self.own.is_set() or (self.node is not None and self.node.is_set())


class ReadFailed(Exception):
    """The camera's stream could not be read (a file that ended badly, a codec error)."""


class FrameReader:
    def __init__(
        self, camera_id: str, source: VideoSource, sampler: Sampler, *, ring_s: float, width: int, stats: PipelineStats
    ) -> None:
        self.camera_id = camera_id
        self.source = source
        self.sampler = sampler
        self.ring = PacketRing(keep_s=ring_s)
        self.width = width
        self.stats = stats
        self.lock = source.lock
        self.whole_width: int | None = None  # set while the camera is busy: scale frames for the detector ahead
        self._stream: av.VideoStream | None = None
        self.handoff: queue.Queue | None = None  # frames decoded ahead, waiting for analysis (vision.metrics)
        self._key_only = False
        self._seq = 0

    def frames(self, stop: threading.Event | _Either | None = None) -> Iterator[Frame | Silence]:
        """Analysis frames and silences, in stream order, until the stream ends or ``stop`` is set."""
        for item in self.source.packets():
            if isinstance(item, Silence):
                yield item
            else:
                yield from self._frames(item)
            if stop is not None and stop.is_set():
                break
        with self.lock:
            pictures = self.source.flush() if self.source.stream is not None else []
        yield from self._analysis_frames(pictures)

    def ahead(self, stop: threading.Event | None = None) -> Iterator[Frame | Silence]:
        """``frames()`` produced in a thread of its own, ``AHEAD`` frames in advance.

        If the consumer stops early (an error in analysis, shutdown), the producer is told to stop too.
        The queue holds one frame less than ``AHEAD``: the producer holds one more while it waits, so the
        sampler has never picked more than ``AHEAD`` frames past the one analysed (``Sampler.lag``).
        """
        handoff: queue.Queue[Frame | Silence | BaseException | None] = queue.Queue(maxsize=AHEAD - 1)
        self.handoff = handoff
        halt = _Either(threading.Event(), stop)

        def hand(item: Frame | Silence | BaseException | None) -> None:
            while not halt.is_set():
                try:
                    handoff.put(item, timeout=0.2)
                    return
                except queue.Full:
                    continue

        def produce() -> None:
            try:
                for item in self.frames(halt):
                    hand(item)
            except Exception as exc:  # handed to the consumer, which raises it
                hand(exc)
            hand(None)

        producer = threading.Thread(target=produce, name=f"reader-{self.camera_id}", daemon=True)
        producer.start()
        try:
            while (item := _take(handoff, producer)) is not None:
                if isinstance(item, BaseException):
                    raise ReadFailed(f"camera {self.camera_id}: reading failed") from item
                yield item
        finally:
            halt.set()
            producer.join()

    def clip(self, start_s: float, end_s: float) -> bytes:
        """An MP4 of the camera's own packets between two stream times (empty if no longer available)."""
        with self.lock:
            if self.source.stream is None or self.source.stream is not self._stream:
                return b""
            return self.ring.clip(start_s, end_s, self.source.stream)

    def _frames(self, packet: Packet) -> list[Frame]:
        self.stats.packets += 1
        with self.lock:
            if self.source.stream is not self._stream:  # a new connection: new decoder, old packets unusable
                self._stream, self._key_only = self.source.stream, False
                self.ring.clear()
            self.ring.append(packet)
            if not self.sampler.wants(packet):
                return []
            if packet.key and self.sampler.key_only != self._key_only:
                self._key_only = self.sampler.key_only
                self.source.key_frames_only(self._key_only)
            with self.stats.timed("decode"):
                pictures = self.source.decode(packet, drain=self._key_only)
        return self._analysis_frames(pictures)

    def _analysis_frames(self, pictures: list[av.VideoFrame]) -> list[Frame]:
        frames = []
        for picture in pictures:
            self.stats.decoded += 1
            if picture.pts is None:
                continue
            pts_s = self.source.seconds(picture.pts)
            if not self.sampler.due(pts_s):
                continue
            self._seq += 1
            with self.stats.timed("decode"):
                at = self.source.wall(pts_s)
                frame = make_frame(self.camera_id, picture, seq=self._seq, pts_s=pts_s, at=at, width=self.width)
                if self.whole_width is not None:
                    frame.whole = bgr(picture, width=self.whole_width)
                frames.append(frame)
        return frames
