"""The sampler (抽帧): which packets to decode and which frames to analyse.

Cameras are analysed a few times a second, not 25. When the analysis
interval is at least the stream's key-frame interval, only key frames are
decoded at all (``skip_frame = NONKEY``): a key frame decodes on its own, and
the cost of a camera falls to one decoded picture per analysis. Otherwise
every packet is decoded (a P-frame needs its predecessors) and frames are
picked by their timestamps. Reference mode analyses every frame.

``hurry(hz, seen_s, hold_s)`` raises the rate for a while (a truck nearing a count line: at 1 Hz it
would cross between two samples unseen); from the next key frame on, every packet is decoded again and
frames are picked at the raised rate, then the camera falls back to its own. The reader decides frames
a few ahead of analysis, in a thread of its own: how far it has got when analysis asks depends on
timing. So a request takes effect at a fixed frame, ``lag`` frames after the one analysed (``seen_s``),
the furthest the reader can be ahead: the same recording is always sampled the same way.
"""

from __future__ import annotations

import collections
import threading

from vision.types import Packet


class _Hurry:
    """A request to analyse faster, waiting for its frame."""

    def __init__(self, due_after: int, interval_s: float, hold_s: float) -> None:
        self.due_after, self.interval_s, self.hold_s = due_after, interval_s, hold_s


class Sampler:
    def __init__(self, analysis_hz: float, *, reference: bool = False, lag: int = 0) -> None:
        self.base_interval_s = 0.0 if reference else 1.0 / analysis_hz
        self.lag = lag  # frames the analysis may be behind the sampling: a hurry waits this many
        self._lock = threading.Lock()  # hurry() comes from the analysis thread, the rest from the reader's
        self._picked: collections.deque[float] = collections.deque(maxlen=lag + 1)  # newest frames picked
        self._picked_count = 0
        self._waiting: list[_Hurry] = []
        self._hurry_interval_s = self.base_interval_s
        self._hurry_until_s = -1.0
        self._key_intervals: collections.deque[float] = collections.deque(maxlen=4)  # learnt from the stream
        self.key_only = False
        self._last_key_s: float | None = None
        self._next_due_s: float | None = None
        self._last_s = -1.0  # stream time of the newest frame offered
        self._tolerance_s = 0.02  # half a frame at 25 fps: timestamps are not exact multiples

    def wants(self, packet: Packet) -> bool:
        """Should this packet go to the decoder?"""
        with self._lock:
            return self._wants(packet)

    def _wants(self, packet: Packet) -> bool:
        self._last_s = max(self._last_s, packet.pts_s)
        if packet.key:
            self._learn_key(packet.pts_s)
        if not self.key_only:
            return True
        return packet.key and self._is_due(packet.pts_s)

    @property
    def interval_s(self) -> float:
        """The analysis interval now: the camera's own, or a shorter one while hurried."""
        return self._hurry_interval_s if self._last_s <= self._hurry_until_s else self.base_interval_s

    def hurry(self, hz: float, seen_s: float, hold_s: float) -> None:
        """Analyse at least ``hz`` frames a second for ``hold_s``, from the ``lag``-th frame picked after the
        one at ``seen_s`` (the frame whose analysis asks)."""
        with self._lock:
            since = sum(1 for pts_s in self._picked if pts_s > seen_s)  # picked already: how far ahead we are
            interval_s = min(self.base_interval_s, 1.0 / hz)
            self._waiting.append(_Hurry(self._picked_count + max(self.lag - since, 0), interval_s, hold_s))
            self._start_hurries()

    def due(self, pts_s: float) -> bool:
        """Is this decoded frame one to analyse? Advances the schedule when it is."""
        with self._lock:
            self._last_s = max(self._last_s, pts_s)
            if not self._is_due(pts_s):
                return False
            base = self._next_due_s if self._next_due_s is not None else pts_s
            # Fall back on the schedule after a gap rather than analysing a burst of late frames.
            self._next_due_s = max(base + self.interval_s, pts_s + self.interval_s / 2)
            self._picked.append(pts_s)
            self._picked_count += 1
            self._start_hurries()
            return True

    def _start_hurries(self) -> None:
        """Requests whose frame has been picked take effect: the next frame comes at the raised rate."""
        for request in [r for r in self._waiting if r.due_after <= self._picked_count]:
            self._waiting.remove(request)
            newest_s = self._picked[-1] if self._picked else self._last_s
            self._hurry_interval_s = request.interval_s
            self._hurry_until_s = max(self._hurry_until_s, newest_s + request.hold_s)
            if self._next_due_s is not None:  # the frame scheduled a whole interval away comes sooner
                self._next_due_s = min(self._next_due_s, newest_s + request.interval_s)

    def _is_due(self, pts_s: float) -> bool:
        # Decoding key frames only, the one within half an interval of the schedule is the closest there will be.
        slack = self.interval_s / 2 if self.key_only else self._tolerance_s
        return self._next_due_s is None or pts_s >= self._next_due_s - slack

    def _learn_key(self, pts_s: float) -> None:
        """Key-frame-only decoding is switched at key frames only, where it is safe either way."""
        if self._last_key_s is not None and pts_s > self._last_key_s:
            self._key_intervals.append(pts_s - self._last_key_s)
        self._last_key_s = pts_s
        # The longest recent interval decides: an encoder's extra key frame at a scene cut proves nothing.
        gop = max(self._key_intervals, default=None)
        self.key_only = gop is not None and self.interval_s > 0 and self.interval_s >= gop - self._tolerance_s
