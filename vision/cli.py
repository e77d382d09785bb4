"""The ``vision`` command (视频分析命令行): analyze, run, outbox, export, synth, train."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import signal
import uuid
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from mobile_contract.sites import SiteConfig, load_site_config
from vision.analyze import AnalyzeResult, JsonLines, analyze, recording_start_of, unreachable, video_duration_s
from vision.config import DEFAULT_WEIGHTS as DEFAULT_WEIGHTS  # where tests and benchmarks look for it
from vision.config import ConfigError, DetectorConfig, NodeConfig, load_node_config, with_secrets
from vision.detect.yolo import EXPORT_FORMATS, YoloDetector, export
from vision.events import Outbox
from vision.events.delivery import Delivery
from vision.node import Node, object_store

app = typer.Typer(name="vision", help="非现场监管视频分析 / camera monitoring pipeline", no_args_is_help=True)
outbox_app = typer.Typer(help="本地待发队列 / alerts waiting here, and those the API refused", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
console = Console()


def _offline() -> None:
    """ultralytics must neither download nor install anything behind our back."""
    os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_AUTOINSTALL", "false")


def read_site(path: Path) -> SiteConfig:
    """The site config file, or a one-line error naming the field and the fix."""
    try:
        return load_site_config(path.read_bytes(), format="yaml" if path.suffix in {".yaml", ".yml"} else "json")
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise typer.BadParameter(f"{path}: {exc}", param_hint="--site") from exc


def parse_start(start: str | None, video: Path) -> dt.datetime | None:
    """``--start`` as an aware time; without it, the recording must carry its own ``creation_time``."""
    if start is None:
        if recording_start_of(video) is None:
            raise typer.BadParameter(
                f"{video.name} has no creation_time: give the wall time of its first frame, "
                "e.g. --start 2025-06-02T10:00:00+08:00",
                param_hint="--start",
            )
        return None
    try:
        moment = dt.datetime.fromisoformat(start)
    except ValueError as exc:
        raise typer.BadParameter(f"{start!r} is not an ISO 8601 time, e.g. 2025-06-02T10:00:00+08:00") from exc
    if moment.tzinfo is None:
        raise typer.BadParameter(f"{start} has no UTC offset: add one, e.g. {start}+08:00", param_hint="--start")
    return moment


def node_config(config: Path | None, weights: Path | None) -> NodeConfig:
    """The node config file, or defaults around the committed model; ``--weights`` overrides either."""
    try:
        loaded = load_node_config(config) if config is not None else with_secrets(NodeConfig(), os.environ)
    except ConfigError as exc:
        typer.echo(f"vision: {exc}", err=True)  # one line: the file, the field, what is wrong
        raise typer.Exit(2) from exc
    if weights is not None:
        detector: DetectorConfig = msgspec.structs.replace(loaded.detector, weights=str(weights))
        loaded = msgspec.structs.replace(loaded, detector=detector)
    return loaded


@app.command("analyze")
def analyze_command(
    video: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="recorded footage")],
    site: Annotated[Path, typer.Option(exists=True, help="site config (YAML or JSON)")],
    out: Annotated[Path, typer.Option(help="alerts, one JSON line per revision")] = Path("alerts.jsonl"),
    camera: Annotated[str | None, typer.Option(help="camera id, if the site has several")] = None,
    config: Annotated[Path | None, typer.Option(exists=True, help="node config (YAML or JSON)")] = None,
    weights: Annotated[Path | None, typer.Option(help="detector weights, overriding the config")] = None,
    start: Annotated[str | None, typer.Option(help="wall time of the first frame (ISO 8601 with offset)")] = None,
    reference: Annotated[bool, typer.Option(help="every frame, whole frames: the yardstick mode")] = False,
    deliver: Annotated[bool, typer.Option(help="send the alerts to S3 and the API afterwards")] = False,
) -> None:
    """Analyse a recording and write its alerts (录像分析)."""
    _offline()
    settings = node_config(config, weights)
    site_config = read_site(site)
    first_frame = parse_start(start, video)
    duration = video_duration_s(video)
    for warning in unreachable(site_config, settings, camera_id=camera, duration_s=duration):
        console.print(f"[yellow]warning:[/yellow] {warning}")
    outbox = Outbox(out.with_suffix(".outbox"))
    detector = YoloDetector(settings.detector)
    lines = JsonLines(out)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f} s"))
    with Progress(*columns, TimeRemainingColumn(), console=console) as progress:
        task = progress.add_task(video.name, total=duration)
        result = analyze(
            video,
            site_config,
            settings,
            detector=detector,
            outbox=outbox,
            camera_id=camera,
            reference=reference,
            start=first_frame,
            listeners=[lines],
            progress=lambda at_s: progress.update(task, completed=min(at_s, duration)),
        )
    lines.close()
    console.print(summary_table(result))
    if deliver:
        asyncio.run(_deliver_outbox(settings, outbox))


def summary_table(result: AnalyzeResult) -> Table:
    table = Table(title=f"{len(result.alerts)} alerts, {result.revisions} revisions")
    for column in ("alert", "kind", "severity", "started", "ended", "rev", "summary"):
        table.add_column(column)
    for alert in result.alerts:
        ended = alert.ended_at.isoformat(timespec="seconds") if alert.ended_at else "-"
        if str(alert.id) in result.open_at_end:  # the recording stopped, not the incident
            ended = f"still going at the end (last seen {alert.last_seen_at.isoformat(timespec='seconds')})"
        table.add_row(
            str(alert.id)[:8],
            alert.kind.value,
            alert.severity.value,
            alert.started_at.isoformat(timespec="seconds"),
            ended,
            str(alert.revision),
            alert.summary,
        )
    stats = result.stats
    table.caption = (
        f"{result.video_s:.1f} s of video in {result.wall_s:.1f} s ({result.realtime_factor:.1f}× real time); "
        f"frames decoded {stats.decoded}, analysed {stats.analysed}, to the detector {stats.detector_frames} "
        f"({stats.crops} crops, {stats.whole_frames} whole)"
        + "".join(f"; line {c.line}: out {c.outbound}, in {c.inbound}" for c in result.counts)
    )
    return table


async def _deliver_outbox(settings: NodeConfig, outbox: Outbox) -> None:
    delivery = Delivery(outbox, api=settings.api, retry=settings.outbox, store=object_store(settings.s3))
    try:
        sent = await delivery.deliver_pending_once()
    finally:
        await delivery.aclose()
    console.print(f"delivered {sent}; waiting in {outbox.root}: {len(outbox.pending())}")


ConfigOption = Annotated[Path | None, typer.Option(exists=True, help="node config (YAML or JSON)")]
DirOption = Annotated[
    Path | None, typer.Option("--dir", help="outbox folder (default: the config's; `analyze` keeps one by its output)")
]


def _outbox(config: Path | None, folder: Path | None) -> tuple[NodeConfig, Outbox]:
    if config is None and folder is None:
        raise typer.BadParameter("give --config (its outbox.dir) or --dir", param_hint="--config / --dir")
    settings = node_config(config, None)
    path = folder or Path(settings.outbox.dir)
    if not path.is_dir():
        raise typer.BadParameter(f"{path} is not an outbox folder", param_hint="--dir")
    return settings, Outbox(path)


@outbox_app.command("show")
def outbox_show(config: ConfigOption = None, folder: DirOption = None) -> None:
    """What is waiting to be delivered, and what the API refused with its answer (待发与被拒告警)."""
    _, outbox = _outbox(config, folder)
    pending, rejected = outbox.pending(), outbox.rejected_revisions()  # each a folder walk: read once
    waiting = Table(title=f"waiting in {outbox.root}: {len(pending)} revisions")
    for column in ("alert", "revision"):
        waiting.add_column(column)
    for item in pending:
        waiting.add_row(str(item.alert_id), str(item.revision))
    refused = Table(title=f"refused: {len(rejected)} revisions (`vision outbox resend` after a fix)")
    for column in ("alert", "revision", "answer"):
        refused.add_column(column)
    for refusal in rejected:
        refused.add_row(str(refusal.alert_id), str(refusal.revision), refusal.reason)
    console.print(waiting, refused)


@outbox_app.command("resend")
def outbox_resend(
    alerts: Annotated[list[str] | None, typer.Argument(help="alert ids to resend (default: every refused one)")] = None,
    config: ConfigOption = None,
    folder: DirOption = None,
    deliver: Annotated[
        bool, typer.Option(help="deliver the queue once now; --no-deliver while `vision run` serves this outbox")
    ] = True,
) -> None:
    """Queue refused alerts again once the cause is fixed, and deliver the queue once (重新投递)."""
    settings, outbox = _outbox(config, folder)
    try:
        chosen = {uuid.UUID(a) for a in alerts} if alerts else None
    except ValueError as exc:
        raise typer.BadParameter(f"not an alert id: {exc}", param_hint="ALERTS") from exc
    moved = outbox.requeue(chosen)
    console.print(f"queued again: {len(moved)} revisions")
    if not deliver:
        return  # the running node sends them on its next pass: two senders on one outbox would race
    asyncio.run(_deliver_outbox(settings, outbox))
    left = outbox.rejected_revisions()
    if left:
        console.print(f"still refused: {len(left)} (`vision outbox show` gives the answers)")


@app.command("run")
def run_command(
    config: Annotated[Path, typer.Option(exists=True, help="node config (YAML or JSON)")],
    site: Annotated[list[Path] | None, typer.Option(help="site config files; default: leased from the API")] = None,
) -> None:
    """Watch live cameras until interrupted or terminated (实时分析)."""
    _offline()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = node_config(config, None)
    paths = site or [Path(p) for p in settings.sites]
    sites = [read_site(p) for p in paths] if paths else None
    node = Node(settings, sites, detector=YoloDetector(settings.detector))
    if sites is None:
        console.print(f"node {node.name}: up to {settings.fleet.max_streams} cameras by lease from {settings.api.url}")
    else:
        console.print(f"{len(sites)} sites, {sum(len(s.cameras) for s in sites)} cameras")
    console.print(f"outbox {settings.outbox.dir}")
    signal.signal(signal.SIGTERM, lambda *_: node.stop.set())  # a pod's end: incidents ended, leases handed back
    try:
        node.run()
    except KeyboardInterrupt:
        node.stop.set()


@app.command("export")
def export_command(
    weights: Annotated[Path, typer.Argument(exists=True, help="a .pt file")],
    backend: Annotated[str, typer.Option(help=f"one of {', '.join(EXPORT_FORMATS)}")] = "openvino",
    imgsz: Annotated[int, typer.Option(help="input size")] = 640,
) -> None:
    """Export weights for ONNX Runtime, OpenVINO (CPU) or TensorRT (GPU), with the model card (模型导出)."""
    _offline()
    console.print(f"exported to {export(weights, backend, imgsz=imgsz)}")


@app.command("synth")
def synth_command(
    scenario: Annotated[str, typer.Argument(help="scenario name, or 'list'")],
    out: Annotated[Path, typer.Option(help="output folder")] = Path("var/vision/clips"),
    duration: Annotated[float | None, typer.Option(help="seconds")] = None,
    width: Annotated[int, typer.Option()] = 1920,
    height: Annotated[int, typer.Option()] = 1080,
) -> None:
    """Write a scripted clip with its ground truth (合成测试视频)."""
    from vision.synth.scenarios import SCENARIOS, write_scenario

    if scenario == "list":
        table = Table("scenario", "场景 / what it shows")
        for name, make in SCENARIOS.items():
            table.add_row(name, make().description)
        console.print(table)
        return
    options: dict[str, float] = {"width": width, "height": height}
    if duration is not None:
        options["duration_s"] = duration
    clip, truth = write_scenario(scenario, out, **options)
    console.print(f"{clip}: {truth.frame_count} frames, key frame every {truth.keyframe_interval}")


@app.command("train")
def train_command(
    out: Annotated[Path, typer.Option(help="working folder for the data set and runs")] = Path("var/vision/train"),
    images: Annotated[int, typer.Option(help="synthetic scenes")] = 2000,
    photos: Annotated[int, typer.Option(help="frames made from real photographs (hard negatives, backdrops)")] = 600,
    epochs: Annotated[int, typer.Option()] = 10,
    imgsz: Annotated[int, typer.Option()] = 352,
    batch: Annotated[int, typer.Option()] = 16,
    seed: Annotated[int, typer.Option()] = 0,
    base: Annotated[Path | None, typer.Option(exists=True, help="start from these weights, not random ones")] = None,
    data: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="a deployment's own YOLO data set (data.yaml)")
    ] = None,
) -> None:
    """Train the default detector on synthetic scenes and real photographs, or, with --data, fine-tune it on a
    deployment's own labelled footage (训练默认模型 / 用本地标注数据微调)."""
    _offline()
    from vision.train import MODELS_DIR, WEIGHTS_NAME, fine_tune, train_default_model

    if data is not None:
        try:
            card = fine_tune(
                data, out, base=base or MODELS_DIR / WEIGHTS_NAME, epochs=epochs, imgsz=imgsz, batch=batch, seed=seed
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--data") from exc
        console.print(f"{out / card.weights}: mAP50 {card.metrics.map50:.3f} on its val split; card beside it")
        return
    card = train_default_model(
        out, base=base, images=images, photos=photos, epochs=epochs, imgsz=imgsz, batch=batch, seed=seed
    )
    console.print(f"{card.weights}: mAP50 {card.metrics.map50:.3f} on the held-out split")


if __name__ == "__main__":
    app()
