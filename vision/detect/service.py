"""One detector for every camera of the process, batching across cameras (跨摄像头批处理).

Camera threads hand in their crops and wait for a future; the service
thread gathers what arrives within ``batch_wait_ms`` (up to ``max_batch``
crops) and runs the detector once. On a GPU this fills the batch; on a CPU
it at least keeps one model, one set of threads and no contention.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future

import msgspec

from vision.detect.base import Crop, Detector
from vision.types import Detection


class _Request(msgspec.Struct):
    crops: list[Crop]
    future: Future


class DetectorService:
    def __init__(self, detector: Detector, *, max_batch: int, batch_wait_ms: float) -> None:
        self.detector = detector
        self.max_batch = max_batch
        self.wait_s = batch_wait_ms / 1000
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="detector", daemon=True)
        self.batches = 0

    def start(self) -> DetectorService:
        self._thread.start()
        return self

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def waiting(self) -> int:
        """Requests not yet taken into a batch (for the node's metrics)."""
        return self._queue.qsize()

    def detect(self, crops: list[Crop]) -> list[list[Detection]]:
        """Called from a camera thread; blocks until this camera's crops are done."""
        future: Future[list[list[Detection]]] = Future()
        self._queue.put(_Request(crops, future))
        return future.result()

    def _serve(self) -> None:
        while (first := self._queue.get()) is not None:
            batch, stop = self._gather(first)
            self._run(batch)
            if stop:
                return

    def _gather(self, first: _Request) -> tuple[list[_Request], bool]:
        batch, size = [first], len(first.crops)
        deadline = time.monotonic() + self.wait_s
        while size < self.max_batch:
            try:
                request = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if request is None:
                return batch, True
            batch.append(request)
            size += len(request.crops)
        return batch, False

    def _run(self, batch: list[_Request]) -> None:
        crops = [crop for request in batch for crop in request.crops]
        try:
            results = self.detector.detect(crops)
        except Exception as exc:  # every waiting camera must hear of it, not hang
            for request in batch:
                request.future.set_exception(exc)
            return
        self.batches += 1
        start = 0
        for request in batch:
            request.future.set_result(results[start : start + len(request.crops)])
            start += len(request.crops)
