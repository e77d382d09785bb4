"""A vision node (视频分析节点): many live cameras in one process — ``vision run``.

One thread per camera runs its pipeline (and one more records the main
stream of a camera analysed on its sub-stream); one detector, behind
``DetectorService``, serves them all and batches across cameras; the main
thread's event loop delivers the outbox to S3 and the API, reports liveness
and — without site files — keeps the node's camera leases (vision.fleet), which
decide the cameras it runs. A camera whose pipeline fails is restarted after a
pause; a camera that stops sending is reported offline by its own pipeline.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import msgspec

from mobile_contract.sites import CameraConfig, SiteConfig
from storage.objects import ObjectStore, connect
from vision.client import client
from vision.config import NodeConfig, S3Config
from vision.detect.base import Detector
from vision.detect.service import DetectorService
from vision.events import Outbox, Publisher
from vision.events.delivery import Delivery
from vision.fleet import CameraKey, Granted, LeaseKeeper, node_name
from vision.liveness import REPORT_EVERY_S, LivenessReporter
from vision.metrics import serve_metrics
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


def open_streams(camera: CameraConfig) -> tuple[VideoSource, VideoSource | None]:
    """The stream to analyse and, for a camera with a sub-stream (analysed), its main stream (evidence).

    Streams are live (reconnect on loss); a file is replayed at its own pace, like a camera.
    """

    def open_url(url: str) -> VideoSource:
        live = url.startswith(("rtsp://", "rtmp://", "http://", "https://"))
        return VideoSource(url, live=live, paced=not live, gap_s=camera.offline_after_s)

    if camera.sub_url is None:
        return open_url(camera.url), None
    return open_url(camera.sub_url), open_url(camera.url)


class CameraRun:
    """One camera's thread and the event that stops it."""

    def __init__(self, granted: Granted, target: Callable[[CameraRun], None]) -> None:
        self.granted = granted
        self.stop = threading.Event()
        self.thread = threading.Thread(target=target, args=(self,), name=f"camera-{granted.camera.id}", daemon=True)
        self.pipeline: CameraPipeline | None = None


