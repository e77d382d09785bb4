"""Synthetic live cameras for the fleet tests: H.264 in MPEG-TS over HTTP, endless, paced in real time.

Every camera loops the same rendered scene with its own phase on the wall clock, so whichever node
connects (and reconnects after a hand-over) sees the picture the camera shows at that moment, as with a
real camera. Each connection encodes its own stream (PyAV, x264), like an HTTP-FLV/TS gateway does.
"""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import av
import numpy as np


class LoopingCameras:
    def __init__(self, frames: list[np.ndarray], *, fps: int, phase_s: float) -> None:
        """``frames``: one loop of the scene at ``fps``; camera n is ``n × phase_s`` later in the loop."""
        self.frames, self.fps, self.phase_s = frames, fps, phase_s
        self.connections = 0
        cameras = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                number = int(self.path.strip("/").removeprefix("cam-").removesuffix(".ts"))
                self.send_response(200)
                self.send_header("Content-Type", "video/mp2t")
                self.end_headers()
                cameras.connections += 1
                with contextlib.suppress(OSError, av.error.FFmpegError):
                    cameras.serve(self.wfile, number)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.closed = threading.Event()

    def url(self, number: int) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/cam-{number}.ts"

    def serve(self, out: object, number: int) -> None:
        """Encode camera ``number``'s picture into ``out`` until the viewer goes or the cameras close."""
        height, width = self.frames[0].shape[:2]
        with av.open(out, "w", format="mpegts", buffer_size=4096, options={"flush_packets": "1"}) as container:
            fast = {"preset": "ultrafast", "tune": "zerolatency"}
            stream = container.add_stream("libx264", rate=self.fps, options=fast)
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

    def close(self) -> None:
        self.closed.set()
        self.server.shutdown()
        self.server.server_close()
