"""Liveness reports (运行状态上报): every few seconds, what each camera pipeline of this node has done.

The API keeps the latest report per camera; a camera whose reports stop (the node died, the camera's
thread is stuck, nobody runs it) shows as *unwatched* on the health board once its ``offline_after_s``
has passed. Each report carries frames analysed, the rate achieved since the last report, the lag of
the newest analysed frame behind live and the detector's time per frame. A report that cannot be
sent is dropped: the next one says the same, newer.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import socket
from collections.abc import Callable, Iterable

import httpx
import msgspec

from mobile_contract.cameras import CameraLiveness, LivenessReport
from vision.pipeline import CameraPipeline

log = logging.getLogger(__name__)
REPORT_EVERY_S = 10.0


class _Tally(msgspec.Struct):
    at: dt.datetime
    analysed: int
    detect_s: float
    detector_frames: int


class LivenessReporter:
    def __init__(self, node: str | None = None, every_s: float | Callable[[], float] = REPORT_EVERY_S) -> None:
        """``every_s``: seconds between reports, or what gives them (a node's cameras change as it runs)."""
        self.node = node or socket.gethostname()
        self.every_s = every_s
        self._last: dict[tuple[str, str], _Tally] = {}

    def report(self, pipelines: Iterable[CameraPipeline], now: dt.datetime) -> LivenessReport | None:
        cameras = [self._camera(p, now) for p in pipelines]
        return LivenessReport(node=self.node, sent_at=now, cameras=cameras) if cameras else None

    def _camera(self, pipeline: CameraPipeline, now: dt.datetime) -> CameraLiveness:
        stats, key = pipeline.stats, (pipeline.publisher.site.id, pipeline.camera.id)
        tally = _Tally(now, stats.analysed, stats.seconds.get("detect", 0.0), stats.detector_frames)
        last = self._last.get(key)
        self._last[key] = tally
        elapsed = (now - last.at).total_seconds() if last else 0.0
        frames = tally.detector_frames - last.detector_frames if last else 0
        return CameraLiveness(
            site_id=key[0],
            camera_id=key[1],
            frames_analysed=stats.analysed,
            analysis_hz=round((tally.analysed - last.analysed) / elapsed, 3) if last and elapsed > 0 else 0.0,
            detector_ms=round((tally.detect_s - last.detect_s) / frames * 1000, 1) if last and frames > 0 else None,
            last_frame_at=stats.last_frame_at,
            lag_s=max(0.0, (now - stats.last_frame_at).total_seconds()) if stats.last_frame_at else None,
        )

    async def run(
        self, http: httpx.AsyncClient, pipelines: Callable[[], Iterable[CameraPipeline]], stop: asyncio.Event
    ) -> None:
        """Report until ``stop`` is set."""
        while not stop.is_set():
            report = self.report(list(pipelines()), dt.datetime.now(dt.UTC))
            if report is not None:
                await self._send(http, report)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every_s() if callable(self.every_s) else self.every_s)

    async def _send(self, http: httpx.AsyncClient, report: LivenessReport) -> None:
        try:
            response = await http.post("/cameras/liveness", json=msgspec.to_builtins(report))
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("liveness report not delivered: %s", exc)
