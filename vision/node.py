"""A vision node (视频分析节点): many live cameras in one process — ``vision run``.

One thread per camera runs its pipeline; one detector, behind
``DetectorService``, serves them all and batches across cameras; the main
thread's event loop delivers the outbox to S3 and the API. A camera whose
pipeline fails is restarted after a pause; a camera that stops sending is
reported offline by its own pipeline.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from pathlib import Path

import msgspec

from mobile_contract.sites import CameraConfig, SiteConfig
from storage.objects import ObjectStore, connect
from vision.client import client
from vision.config import NodeConfig, S3Config
from vision.detect.base import Detector
from vision.detect.service import DetectorService
from vision.events import Outbox, Publisher
from vision.events.delivery import Delivery
from vision.liveness import REPORT_EVERY_S, LivenessReporter
from vision.pipeline import CameraPipeline
from vision.sources import VideoSource

log = logging.getLogger(__name__)
RESTART_PAUSE_S = 5.0


def object_store(config: S3Config) -> ObjectStore | None:
    """The node's own S3 credentials; None when no store is configured."""
    if config.endpoint is None:
        return None
    client = connect(
        endpoint=config.endpoint,
        access_key=config.access_key,
        secret_key=config.secret_key,
        secure=config.secure,
        region=config.region,
    )
    return ObjectStore(client, config.bucket, retention_days=0, presign_ttl_s=0)  # the node only uploads


def open_camera(camera: CameraConfig) -> VideoSource:
    """Streams are live (reconnect on loss); a file is replayed at its own pace, like a camera."""
    live = camera.url.startswith(("rtsp://", "rtmp://", "http://", "https://"))
    return VideoSource(camera.url, live=live, paced=not live, gap_s=camera.offline_after_s)


class Node:
    def __init__(self, config: NodeConfig, sites: list[SiteConfig], *, detector: Detector) -> None:
        if config.api.url is not None and config.s3.endpoint is None:
            raise ValueError("api.url is set but s3.endpoint is not: alerts carry evidence that must go to S3 first")
        self.config = config
        self.sites = sites
        self.detector = detector
        self.outbox = Outbox(Path(config.outbox.dir))
        self.service = DetectorService(
            detector, max_batch=config.detector.max_batch, batch_wait_ms=config.detector.batch_wait_ms
        )
        self.stop = threading.Event()
        self.pipelines: dict[str, CameraPipeline] = {}
        self._wake: Callable[[], None] = lambda: None

    def run(self) -> None:
        """Until ``stop`` is set (or every camera is a file that has ended)."""
        self.service.start()
        threads = [
            threading.Thread(target=self._camera, args=(site, camera), name=f"camera-{camera.id}", daemon=True)
            for site in self.sites
            for camera in site.cameras
        ]
        for thread in threads:
            thread.start()
        try:
            asyncio.run(self._deliver(threads))
        finally:
            self.stop.set()
            for thread in threads:
                thread.join()
            self.service.close()

    def _fetch_reference(self, camera: CameraConfig) -> CameraConfig:
        """A ``reference_image`` given as an S3 key is fetched once into the outbox folder."""
        key = camera.reference_image
        if key is None or Path(key).exists():
            return camera
        store = object_store(self.config.s3)
        if store is None:
            raise FileNotFoundError(f"camera {camera.id}: reference image {key} is neither a file nor in S3")
        target = Path(self.config.outbox.dir) / "references" / f"{camera.id}{Path(key).suffix or '.jpg'}"
        target.parent.mkdir(parents=True, exist_ok=True)
        store.client.fget_object(store.bucket, key, str(target))
        return msgspec.structs.replace(camera, reference_image=str(target))

    def _camera(self, site: SiteConfig, camera: CameraConfig) -> None:
        """Run one camera until the node stops; a failure restarts it after a pause."""
        camera = self._fetch_reference(camera)
        while not self.stop.is_set():
            publisher = Publisher(
                site,
                camera,
                outbox=self.outbox,
                model=self.detector.identity,
                evidence=self.config.evidence,
                context={"mode": "live"},
                listeners=[lambda _: self._wake()],
            )
            pipeline = CameraPipeline(site, camera, self.config, detect=self.service.detect, publisher=publisher)
            self.pipelines[camera.id] = pipeline
            try:
                source = open_camera(camera)
                pipeline.run(source, self.stop)
                if not source.live:
                    return  # a replayed file has ended
            except Exception:
                log.exception("camera %s failed; restarting in %.0f s", camera.id, RESTART_PAUSE_S)
                self.stop.wait(RESTART_PAUSE_S)

    async def _report_liveness(self, stop: asyncio.Event) -> None:
        """Every few seconds, per camera: frames analysed, rate, lag and detector time (vision.liveness)."""
        shortest = min((c.offline_after_s for s in self.sites for c in s.cameras), default=REPORT_EVERY_S * 3)
        reporter = LivenessReporter(every_s=min(REPORT_EVERY_S, shortest / 3))
        async with client(self.config.api) as http:
            await reporter.run(http, lambda: list(self.pipelines.values()), stop)

    def _wait(self, threads: list[threading.Thread]) -> None:
        for thread in threads:
            while thread.is_alive() and not self.stop.is_set():
                thread.join(0.5)

    async def _deliver(self, threads: list[threading.Thread]) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        delivery = None
        if self.config.api.url is not None:
            delivery = Delivery(
                self.outbox, api=self.config.api, retry=self.config.outbox, store=object_store(self.config.s3)
            )
            woken = delivery.wake

            def wake() -> None:
                loop.call_soon_threadsafe(woken.set)

            self._wake = wake
            task = asyncio.create_task(delivery.run(stop))
            reporting = asyncio.create_task(self._report_liveness(stop))
        await asyncio.to_thread(self._wait, threads)
        if delivery is not None:
            stop.set()
            await asyncio.gather(task, reporting)
            await delivery.deliver_pending_once()  # what the last frames raised, if the API is there
            await delivery.aclose()
