"""Sub-stream analysis with main-stream evidence against main-stream-only analysis (子码流分析基准).

One run, one machine. The two scenes of ``bench.vision_throughput`` (a quiet night quarry at 1 Hz, a busy haul
road at 2 Hz; 40 s each), rendered once and encoded as a camera's two streams of the same pictures: the main
stream at 1920×1080 (1 s key frames, about 4 Mbit/s, as that benchmark) and a sub-stream at 640×360 (1 s key
frames, at most 512 kbit/s, a common sub-stream setting).

1. Cameras sustained in real time, K cameras in one process with one detector (camera-seconds per wall
   second): main-stream-only (analysis and evidence from the main stream, as before) against sub-stream
   analysis with the main stream recorded for evidence. Goals: quiet ≥ 2×, busy ≥ 1.3×.
   The limit, in the same run: the same K cameras read with no analysis at all (the main stream decoded,
   against the sub-stream decoded and the main stream's packets kept), by CPU. A sub-stream saves only
   decoding, so no analysis can make the ratio better than this one.
2. Every sampled frame to the detector (busy road at 1 Hz, whole frames, best of three): ms per analysed frame
   against the detector alone plus the sub-stream's demuxing and decoding alone, both measured in this run
   (best of three each). Goal: within 15 %.

Untrained ``yolov8n.yaml`` exported as configured (OpenVINO by default), as in ``bench.vision_throughput``.
Results: a table on stdout and ``bench/out/substream.json``. Run with ``bash bench/run substream``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import msgspec
from rich.table import Table

from bench.vision_parts import analysed_frames, decode_alone_ms, tamper_alone_ms
from bench.vision_throughput import (
    OUT,
    Encoding,
    arguments,
    clip,
    clip_facts,
    console,
    decoded,
    detector_only_ms,
    machine,
    many_cameras,
    node_config,
    prepared,
    site_for,
)
from mobile_contract.sites import CountLine, ForbiddenZone, LandformZone, ProhibitedHours, SiteConfig, Zone
from vision.config import NodeConfig
from vision.detect.yolo import YoloDetector
from vision.events import Outbox, Publisher
from vision.pipeline import CameraPipeline
from vision.reader import FrameReader
from vision.recorder import MainStreamRecorder
from vision.sampler import Sampler
from vision.sources import VideoSource
from vision.stats import PipelineStats
from vision.synth import scenarios
from vision.types import Frame

SUB_X264 = "keyint=25:min-keyint=25:scenecut=0:vbv-maxrate=512:vbv-bufsize=512"
GOALS = {"quiet": 2.0, "busy": 1.3}


class Figures(msgspec.Struct):
    """Everything the benchmark measured; written to bench/out/substream.json."""

    machine: dict[str, object]
    cameras: dict[str, dict[str, float]]  # scene → main_only, sub_stream (camera-seconds per second), ratio
    saturated: dict[str, float]


class Scene(msgspec.Struct, frozen=True):
    name: str
    main: Path
    sub: Path
    site: SiteConfig
    cameras: int


def streams(name: str, seconds: float) -> tuple[Path, Path, scenarios.Scenario]:
    """The scene's main stream (1080p) and sub-stream (640×360) of the same pictures."""
    sub = OUT / "clips" / f"{name}-{seconds:g}s-360p-sub.mp4"
    main, scenario = clip(name, seconds, Encoding(sub, 640, 360, SUB_X264))
    return main, sub, scenario