class Node:
    def __init__(
        self, config: NodeConfig, sites: list[SiteConfig] | None, *, detector: Detector, name: str | None = None
    ) -> None:
        """``sites``: run these cameras; None: the cameras this node's leases give it (needs ``api.url``)."""
        if config.api.url is not None and config.s3.endpoint is None:
            raise ValueError("api.url is set but s3.endpoint is not: alerts carry evidence that must go to S3 first")
        if sites is None and config.api.url is None:
            raise ValueError("no site files and no api.url: the node has no way to learn its cameras")
        self.config = config
        self.sites = sites
        self.name = name or node_name(config)
        self.detector = detector
        self.outbox = Outbox(Path(config.outbox.dir))
        self.service = DetectorService(
            detector, max_batch=config.detector.max_batch, batch_wait_ms=config.detector.batch_wait_ms
        )
        self.stop = threading.Event()
        self.cameras: dict[CameraKey, CameraRun] = {}
        self.ending: list[CameraRun] = []  # stopped, still ending their incidents
        self._lock = threading.Lock()
        self._wake: Callable[[], None] = lambda: None

    def run(self) -> None:
        """Until ``stop`` is set (or, with site files, every camera is a file that has ended)."""
        self.service.start()
        exporter = serve_metrics(self, self.config.metrics)
        try:
            asyncio.run(self._main())
        finally:
            self.stop.set()
            self.hold({})
            self.wait_for_stopped()
            self.service.close()
            if exporter is not None:
                exporter.shutdown()
                exporter.server_close()

    def hold(self, runs: dict[CameraKey, Granted]) -> None:
        """Run exactly ``runs``: start what is new (or granted again), stop the rest.

        A stopped camera analyses no further frame; its thread still ends its incidents and cuts their
        clips, which the lease loop does not wait for (it must renew the other leases in time).
        """
        with self._lock:
            for key in [k for k, run in self.cameras.items() if runs.get(k) != run.granted]:
                ending = self.cameras.pop(key)
                ending.stop.set()
                self.ending.append(ending)
                log.info("camera %s/%s stopped (lease generation %d)", *key, ending.granted.generation)
            for key, granted in runs.items():
                if key not in self.cameras:
                    self.cameras[key] = self._start(granted)
            self.ending = [run for run in self.ending if run.thread.is_alive()]

    def wait_for_stopped(self) -> None:
        """Until every stopped camera has ended its incidents (before the node exits)."""
        with self._lock:
            ending, self.ending = self.ending, []
        for run in ending:
            run.thread.join()

    def pipelines(self) -> list[CameraPipeline]:
        with self._lock:
            return [run.pipeline for run in self.cameras.values() if run.pipeline is not None]

    def _start(self, granted: Granted) -> CameraRun:
        run = CameraRun(granted, self._camera)
        run.thread.start()
        log.info("camera %s/%s started (lease generation %d)", granted.site.id, granted.camera.id, granted.generation)
        return run

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

    def _camera(self, run: CameraRun) -> None:
        """Run one camera until it is stopped; a failure restarts it after a pause."""
        site, camera, stop = run.granted.site, self._fetch_reference(run.granted.camera), run.stop
        while not stop.is_set():
            publisher = Publisher(
                site,
                camera,
                outbox=self.outbox,
                model=self.detector.identity,
                evidence=self.config.evidence,
                context={"mode": "live", "node": self.name, "lease_generation": run.granted.generation},
                listeners=[lambda _: self._wake()],
            )
            pipeline = CameraPipeline(site, camera, self.config, detect=self.service.detect, publisher=publisher)
            run.pipeline = pipeline
            try:
                source, main = open_streams(camera)
                pipeline.run(source, stop, main=main)
                if not source.live:
                    break  # a replayed file has ended
            except Exception:
                log.exception("camera %s failed; restarting in %.0f s", camera.id, RESTART_PAUSE_S)
                stop.wait(RESTART_PAUSE_S)

    async def _main(self) -> None:
        if self.config.api.url is None:
            await self._run_files()
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        store = object_store(self.config.s3)
        delivery = Delivery(self.outbox, api=self.config.api, retry=self.config.outbox, store=store)
        woken = delivery.wake

        def wake() -> None:
            loop.call_soon_threadsafe(woken.set)

        self._wake = wake
        async with client(self.config.api) as http:
            background = [asyncio.create_task(delivery.run(stop)), asyncio.create_task(self._report(http, stop))]
            try:
                await self._run_files() if self.sites is not None else await self._run_leases(http)
            finally:
                await asyncio.to_thread(self.wait_for_stopped)
                stop.set()
                await asyncio.gather(*background)
                await delivery.deliver_pending_once()  # what the last frames raised, if the API is there
                await delivery.aclose()

    async def _run_files(self) -> None:
        """The site files' cameras, until stopped or every one is a file that has ended."""
        assert self.sites is not None
        self.hold({(s.id, c.id): Granted(s, c, 0) for s in self.sites for c in s.cameras})
        await asyncio.to_thread(self._wait_for_cameras)

    async def _run_leases(self, http: httpx.AsyncClient) -> None:
        await LeaseKeeper(self.config, http, self.hold, name=self.name).run(self.stop)

    def _wait_for_cameras(self) -> None:
        with self._lock:
            runs = list(self.cameras.values())
        for run in runs:
            while run.thread.is_alive() and not self.stop.is_set():
                run.thread.join(0.5)

    async def _report(self, http: httpx.AsyncClient, stop: asyncio.Event) -> None:
        """Every few seconds, per camera: frames analysed, rate, lag and detector time (vision.liveness)."""
        reporter = LivenessReporter(self.name, every_s=self._report_every_s)
        await reporter.run(http, self.pipelines, stop)

    def _report_every_s(self) -> float:
        """Often enough that a running camera is never judged unwatched: a third of its shortest threshold."""
        with self._lock:
            shortest = min((run.granted.camera.offline_after_s for run in self.cameras.values()), default=30.0)
        return min(REPORT_EVERY_S, shortest / 3)
