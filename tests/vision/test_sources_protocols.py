"""Streams as monitoring centres relay them: the same live camera over HTTP-TS, HTTP-FLV and HLS reaches
the pipeline's source with its picture intact (RTSP and RTMP need a media server, none of which installs
from a package registry; FFmpeg's RTMP listen mode cannot be reached through PyAV's output)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.vision.fleet_world import wait_until
from tests.vision.streams import LoopingCameras
from vision.sources import Silence, VideoSource

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # the whole pipeline at work, not a unit (docs/testing.md)


@pytest.fixture(scope="module")
def cameras() -> Iterator[LoopingCameras]:
    grey = [np.full((180, 320, 3), 40 + 8 * i, np.uint8) for i in range(20)]
    cameras = LoopingCameras(grey, fps=5, phase_s=1.0)
    yield cameras
    cameras.close()


@pytest.mark.parametrize("protocol", ["http-ts", "http-flv", "hls"])
def test_a_live_stream_reaches_the_source_with_its_picture(protocol: str, cameras, tmp_path: Path) -> None:
    url = {"http-ts": cameras.url(1), "http-flv": cameras.url(2, "flv"), "hls": cameras.hls(3, tmp_path)}[protocol]
    if protocol == "hls":
        wait_until(lambda: (tmp_path / "index.m3u8").exists(), 30, "the first HLS segment")
    source = VideoSource(url, live=True, timeout_s=10)
    try:
        packets = []
        for item in source.packets():
            assert not isinstance(item, Silence), f"{protocol}: the stream went quiet"
            packets.append(item)
            if len(packets) == 10:
                break
        pictures = [p for packet in packets for p in source.decode(packet)]
        assert (source.info().width, source.info().height) == (320, 180)
    finally:
        source.close()
    assert pictures and (pictures[0].width, pictures[0].height) == (320, 180)
    assert packets[-1].pts_s > packets[0].pts_s  # timestamps move on, as a live camera's do
