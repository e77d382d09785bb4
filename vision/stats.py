"""Counters and stage timings of one camera's pipeline (运行统计), for the summary and the benchmark."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator

import msgspec


class PipelineStats(msgspec.Struct):
    """Counters and stage timings of one camera, for the summary and the benchmark."""

    packets: int = 0
    decoded: int = 0
    analysed: int = 0
    detector_frames: int = 0  # analysed frames that went to the detector
    whole_frames: int = 0
    crops: int = 0
    revisions: int = 0
    last_frame_at: dt.datetime | None = None  # when the newest analysed frame was taken
    seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start
