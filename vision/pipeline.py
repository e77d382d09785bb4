"""One camera's pipeline (单路摄像头流水线): source → sampler → motion gate → detector → tracker → rules → events.

``CameraPipeline.run(source)`` reads a ``VideoSource`` to its end (a file) or
until stopped (a live stream); ``run(sub, main=main)`` analyses a camera's
sub-stream and takes its evidence from its main stream (``vision.recorder``).
Frames built in memory can be fed to ``analyse`` directly. The detector is passed in as a function so that many
pipelines share one model (``vision.detect.service``). In reference mode
every frame is analysed and the detector sees every whole frame — the
yardstick the normal mode's alerts are checked against.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable

import cv2
import msgspec

from mobile_contract.alerts import EvidenceStream
from mobile_contract.sites import CameraConfig, SiteConfig
from vision.config import NodeConfig
from vision.detect.base import Crop
from vision.events import Incident, IncidentBook, Publisher, Reason, Revision
from vision.events.evidence import Picture
from vision.events.publisher import SNAPSHOT_REASONS
from vision.motion import MotionGate, plan_regions
from vision.reader import AHEAD, FrameReader
from vision.recorder import MainStreamRecorder, main_stream_lost
from vision.rules import CameraRules
from vision.sampler import Sampler
from vision.sources import Silence, VideoSource, bgr, make_frame
from vision.stats import PipelineStats
from vision.track import ObjectTracker
from vision.types import AlertCandidate, Box, Detection, Frame, Motion, Track

Detect = Callable[[list[Crop]], list[list[Detection]]]
WHOLE = Box(0.0, 0.0, 1.0, 1.0)


class CameraPipeline:
    def __init__(
        self,
        site: SiteConfig,
        camera: CameraConfig,
        config: NodeConfig,
        *,
        detect: Detect,
        publisher: Publisher,
        reference: bool = False,
    ) -> None:
        self.camera = camera
        self.config = config
        self.detect = detect
        self.publisher = publisher
        self.reference = reference
        self.sampler = Sampler(camera.analysis_hz, reference=reference, lag=AHEAD)
        self.gate = MotionGate(config.motion)
        self.rules = CameraRules(site, camera, tuning=config.rules, tamper=config.tamper)
        self.book = IncidentBook(config.rules)
        self.stats = PipelineStats()
        self.reader: FrameReader | None = None
        self.recorder: MainStreamRecorder | None = None  # the main stream, for a camera analysed on its sub-stream
        self.tracker: ObjectTracker | None = None
        self.awaiting_clip: list[Incident] = []
        self.open_at_finish: set[uuid.UUID] = set()  # incidents still going when the source ended
        self._last_at: dt.datetime | None = None
        self._last_whole: dt.datetime | None = None
        self._last_recheck: dt.datetime | None = None
        self._load_reference()

    def run(
        self,
        source: VideoSource,
        stop: threading.Event | None = None,
        progress: Callable[[float], None] | None = None,
        *,
        main: VideoSource | None = None,
    ) -> PipelineStats:
        """Analyse a source to its end (or until ``stop``); decoding runs a few frames ahead in its own thread.

        With ``main``, ``source`` is the camera's sub-stream and ``main`` its main stream, recorded for evidence.
        """
        evidence = self.config.evidence
        ring_s = evidence.clip_pre_s + evidence.clip_post_s + 5.0
        self.reader = FrameReader(
            self.camera.id, source, self.sampler, ring_s=ring_s, width=self.config.motion.width, stats=self.stats
        )
        if main is not None:
            self.recorder = MainStreamRecorder(main, source, ring_s=ring_s).start()
        try:
            for item in self.reader.ahead(stop):
                if stop is not None and stop.is_set():  # frames read ahead are not analysed after a stop
                    break
                if isinstance(item, Silence):
                    self.on_silence(item)
                    continue
                self._main_stream(item)
                self.analyse(item)
                if progress is not None:
                    progress(item.pts_s)
        finally:
            self.finish()
            if self.recorder is not None:
                self.recorder.close()
            source.close()
        return self.stats

    def on_silence(self, silence: Silence, origin: dt.datetime | None = None) -> None:
        """The source went quiet; ``origin`` is the wall time of stream time 0 (default: the reader's source's)."""
        if origin is None:
            assert self.reader is not None and self.reader.source.origin is not None
            origin = self.reader.source.origin
        candidates = self.rules.silence(silence, origin)
        self._publish(self.book.observe(candidates, silence.at), None)
        self._publish(self.book.expire(silence.at), None)

    def evidence_frame(self, frame: Frame) -> tuple[Frame, EvidenceStream]:
        """The frame a snapshot shows: the main stream's picture nearest the analysed one, where there is one;
        and which stream it is (a camera with one stream is analysed on its main stream).

        Its time becomes that picture's (within half a frame when both streams run at one rate); boxes and zones
        are normalised, so they are drawn where they belong on the larger picture.
        """
        if self.recorder is None:
            return frame, EvidenceStream.MAIN
        with self.stats.timed("evidence"):
            found = self.recorder.picture(frame.pts_s)
        if found is None:  # the main stream has nothing for that moment: the analysed picture is the evidence
            return frame, EvidenceStream.SUB
        moved = dt.timedelta(seconds=found.pts_s - frame.pts_s)
        picture = found.picture
        size = {"width": picture.width, "height": picture.height}
        shown = msgspec.structs.replace(
            frame, picture=picture, **size, pts_s=found.pts_s, at=frame.at + moved, whole=None
        )
        return shown, EvidenceStream.MAIN

    def analyse(self, frame: Frame) -> list[Track]:
        """Everything after decoding, for one frame chosen by the sampler."""
        self.stats.analysed += 1
        self.stats.last_frame_at = frame.at
        dt_s = (frame.at - self._last_at).total_seconds() if self._last_at else 0.0
        self._last_at = frame.at
        with self.stats.timed("motion"):
            motion = self.gate.detect(frame.contrast, dt_s)
        tracker = self._tracker(frame)
        crops = self._crops(frame, motion, tracker.tracks)
        if self.reader is not None:  # a camera busy now is likely busy next frame: let the reader scale ahead
            self.reader.whole_width = self._imgsz(region=False) if crops is not None else None
        if crops is None:
            tracks = tracker.hold(motion)
        else:
            with self.stats.timed("detect"):
                found = self.detect(crops)
            with self.stats.timed("track"):
                tracks = tracker.update([d for per_crop in found for d in per_crop], motion)
        with self.stats.timed("rules"):
            candidates = self.rules.evaluate(frame, tracks, motion, tracker.untracked)
            self._hurry(frame, tracks, tracker.untracked)
        with self.stats.timed("events"):
            self._events(frame, candidates)
        return tracks

    def _hurry(self, frame: Frame, tracks: list[Track], untracked: list[Detection]) -> None:
        """A truck near a count line: analyse faster for a while, so that it cannot cross between two samples."""
        sampling = self.config.sampling
        if sampling.line_hz > 0 and self.rules.near_line(tracks, untracked, sampling.line_reach):
            self.sampler.hurry(sampling.line_hz, frame.pts_s, sampling.line_hold_s)

    def finish(self) -> None:
        """End of the recording or shutdown: clips with what there is, incidents ended."""
        newest = self.reader.ring.newest_s if self.reader is not None else None
        if self.recorder is not None and newest is not None:
            self.recorder.reached(newest)
        for incident in list(self.awaiting_clip):
            self._clip(incident, newest)
        self.open_at_finish = {incident.id for incident in self.book.open.values()}
        self._publish([self.book.end(incident) for incident in list(self.book.open.values())], None)
        self.publisher.retain(set())

    def _load_reference(self) -> None:
        """The surveyed landform reference (``reference_image``, a local file), instead of the first frame."""
        path = self.camera.reference_image
        if path is None:
            return
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            raise FileNotFoundError(f"camera {self.camera.id}: reference image {path} cannot be read")
        epoch = dt.datetime.fromtimestamp(0, dt.UTC)
        self.rules.set_reference(
            make_frame(self.camera.id, image, seq=0, pts_s=0.0, at=epoch, width=self.config.motion.width)
        )

    def _tracker(self, frame: Frame) -> ObjectTracker:
        if self.tracker is None:
            rate = 25.0 if self.reference else self.camera.analysis_hz
            lost_s = self.config.rules.track_lost_s
            self.tracker = ObjectTracker.for_rate(
                width=frame.width, height=frame.height, analysis_hz=rate, lost_s=lost_s
            )
        return self.tracker

    def _crops(self, frame: Frame, motion: Motion, tracks: list[Track]) -> list[Crop] | None:
        """What the detector should look at in this frame; None when nothing needs it."""
        config, at = self.config.regions, frame.at
        if self.reference or motion.relit or _due(self._last_whole, config.full_frame_s, at):
            return self._whole(frame)
        boxes = list(motion.regions)
        if tracks and (boxes or _due(self._last_recheck, config.recheck_s, at)):
            boxes += [t.box for t in tracks]  # tracked objects are always looked at again with the rest
            self._last_recheck = at
        if not boxes:
            return None
        aspect = frame.width / frame.height
        whole_scale = self._imgsz(region=False) / frame.width  # detector pixels per frame pixel, whole frame
        crop_scale = self._imgsz(region=True) / (config.min_side * frame.height)  # the same, smallest crop
        regions = plan_regions(boxes, aspect=aspect, config=config, zoom=crop_scale / whole_scale)
        if regions is None:
            return self._whole(frame)
        image = bgr(frame.picture)
        h, w = image.shape[:2]
        size = self._imgsz(region=True)
        crops = [
            Crop(image[int(r.y1 * h) : int(r.y2 * h), int(r.x1 * w) : int(r.x2 * w)], r, size, frame.pts_s)
            for r in regions
        ]
        self._count(len(crops), whole=False)
        return crops

    def _whole(self, frame: Frame) -> list[Crop]:
        self._last_whole = self._last_recheck = frame.at
        self._count(1, whole=True)
        size = self._imgsz(region=False)
        image = frame.whole if frame.whole is not None else bgr(frame.picture, width=size)
        return [Crop(image, WHOLE, size, frame.pts_s)]

    def _imgsz(self, *, region: bool) -> int:
        detector = self.config.detector
        return detector.region_imgsz if region else detector.imgsz

    def _count(self, crops: int, *, whole: bool) -> None:
        self.stats.detector_frames += 1
        self.stats.whole_frames += whole
        self.stats.crops += crops

    def _main_stream(self, frame: Frame) -> None:
        """Let the main stream's recorder read on, and raise its silences: a main stream lost is an event."""
        if self.recorder is None:
            return
        self.recorder.reached(frame.pts_s)
        for silence in self.recorder.silences():
            candidates = [main_stream_lost(c) for c in self.rules.silence(silence, self.recorder.origin)]
            self._publish(self.book.observe(candidates, silence.at), None)

    def _events(self, frame: Frame, candidates: list[AlertCandidate]) -> None:
        self._publish(self.book.observe(candidates, frame.at), frame)
        self._publish(self.book.expire(frame.at), None)
        post = dt.timedelta(seconds=self.config.evidence.clip_post_s)
        for incident in [i for i in self.awaiting_clip if frame.at >= i.opened_at + post]:
            self._clip(incident, frame.pts_s - (frame.at - incident.opened_at - post).total_seconds())
        self.publisher.retain({i.id for i in self.book.open.values()} | {i.id for i in self.awaiting_clip})

    def _clip(self, incident: Incident, end_s: float | None) -> None:
        """Cut ``clip_pre_s`` before to ``clip_post_s`` after the moment the rule fired, from the ring."""
        self.awaiting_clip.remove(incident)
        if self.reader is None or end_s is None:
            return  # frames fed in memory: there is no compressed stream to cut from
        evidence = self.config.evidence
        start_s = end_s - evidence.clip_post_s - evidence.clip_pre_s
        data, picture = self._clip_bytes(self.reader, start_s, end_s)
        if data:
            media = self.publisher.clip_media(incident, data, picture)
            self._publish([self.book.attach(incident, [media], clip=True)], None)

    def _clip_bytes(self, reader: FrameReader, start_s: float, end_s: float) -> tuple[bytes, Picture | None]:
        """The main stream's packets for the time, else (none kept for it) the analysed stream's, and which."""
        if self.recorder is not None and (recorded := self.recorder.clip(start_s, end_s)):
            return recorded, picture_of(self.recorder.source, EvidenceStream.MAIN)
        analysed = EvidenceStream.SUB if self.recorder is not None else EvidenceStream.MAIN
        return reader.clip(start_s, end_s), picture_of(reader.source, analysed)

    def _publish(self, revisions: list[Revision], frame: Frame | None) -> None:
        stream = None
        if frame is not None and any(r.reason in SNAPSHOT_REASONS for r in revisions):
            frame, stream = self.evidence_frame(frame)
        for revision in revisions:
            self.stats.revisions += 1
            self.publisher.publish(revision, frame, stream)
            if revision.reason is Reason.OPENED:
                self.awaiting_clip.append(revision.incident)


def picture_of(source: VideoSource, stream: EvidenceStream) -> Picture | None:
    """The stream's picture size as its decoder reports it (None before it ever connected)."""
    if source.stream is None:
        return None
    info = source.info()
    return Picture(stream, info.width, info.height)


def _due(last: dt.datetime | None, every_s: float, at: dt.datetime) -> bool:
    return last is None or (at - last).total_seconds() >= every_s
