"""The evidence ring buffer (录像环形缓存): the last seconds of compressed video.

Keeping packets rather than decoded frames costs the stream's bitrate, not
6 MB per 1080p frame, and lets a clip be cut by remuxing the camera's own
bits into MP4 without re-encoding: the clip is exactly what the camera sent.
"""

from __future__ import annotations

import collections
import io

import av

from vision.types import Packet


class PacketRing:
    """Packets of the last ``keep_s`` seconds, always starting at a key frame."""

    def __init__(self, keep_s: float) -> None:
        self.keep_s = keep_s
        self._packets: collections.deque[Packet] = collections.deque()

    def append(self, packet: Packet) -> None:
        self._packets.append(packet)
        while len(self._packets) > 1 and packet.pts_s - self._packets[0].pts_s > self.keep_s:
            self._packets.popleft()
            while self._packets and not self._packets[0].key:
                self._packets.popleft()  # a clip can only start where a decoder can

    def clear(self) -> None:
        self._packets.clear()

    @property
    def newest_s(self) -> float | None:
        return self._packets[-1].pts_s if self._packets else None

    def window(self, start_s: float, end_s: float) -> list[Packet]:
        """Packets from the last key frame at or before ``start_s`` through ``end_s``, in decode order."""
        packets = list(self._packets)
        first = 0
        for index, packet in enumerate(packets):
            if packet.key and packet.pts_s <= start_s:
                first = index
        return [p for p in packets[first:] if p.pts_s <= end_s]

    def clip(self, start_s: float, end_s: float, template: av.VideoStream) -> bytes:
        """An MP4 of the window, remuxed from the camera's packets (no re-encoding)."""
        packets = self.window(start_s, end_s)
        if not packets:
            return b""
        return remux_mp4(packets, template)


def remux_mp4(packets: list[Packet], template: av.VideoStream) -> bytes:
    buffer = io.BytesIO()
    base = min(p.dts for p in packets)
    with av.open(buffer, "w", format="mp4") as out:
        stream = out.add_stream_from_template(template)
        for packet in packets:
            raw = av.Packet(packet.data)
            raw.pts, raw.dts, raw.duration = packet.pts - base, packet.dts - base, packet.duration
            raw.is_keyframe = packet.key
            assert template.time_base is not None  # a demuxed stream always has one
            raw.time_base = template.time_base
            raw.stream = stream
            out.mux(raw)
    return buffer.getvalue()
