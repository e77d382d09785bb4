"""The sampler (抽帧): which packets to decode and which frames to analyse.

Cameras are analysed a few times a second, not 25. When the analysis
interval is at least the stream's key-frame interval, only key frames are
decoded at all (``skip_frame = NONKEY``): a key frame decodes on its own, and
the cost of a camera falls to one decoded picture per analysis. Otherwise
every packet is decoded (a P-frame needs its predecessors) and frames are
picked by their timestamps. Reference mode analyses every frame.

``hurry(hz, until_s)`` raises the rate for a while (a truck nearing a count line: at 1 Hz it would
cross between two samples unseen); from the next key frame on, every packet is decoded again and frames
are picked at the raised rate, then the camera falls back to its own.
"""

from __future__ import annotations

import collections

from vision.types import Packet


class Sampler:
    def __init__(self, analysis_hz: float, *, reference: bool = False) -> None:
        self.base_interval_s = 0.0 if reference else 1.0 / analysis_hz
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

    def hurry(self, hz: float, until_s: float) -> None:
        """Analyse at least ``hz`` frames a second until stream time ``until_s``."""
        self._hurry_interval_s = min(self.base_interval_s, 1.0 / hz)
        self._hurry_until_s = max(self._hurry_until_s, until_s)
        if self._next_due_s is not None:  # the frame already scheduled a whole interval away comes sooner
            self._next_due_s = min(self._next_due_s, self._last_s + self._hurry_interval_s)

    def due(self, pts_s: float) -> bool:
        """Is this decoded frame one to analyse? Advances the schedule when it is."""
        self._last_s = max(self._last_s, pts_s)
        if not self._is_due(pts_s):
            return False
        base = self._next_due_s if self._next_due_s is not None else pts_s
        # Fall back on the schedule after a gap rather than analysing a burst of late frames.
        self._next_due_s = max(base + self.interval_s, pts_s + self.interval_s / 2)
        return True

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
