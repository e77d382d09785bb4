"""The main stream's recorder (主码流录像): full-resolution evidence for a camera analysed on its sub-stream.

A camera with a sub-stream (子码流, e.g. 640×360) is analysed on it, like Frigate's ``detect`` role; its main
stream (主码流, 1080p and up) is only recorded, like Frigate's ``record`` role: this recorder demuxes it in a
thread of its own into a ring buffer of compressed packets and never decodes it for analysis. A clip is the
main stream's own packets remuxed; a snapshot decodes the one main-stream picture nearest the analysed frame,
from the key frame before it.

The two streams are not frame-aligned: each has its own timestamps, starts at its own moment, and may run at
its own rate. They are aligned by capture time: a time on the analysed stream becomes a time on the main
stream through the two sources' ``capture_origin`` (a recording's start time; for a live stream, when its
stream time 0 was judged by the least delayed packet). Boxes need no scaling: they are in normalised
coordinates, drawn on whatever picture the snapshot shows.

A main stream that stops is reported as silence, which the pipeline raises as an event, and never holds up
analysis. Read from a recording rather than live, the recorder keeps at most ``LEAD_S`` ahead of analysis,
or the ring would let go of packets before analysis reached them.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import queue
import threading

import av
import msgspec

from mobile_contract.alerts import Severity
from mobile_contract.stream_urls import redacted
from vision.ringbuffer import PacketRing, Picture, nearest_picture
from vision.sources import Silence, VideoSource
from vision.types import AlertCandidate, Packet

log = logging.getLogger(__name__)
LEAD_S = 2.0  # a recording is read this far ahead of analysis
WAIT_S = 1.0  # evidence waits this long for a main stream that runs behind the sub-stream
NEAR_S = 0.5  # a snapshot decodes this far past the moment, for the pictures a decoder holds back
MAIN_STREAM = "主码流"  # the incident key's zone that tells the main stream's loss from the camera's


class MainStreamRecorder:
    """The main stream's packets of the last ``ring_s`` seconds; times asked for are the analysed stream's."""

    def __init__(self, source: VideoSource, analysis: VideoSource, *, ring_s: float) -> None:
        self.source = source
        self.analysis = analysis
        self.ring = PacketRing(keep_s=ring_s)
        self._changed = threading.Condition(source.lock)
        self._stream: object = None  # the connection the ring's packets came from
        self._reached_s = 0.0  # analysis time reached so far (a recording is read up to LEAD_S beyond it)
        self._silences: queue.SimpleQueue[Silence] = queue.SimpleQueue()
        self._quiet = False  # silent since the last packet: evidence does not wait for it
        self._ended = False  # the reading thread is done (a recording's end, or stopped)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._record, name="recorder", daemon=True)

    def start(self) -> MainStreamRecorder:
        self._thread.start()
        return self

    @property
    def origin(self) -> dt.datetime:
        """Wall time of the main stream's time 0 (of its silences; one that never connected: its first attempt)."""
        assert self.source.origin is not None, "asked before the main stream was reached or found silent"
        return self.source.origin

    def close(self) -> None:
        """Stop reading and close the stream, by the reading thread itself if a network read still blocks it
        (it gives up within the source's timeout): a container is never closed under a read."""
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        self._thread.join(timeout=2 * self.source.timeout_s + 1.0)
        if not self._thread.is_alive():
            self.source.close()

    def reached(self, analysis_s: float) -> None:
        """Analysis has reached this time: a recording may be read up to ``LEAD_S`` beyond it."""
        with self._changed:
            self._reached_s = max(self._reached_s, analysis_s)
            self._changed.notify_all()

    def silences(self) -> list[Silence]:
        """The main stream's silences since the last call (for the pipeline's own thread to raise)."""
        found = []
        while not self._silences.empty():
            found.append(self._silences.get_nowait())
        return found

    def main_s(self, analysis_s: float) -> float | None:
        """The main stream's time at the moment the analysed stream shows at ``analysis_s``; None before both run."""
        main, analysed = self.source.capture_origin, self.analysis.capture_origin
        if main is None or analysed is None:
            return None
        return analysis_s + (analysed - main).total_seconds()

    def clip(self, start_s: float, end_s: float) -> bytes:
        """An MP4 of the main stream's own packets between two analysis times; empty if it has none for them."""
        with self._changed:
            window = self._covering(start_s, end_s)
            if window is None or self.source.stream is None:  # (never, once covered: for the type checker)
                return b""
            return self.ring.clip(*window, self.source.stream)

    def picture(self, analysis_s: float) -> Picture | None:
        """The main-stream picture nearest ``analysis_s``, its time in analysis seconds; None if there is none."""
        with self._changed:
            window = self._covering(analysis_s, analysis_s)
            template = self.source.stream
            if window is None or template is None:
                return None
            target = window[0]
            packets = self.ring.window(target, target + NEAR_S)
        found = nearest_picture(packets, template, target) if packets else None
        if found is None or abs(found.pts_s - target) > NEAR_S:
            return None  # the main stream has nothing near that moment (lost, or reconnected since)
        return Picture(found.picture, analysis_s + found.pts_s - target)

    def _covering(self, start_s: float, end_s: float) -> tuple[float, float] | None:
        """The main-stream window for two analysis times, once the ring reaches its end (waits up to ``WAIT_S``)."""

        def reached() -> bool:
            end = self.main_s(end_s)
            return end is not None and self._current() and (self.ring.newest_s or -math.inf) >= end

        self._changed.wait_for(lambda: self._over() or reached(), WAIT_S)
        start, end = self.main_s(start_s), self.main_s(end_s)
        if start is None or end is None or not self._current():
            return None
        return start, end

    def _current(self) -> bool:
        """The ring holds packets of the stream's present connection."""
        return self.source.stream is not None and self.source.stream is self._stream

    def _over(self) -> bool:
        """Nothing more is coming soon: stopped, silent, or the recording has ended."""
        return self._stop.is_set() or self._quiet or self._ended

    def _record(self) -> None:
        try:
            for item in self.source.packets():
                if isinstance(item, Silence):
                    self._quiet = True
                    self._silences.put(item)
                else:
                    self._keep(item)
                if self._stop.is_set():
                    break
        except av.error.FFmpegError as exc:  # evidence falls back on the analysed stream
            # FFmpeg's message ends with the URL it opened, password and all: name the stream without them
            log.error("main stream %s cannot be read: %s", redacted(self.source.url), exc.strerror)
        except Exception:  # a fault of ours, not the camera's: its traceback, still without the password
            log.exception("main stream %s cannot be read", redacted(self.source.url))
        finally:
            if self._stop.is_set():
                self.source.close()
            with self._changed:
                self._ended = True
                self._changed.notify_all()  # whoever waits for packets: none are coming

    def _keep(self, packet: Packet) -> None:
        self._quiet = False
        with self._changed:
            if self.source.stream is not self._stream:  # a new connection: its packets do not follow the old ones
                self._stream = self.source.stream
                self.ring.clear()
            self.ring.append(packet)
            self._changed.notify_all()
            if not (self.source.live or self.source.paced):
                self._changed.wait_for(lambda: self._stop.is_set() or self._may_read(packet.pts_s))

    def _may_read(self, main_s: float) -> bool:
        reached = self.main_s(self._reached_s)
        return reached is not None and main_s <= reached + LEAD_S


def main_stream_lost(candidate: AlertCandidate) -> AlertCandidate:
    """The camera-offline candidate of a silent main stream: an incident of its own, and a warning, not critical,
    since analysis goes on from the sub-stream (only the evidence falls back on it)."""
    key = msgspec.structs.replace(candidate.key, zone=MAIN_STREAM)
    facts = msgspec.structs.replace(candidate.facts, suspends_rules=False)  # the sub-stream's rules go on
    summary = "主码流中断：分析照常（子码流），告警证据暂取自子码流"
    return msgspec.structs.replace(candidate, key=key, facts=facts, severity=Severity.WARNING, summary=summary)
