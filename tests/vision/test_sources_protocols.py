"""Streams as cameras and monitoring centres deliver them: the same live camera over HTTP-TS, HTTP-FLV,
HLS, RTMP and RTSP reaches the pipeline's source with its picture intact.

HTTP-TS, HTTP-FLV and HLS are served by FFmpeg's muxers through PyAV (tests/vision/streams.py). RTMP and
RTSP go through real media servers that the tests start (tests/vision/media_servers.py): a camera pushes
over RTMP into node-media-server (npm), which the source reads back over RTMP and over the server's own
HTTP-FLV; GStreamer's gst-rtsp-server (Debian) serves a camera over RTSP, read over TCP as a node reads
it, also behind a password. FFmpeg's own listen modes do not serve: PyAV opens its output without the
protocol options, so ``listen`` never reaches RTMP (it connects out and is refused), and RTSP's
``rtsp_flags=listen`` takes a push (ANNOUNCE/RECORD), never a viewer's DESCRIBE/PLAY.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from mobile_contract.stream_urls import with_credentials
from tests.vision.fleet_world import wait_until
from tests.vision.media_servers import RtmpServer, RtspServer
from tests.vision.streams import LoopingCameras
from vision.sources import Silence, VideoSource

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # the whole pipeline at work, not a unit (docs/testing.md)

PUSHED = "live/cam-5"  # where camera 5 pushes to the RTMP server


@pytest.fixture(scope="module")
def cameras() -> Iterator[LoopingCameras]:
    grey = [np.full((180, 320, 3), 40 + 8 * i, np.uint8) for i in range(20)]
    cameras = LoopingCameras(grey, fps=5, phase_s=1.0)
    yield cameras
    cameras.close()


@pytest.fixture(scope="module")
def rtmp(cameras: LoopingCameras, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RtmpServer]:
    server = RtmpServer(tmp_path_factory.mktemp("rtmp"))
    cameras.publish(server.url(PUSHED), 5)
    try:
        server.wait_for_publisher(PUSHED)
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def rtsp(cameras: LoopingCameras, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RtspServer]:
    server = RtspServer(tmp_path_factory.mktemp("rtsp"), cameras.url(6, "flv"))
    yield server
    server.close()


def stream_url(protocol: str, request: pytest.FixtureRequest, cameras: LoopingCameras, folder: Path) -> str:
    """Where the source finds a live camera over ``protocol`` (a media server starts on first use)."""
    if protocol == "hls":
        url = cameras.hls(3, folder)
        wait_until(lambda: (folder / "index.m3u8").exists(), 30, "the first HLS segment")
        return url
    if protocol.startswith("rtmp"):
        rtmp: RtmpServer = request.getfixturevalue("rtmp")
        return rtmp.url(PUSHED) if protocol == "rtmp" else rtmp.flv(PUSHED)
    if protocol == "rtsp":
        return request.getfixturevalue("rtsp").url()
    return {"http-ts": cameras.url(1), "http-flv": cameras.url(2, "flv")}[protocol]


def read_back(url: str, what: str) -> None:
    """Ten packets of a live 320×180 stream, decoded, their timestamps moving on; fails at the first silence."""
    source = VideoSource(url, live=True, timeout_s=10)
    try:
        packets = []
        for item in source.packets():
            assert not isinstance(item, Silence), f"{what}: the stream went quiet"
            packets.append(item)
            if len(packets) == 10:
                break
        pictures = [p for packet in packets for p in source.decode(packet)]
        assert (source.info().width, source.info().height) == (320, 180)
    finally:
        source.close()
    assert pictures and (pictures[0].width, pictures[0].height) == (320, 180)
    assert packets[-1].pts_s > packets[0].pts_s  # timestamps move on, as a live camera's do


def first_item(url: str) -> object:
    source = VideoSource(url, live=True, timeout_s=3)
    try:
        return next(source.packets())
    finally:
        source.close()


@pytest.mark.parametrize("protocol", ["http-ts", "http-flv", "hls", "rtmp", "rtmp-http-flv", "rtsp"])
def test_a_live_stream_reaches_the_source_with_its_picture(
    protocol: str, cameras: LoopingCameras, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    read_back(stream_url(protocol, request, cameras, tmp_path), protocol)


@pytest.mark.parametrize("protocol", ["rtmp", "rtsp"])
def test_a_path_the_server_does_not_have_is_silence_not_a_picture(
    protocol: str, request: pytest.FixtureRequest
) -> None:
    server: RtmpServer | RtspServer = request.getfixturevalue(protocol)
    assert isinstance(first_item(server.url("live/nobody")), Silence)


def test_the_grant_credentials_open_a_password_protected_rtsp_camera(
    cameras: LoopingCameras, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = RtspServer(tmp_path, cameras.url(7, "flv"), ("admin", "p@ss:w/rd"))
    try:
        read_back(with_credentials(server.url(), "admin", "p@ss:w/rd"), "rtsp with the grant's credentials")
        with caplog.at_level(logging.WARNING, logger="vision.sources"):
            assert isinstance(first_item(server.url()), Silence)
            assert isinstance(first_item(with_credentials(server.url(), "admin", "wrong-secret")), Silence)
    finally:
        server.close()
    assert "401 Unauthorized" in caplog.text
    assert "wrong-secret" not in caplog.text  # the node's log never shows a camera's password
