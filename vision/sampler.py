"""The sampler (抽帧): which packets to decode and which frames to analyse.

Cameras are analysed a few times a second, not 25. When the analysis
interval is at least the stream's key-frame interval, only key frames are
decoded at all (``skip_frame = NONKEY``): a key frame decodes on its own, and
the cost of a camera falls to one decoded picture per analysis. Otherwise
every packet is decoded (a P-frame needs its predecessors) and frames are
picked by their timestamps. Reference mode analyses every frame.
"""

from __future__ import annotations

import collections

from vision.types import Packet


class Sampler:
    def __init__(self, analysis_hz: float, *, reference: bool = False) -> None:
        self.interval_s = 0.0 if reference else 1.0 / analysis_hz
        self._key_intervals: collections.deque[float] = collections.deque(maxlen=4)  # learnt from the stream
        self.key_only = False
        self._last_key_s: float | None = None
        self._next_due_s: float | None = None
        self._tolerance_s = 0.02  # half a frame at 25 fps: timestamps are not exact multiples

    def wants(self, packet: Packet) -> bool:
        """Should this packet go to the decoder?"""
        if packet.key:
            self._learn_key(packet.pts_s)
        if not self.key_only:
            return True
        return packet.key and self._is_due(packet.pts_s)

    def due(self, pts_s: float) -> bool:
        """Is this decoded frame one to analyse? Advances the schedule when it is."""
        if not self._is_due(pts_s):
            return False
        base = self._next_due_s if self._next_due_s is not None else pts_s
        # Fall back on the schedule after a gap rather than analysing a burst of late frames.
        self._next_due_s = max(base + self.interval_s, pts_s + self.interval_s / 2)
        return True

    def _is_due(self, pts_s: float) -> bool:
        return self._next_due_s is None or pts_s >= self._next_due_s - self._tolerance_s

    def _learn_key(self, pts_s: float) -> None:
        """Key-frame-only decoding is switched at key frames only, where it is safe either way."""
        if self._last_key_s is not None and pts_s > self._last_key_s:
            self._key_intervals.append(pts_s - self._last_key_s)
        self._last_key_s = pts_s
        # The longest recent interval decides: an encoder's extra key frame at a scene cut proves nothing.
        gop = max(self._key_intervals, default=None)
        self.key_only = gop is not None and self.interval_s > 0 and self.interval_s >= gop - self._tolerance_s