def scenes(seconds: float, quiet_cameras: int, busy_cameras: int) -> dict[str, Scene]:
    """The two sites of ``bench.vision_throughput``: the quiet quarry's zones at 1 Hz, the haul road's line at 2 Hz."""
    quiet, quiet_sub, quiet_scenario = streams("quiet_night_quarry", seconds)
    busy, busy_sub, busy_scenario = streams("busy_haul_road", seconds)
    floor = quiet_scenario.regions["pit_floor"]
    zones: list[Zone] = [
        ForbiddenZone(name="坑底", polygon=floor, dwell_s=60),
        LandformZone(name="坑底地貌", polygon=floor),
    ]
    night = ProhibitedHours(start=dt.time(22), end=dt.time(6))
    top, bottom = busy_scenario.lines["count"]
    road = [CountLine(name="出口", a=bottom, b=top)]
    quiet_site = site_for(quiet, zones, hz=1.0, prohibited_hours=[night], closed=True)
    return {
        "quiet": Scene("quiet", quiet, quiet_sub, quiet_site, quiet_cameras),
        "busy": Scene("busy", busy, busy_sub, site_for(busy, road, hz=2.0, closed=True), busy_cameras),
    }


def sustained(scene: Scene, config: NodeConfig, detector: YoloDetector) -> dict[str, float]:
    """K cameras of the scene in one process, on the main stream only and on the sub-stream: each the better of
    two runs, taken in turn (main, sub, main, sub) so that a busy moment of the machine does not favour one."""
    runs: dict[str, list[tuple[float, float]]] = {"main_only": [], "sub_stream": []}
    for _ in range(2):
        runs["main_only"].append(cpu_and_rate(scene, config, detector, None))
        runs["sub_stream"].append(cpu_and_rate(scene, config, detector, scene.main))
    (main_only, main_cpu), (sub_stream, sub_cpu) = max(runs["main_only"]), max(runs["sub_stream"])
    console.print(f"{scene.name}, {scene.cameras} cameras: main only {main_only:.1f}, sub-stream {sub_stream:.1f}")
    read_main, read_sub = (max(decoding_only(scene, main) for _ in range(2)) for main in (None, scene.main))
    return {
        **cpu_split(main_cpu, sub_cpu, read_main, read_sub),
        "cameras": scene.cameras,
        "main_only": main_only,
        "sub_stream": sub_stream,
        "ratio": sub_stream / main_only,
        "main_only_by_cpu": main_cpu,
        "sub_stream_by_cpu": sub_cpu,
        "ratio_by_cpu": sub_cpu / main_cpu,
    }


def cpu_split(main_cpu: float, sub_cpu: float, read_main: float, read_sub: float) -> dict[str, float]:
    """Where the CPU goes, per camera-second (ms): reading (demuxing, decoding, scaling) and the rest (analysis and
    evidence), from the figures by CPU (camera-seconds per two CPU-seconds) with and without analysis.

    A sub-stream saves only reading, so against its parts (its own reading + the main-only run's analysis)
    it should cost no more; and the quiet goal of 2× needs an analysis cheaper than the reading saved allows.
    """
    ms = {
        name: 2000 / figure
        for name, figure in (("main", main_cpu), ("sub", sub_cpu), ("read_main", read_main), ("read_sub", read_sub))
    }
    analysis = ms["main"] - ms["read_main"]
    return {
        "decoding_only_main_by_cpu": read_main,
        "decoding_only_sub_by_cpu": read_sub,
        "ceiling_by_cpu": read_sub / read_main,
        "reading_main_ms": ms["read_main"],
        "reading_sub_ms": ms["read_sub"],
        "analysis_main_ms": analysis,
        "analysis_sub_ms": ms["sub"] - ms["read_sub"],
        "over_parts": ms["sub"] / (ms["read_sub"] + analysis) - 1,
        "analysis_for_2x_ms": ms["read_main"] - 2 * ms["read_sub"],
    }


def cpu_and_rate(scene: Scene, config: NodeConfig, detector: YoloDetector, main: Path | None) -> tuple[float, float]:
    """Camera-seconds per wall second, and per two seconds of this process's CPU (what 2 idle cores would do)."""
    cpu = time.process_time()
    path = scene.sub if main is not None else scene.main
    rate = many_cameras(path, scene.site, config, detector, scene.cameras, main=main)
    camera_seconds = scene.cameras * clip_facts(scene.main)["seconds"]
    return rate, 2 * camera_seconds / (time.process_time() - cpu)


