"""What a vision node exposes to Prometheus (运行指标), per camera, read from the running node when scraped.

- ``enforce_vision_frames_analysed_total``: analysis frames through the pipeline (resets when a
  camera's pipeline restarts; Prometheus's ``rate`` copes with that).
- ``enforce_vision_detector_seconds_total``: time the camera's frames spent in the detector
  (batched with other cameras' frames by ``DetectorService``, waiting included).
- ``enforce_vision_frames_waiting``: decoded frames waiting for analysis (the reader runs a few
  ahead; always full means the camera's analysis falls behind).
- ``enforce_vision_detector_queue``: requests waiting for the node's one detector.
- ``enforce_vision_outbox_revisions``: alert revisions in the outbox not yet accepted by the API
  (grows while the API or S3 is away, docs/vision.md).

``vision run`` serves them on ``metrics.port`` of the node config (off when unset), on
``metrics.host`` (loopback unless set: a Prometheus beside the node, or a pod scrape).
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from vision.config import MetricsConfig
from vision.events.outbox import Pending

CAMERA = ["camera"]

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from vision.node import Node


class NodeCollector(Collector):
    """Reads the node's pipelines, detector and outbox on each scrape."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.camera_of: dict[uuid.UUID, str] = {}  # an alert's camera never changes: each file is read once
        self.lock = threading.Lock()  # scrapes may overlap

    def collect(self) -> Iterator[Metric]:
        frames = CounterMetricFamily("enforce_vision_frames_analysed", "Analysis frames", labels=CAMERA)
        detector = CounterMetricFamily("enforce_vision_detector_seconds", "Time in the detector", labels=CAMERA)
        waiting = GaugeMetricFamily("enforce_vision_frames_waiting", "Frames waiting for analysis", labels=CAMERA)
        for pipeline in self.node.pipelines():
            camera = pipeline.camera.id
            frames.add_metric([camera], pipeline.stats.analysed)
            detector.add_metric([camera], pipeline.stats.seconds.get("detect", 0.0))
            handoff = pipeline.reader.handoff if pipeline.reader is not None else None
            waiting.add_metric([camera], handoff.qsize() if handoff is not None else 0)
        outbox = GaugeMetricFamily("enforce_vision_outbox_revisions", "Alert revisions undelivered", labels=CAMERA)
        for camera, count in self.outbox_by_camera().items():
            outbox.add_metric([camera], count)
        queue = GaugeMetricFamily("enforce_vision_detector_queue", "Requests waiting for the node's detector")
        queue.add_metric([], self.node.service.waiting())
        yield from (frames, detector, waiting, outbox, queue)

    def outbox_by_camera(self) -> Counter[str]:
        with self.lock:
            pending = self.node.outbox.pending()
            known = self.camera_of
            self.camera_of = {item.alert_id: known.get(item.alert_id) or self._camera(item) for item in pending}
            return Counter(self.camera_of[item.alert_id] for item in pending if self.camera_of[item.alert_id])

    def _camera(self, item: Pending) -> str:
        try:
            return self.node.outbox.read(item).camera_id
        except FileNotFoundError:  # delivered since it was listed
            return ""


def serve_metrics(node: Node, config: MetricsConfig) -> WSGIServer | None:
    """Start the exporter in a thread of its own (None when no port is configured)."""
    if config.port is None:
        return None
    registry = CollectorRegistry()
    registry.register(NodeCollector(node))
    server, _thread = start_http_server(config.port, addr=config.host, registry=registry)
    return server
