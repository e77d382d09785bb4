"""The evidence ring buffer (录像环形缓存): the last seconds of compressed video.

Keeping packets rather than decoded frames costs the stream's bitrate, not
6 MB per 1080p frame, and lets a clip be cut by remuxing the camera's own
bits into MP4 without re-encoding: the clip is exactly what the camera sent.
A single picture is decoded on demand, from the key frame before it, with a
decoder of its own (the main stream of a camera with a sub-stream is never
decoded otherwise, see ``vision.recorder``).
"""

from __future__ import annotations

import collections
import fractions
import io

import av
import msgspec

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


class Picture(msgspec.Struct, frozen=True):
    """A decoded picture and its stream time (seconds, as ``Packet.pts_s``)."""

    picture: av.VideoFrame
    pts_s: float


def nearest_picture(packets: list[Packet], template: av.VideoStream, at_s: float) -> Picture | None:
    """Decode ``packets`` (from a key frame on) with a fresh decoder; the picture whose time is nearest ``at_s``.

    Decoding stops at the first picture at or past ``at_s``; only the best picture so far is held, not every
    decoded one (a 1080p picture is 3 MB).
    """
    assert template.time_base is not None  # a demuxed stream always has one
    codec = av.CodecContext.create(template.codec_context.name, "r")
    assert isinstance(codec, av.VideoCodecContext)  # made from a video stream's codec
    codec.extradata = template.codec_context.extradata
    codec.thread_count = 1
    seconds = {packet.pts: packet.pts_s for packet in packets}
    best: Picture | None = None
    for raw in [*(as_av_packet(p, template.time_base) for p in packets), None]:
        for picture in codec.decode(raw):
            if picture.pts not in seconds:
                continue
            pts_s = seconds[picture.pts]
            if best is None or abs(pts_s - at_s) < abs(best.pts_s - at_s):
                best = Picture(picture, pts_s)
            if pts_s >= at_s:
                return best  # pictures come out in presentation order: the rest are further still
    return best


def as_av_packet(packet: Packet, time_base: fractions.Fraction) -> av.Packet:
    """A kept packet as PyAV's, with its own timestamps, for a decoder or a muxer."""
    raw = av.Packet(packet.data)
    raw.pts, raw.dts, raw.duration = packet.pts, packet.dts, packet.duration
    raw.is_keyframe = packet.key
    raw.time_base = time_base
    return raw


def remux_mp4(packets: list[Packet], template: av.VideoStream) -> bytes:
    buffer = io.BytesIO()
    base = min(p.dts for p in packets)
    with av.open(buffer, "w", format="mp4") as out:
        stream = out.add_stream_from_template(template)
        assert template.time_base is not None  # a demuxed stream always has one
        for packet in packets:
            raw = as_av_packet(packet, template.time_base)
            raw.pts, raw.dts = packet.pts - base, packet.dts - base
            raw.stream = stream
            out.mux(raw)
    return buffer.getvalue()