def decoding_only(scene: Scene, main: Path | None) -> float:
    """K cameras read as the pipeline reads them, with nothing analysed: camera-seconds per two CPU-seconds.

    ``main``: read the sub-stream and keep the main stream's packets for evidence, as a sub-stream camera does.
    """
    hz, width = scene.site.cameras[0].analysis_hz, NodeConfig().motion.width

    def one() -> None:
        source = VideoSource(str(scene.sub if main is not None else scene.main), live=False)
        reader = FrameReader("bench", source, Sampler(hz), ring_s=10.0, width=width, stats=PipelineStats())
        recorder = MainStreamRecorder(VideoSource(str(main), live=False), source, ring_s=10.0).start() if main else None
        for item in reader.ahead():
            if recorder is not None and isinstance(item, Frame):
                recorder.reached(item.pts_s)  # as the pipeline does: the recording reads on with the analysis
        if recorder is not None:
            recorder.close()
        source.close()

    threads = [threading.Thread(target=one) for _ in range(scene.cameras)]
    cpu = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return 2 * scene.cameras * clip_facts(scene.main)["seconds"] / (time.process_time() - cpu)


def per_frame_ms(scene: Scene, site: SiteConfig, config: NodeConfig, detector: YoloDetector) -> dict[str, float]:
    """One camera on the sub-stream with main-stream evidence, best of three: ms per analysed frame."""
    runs = []
    for attempt in range(3):
        camera = site.cameras[0]
        outbox = Outbox(OUT / "outbox" / f"saturated-sub-{attempt}")
        publisher = Publisher(site, camera, outbox=outbox, model=detector.identity, evidence=config.evidence)
        pipeline = CameraPipeline(site, camera, config, detect=detector.detect, publisher=publisher)
        started = time.perf_counter()
        stats = pipeline.run(VideoSource(str(scene.sub), live=False), main=VideoSource(str(scene.main), live=False))
        wall = time.perf_counter() - started
        runs.append({"analysed": stats.analysed, "ms_per_frame": wall / stats.analysed * 1000})
    return min(runs, key=lambda run: run["ms_per_frame"])


def saturated(scene: Scene, backend: str, weights: Path, detector: YoloDetector) -> dict[str, float]:
    """The busy road at 1 Hz with a whole-frame detector call on every analysed frame, against its yardstick."""
    config = node_config(backend, weights, full_frame_s=0.0)
    top, bottom = scenarios.busy_haul_road(duration_s=1.0).lines["count"]
    site = site_for(scene.main, [CountLine(name="出口", a=bottom, b=top)], hz=1.0, closed=True)
    detector_ms = detector_only_ms(detector, decoded(scene.sub, 40), 640)[0]
    decode_ms = decode_alone_ms(scene.sub, 1.0)
    tamper_ms = tamper_alone_ms(analysed_frames(scene.sub, 1.0))["tamper monitor"]
    run = per_frame_ms(scene, site, config, detector)
    yardstick = detector_ms + decode_ms
    return {
        **run,
        "detector_alone_ms": detector_ms,
        "sub_decode_alone_ms": decode_ms,
        "tamper_alone_ms": tamper_ms,
        "yardstick_ms": yardstick,
        "over_yardstick": run["ms_per_frame"] / yardstick - 1,
        "over_yardstick_with_tamper": run["ms_per_frame"] / (yardstick + tamper_ms) - 1,
    }


