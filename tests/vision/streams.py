"""Synthetic live cameras: H.264 over HTTP (MPEG-TS or FLV) and HLS, endless, paced in real time.

Every camera loops the same rendered scene with its own phase on the wall clock, so whichever node
connects (and reconnects after a hand-over) sees the picture the camera shows at that moment, as with a
real camera. Each HTTP connection encodes its own stream (PyAV, x264), like an HTTP-FLV/TS gateway; HLS
is FFmpeg's segmenter writing a live playlist that the same server serves; a camera can also push its
stream to a media server over RTMP (``publish``, tests/vision/media_servers.py).
"""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import av
import numpy as np

from storage.embedded import free_port

FORMATS = {"ts": "mpegts", "flv": "flv"}


def refused_url(name: str) -> str:
    """An HTTP stream URL on a port nothing listens on: every connection is refused (a camera that never answers)."""
    return f"http://127.0.0.1:{free_port()}/{name}"


class LoopingCameras:
    def __init__(self, frames: list[np.ndarray], *, fps: int, phase_s: float) -> None:
        """``frames``: one loop of the scene at ``fps``; camera n is ``n × phase_s`` later in the loop."""
        self.frames, self.fps, self.phase_s = frames, fps, phase_s
        self.connections = 0
        self.hls_dir = Path()
        cameras = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/hls/"):
                    self._file(cameras.hls_dir / self.path.removeprefix("/hls/"))
                    return
                name, _, suffix = self.path.strip("/").partition(".")
                self.send_response(200)
                self.send_header("Content-Type", "video/x-flv" if suffix == "flv" else "video/mp2t")
                self.end_headers()
                cameras.connections += 1
                with contextlib.suppress(OSError, av.error.FFmpegError):
                    cameras.serve(self.wfile, int(name.removeprefix("cam-")), FORMATS[suffix])

            def _file(self, path: Path) -> None:
                body = path.read_bytes() if path.is_file() else None
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.closed = threading.Event()

    def url(self, number: int, suffix: str = "ts") -> str:
        """HTTP-TS (``ts``) or HTTP-FLV (``flv``)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/cam-{number}.{suffix}"

    def hls(self, number: int, folder: Path) -> str:
        """Camera ``number`` as a live HLS playlist (1-s segments), segmented into ``folder`` while it runs."""
        self.hls_dir = folder
        playlist = folder / "index.m3u8"
        options = {"hls_time": "1", "hls_list_size": "6", "hls_flags": "delete_segments"}
        self._send(str(playlist), number, "hls", options)
        return f"http://127.0.0.1:{self.server.server_address[1]}/hls/index.m3u8"

    def publish(self, url: str, number: int) -> None:
        """Push camera ``number`` to a media server (``rtmp://…``, FLV) until the cameras close or it hangs up."""
        self._send(url, number, "flv", {})

    def serve(self, out: object, number: int, muxer: str = "mpegts", options: dict[str, str] | None = None) -> None:
        """Encode camera ``number``'s picture into ``out`` until the viewer goes or the cameras close."""
        options = {"flush_packets": "1", **(options or {})}
        with av.open(out, "w", format=muxer, buffer_size=4096, options=options) as container:
            fast = {"preset": "ultrafast", "tune": "zerolatency"}
            stream = container.add_stream("libx264", rate=self.fps, options=fast)
            height, width = self.frames[0].shape[:2]
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.codec_context.gop_size = self.fps
            began, sent = time.monotonic(), 0
            while not self.closed.is_set():
                index = int((time.time() + number * self.phase_s) * self.fps) % len(self.frames)
                picture = av.VideoFrame.from_ndarray(self.frames[index], format="bgr24")
                picture.pts = sent
                for packet in stream.encode(picture):
                    container.mux(packet)
                sent += 1
                time.sleep(max(0.0, began + sent / self.fps - time.monotonic()))

    def _send(self, out: str, number: int, muxer: str, options: dict[str, str]) -> None:
        def send() -> None:
            with contextlib.suppress(av.error.FFmpegError, OSError):
                self.serve(out, number, muxer, options)

        threading.Thread(target=send, daemon=True).start()

    def close(self) -> None:
        self.closed.set()
        self.server.shutdown()
        self.server.server_close()