def table(f: Figures) -> Table:
    t = Table(title="sub-stream analysis, main-stream evidence (1080p main, 640×360 sub, yolov8n)")
    for column in ("figure", "quiet night quarry (1 Hz)", "busy haul road (2 Hz)", "goal"):
        t.add_column(column)
    q, b = f.cameras["quiet"], f.cameras["busy"]
    t.add_row("cameras run together", f"{q['cameras']:.0f}", f"{b['cameras']:.0f}", "")
    t.add_row("main stream only: cameras sustained", f"{q['main_only']:.1f}", f"{b['main_only']:.1f}", "")
    t.add_row("sub-stream + main evidence: cameras sustained", f"{q['sub_stream']:.1f}", f"{b['sub_stream']:.1f}", "")
    t.add_row("ratio", f"{q['ratio']:.2f}×", f"{b['ratio']:.2f}×", "≥ 2× / ≥ 1.3×")
    for label, before, after, ratio in (
        ("by CPU (2 idle cores): main only → sub-stream", "main_only_by_cpu", "sub_stream_by_cpu", "ratio_by_cpu"),
        (
            "limit: read with no analysis, by CPU",
            "decoding_only_main_by_cpu",
            "decoding_only_sub_by_cpu",
            "ceiling_by_cpu",
        ),
    ):
        t.add_row(label, *(f"{c[before]:.1f} → {c[after]:.1f} ({c[ratio]:.2f}×)" for c in (q, b)), "")
    t.add_row(
        "CPU per camera-second, main only → sub-stream: reading + analysis and evidence",
        *(
            f"{c['reading_main_ms']:.1f} + {c['analysis_main_ms']:.1f} → {c['reading_sub_ms']:.1f} + "
            f"{c['analysis_sub_ms']:.1f} ms"
            for c in (q, b)
        ),
        "",
    )
    t.add_row(
        "sub-stream against its parts (its reading alone + main-only's analysis)",
        *(f"{c['over_parts']:+.0%}" for c in (q, b)),
        "≤ +15 % (proposed, docs/vision.md)",
    )
    t.add_row(
        "2× would need analysis and evidence of at most",
        *(f"{c['analysis_for_2x_ms']:.1f} ms per camera-second" for c in (q, b)),
        "",
    )
    s = f.saturated
    t.add_row(
        "every sampled frame to the detector (busy, 1 Hz)",
        f"{s['ms_per_frame']:.1f} ms per frame",
        f"detector alone {s['detector_alone_ms']:.1f} + sub-stream decode alone {s['sub_decode_alone_ms']:.1f}"
        f" = {s['yardstick_ms']:.1f} ms",
        f"{s['over_yardstick']:+.0%} (goal ≤ +15 %)",
    )
    t.add_row(
        "... against the same with the tamper monitor alone added (issue 14's checks run on every frame)",
        f"{s['ms_per_frame']:.1f} ms per frame",
        f"{s['yardstick_ms']:.1f} + tamper monitor alone {s['tamper_alone_ms']:.1f} ms",
        f"{s['over_yardstick_with_tamper']:+.0%} (proposed goal ≤ +15 %)",
    )
    t.caption = f"load average {f.machine['load_average_1m']:.1f}; benchmark took {f.machine['benchmark_wall_s']} s"
    return t


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--quiet-cameras", type=int, default=16, help="quiet cameras run together in one process")
    parser.add_argument("--busy-cameras", type=int, default=4, help="busy cameras run together in one process")
    args = parser.parse_args()
    began = time.perf_counter()
    weights, config, detector = prepared(args.backend)
    found = scenes(args.seconds, args.quiet_cameras, args.busy_cameras)
    detector_only_ms(detector, decoded(found["busy"].sub, 2), 640)  # loads and warms the model: not measured
    cameras = {name: sustained(scene, config, detector) for name, scene in found.items()}
    every_frame = saturated(found["busy"], args.backend, weights, detector)
    figures = Figures(machine=machine(time.perf_counter() - began), cameras=cameras, saturated=every_frame)
    (OUT / "substream.json").write_bytes(msgspec.json.format(msgspec.json.encode(figures), indent=2))
    console.print(table(figures))


if __name__ == "__main__":
    main()
