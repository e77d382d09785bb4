"""``vision analyze`` says what is wrong in one line, naming the fix, and its summary does not overstate."""

from __future__ import annotations

import datetime as dt
import fractions
import uuid
from pathlib import Path

import av
import numpy as np
from typer.testing import CliRunner

from mobile_contract.alerts import AlertKind, AlertUpsert, Severity
from mobile_contract.sites import ForbiddenZone, LandformZone, PermittedArea
from tests.vision.helpers import camera, site
from vision.analyze import AnalyzeResult, unreachable
from vision.cli import app, read_site, summary_table
from vision.config import NodeConfig, PyTorchDetector
from vision.stats import PipelineStats

SITE = (
    "id: quarry-01\nname: 测试采石场\nkind: quarry\nregion_code: '360102'\n"
    "cameras:\n  - id: cam-01\n    name: 北坡\n    url: x\n"
)


def clip_without_creation_time(path: Path) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for index in range(5):
            picture = av.VideoFrame.from_ndarray(np.full((64, 64, 3), index * 40, np.uint8), format="bgr24")
            picture.pts, picture.time_base = index, fractions.Fraction(1, 5)
            container.mux(stream.encode(picture))
        container.mux(stream.encode(None))
    return path


def analyze(tmp_path: Path, site_text: str, *extra: str) -> tuple[int, str]:
    clip = clip_without_creation_time(tmp_path / "clip.mp4")
    (tmp_path / "site.yaml").write_text(site_text)
    args = ["analyze", str(clip), "--site", str(tmp_path / "site.yaml"), "--out", str(tmp_path / "a.jsonl"), *extra]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
    return result.exit_code, result.output


def test_a_clip_without_creation_time_asks_for_start(tmp_path: Path) -> None:
    code, output = analyze(tmp_path, SITE)
    assert code == 2
    assert "has no creation_time" in output and "--start 2025-06-02T10:00:00+08:00" in output
    assert "Traceback" not in output


def test_a_start_without_offset_is_refused_with_the_fix(tmp_path: Path) -> None:
    code, output = analyze(tmp_path, SITE, "--start", "2025-06-02T10:00:00")
    assert code == 2 and "add one, e.g. 2025-06-02T10:00:00+08:00" in output


def permit(valid_from: str) -> str:
    return (
        "    zones: [{kind: permitted, name: 许可区, polygon: [[0, 0], [1, 0], [1, 1]], permit_no: X1,"
        f" valid_from: {valid_from}, valid_to: 2026-01-01}}]\n"
    )


def test_a_quoted_yaml_date_is_a_date(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text(SITE + permit("'2025-01-01'"))
    (zone,) = read_site(tmp_path / "site.yaml").cameras[0].zones
    assert isinstance(zone, PermittedArea) and zone.valid_from == dt.date(2025, 1, 1)


def test_a_bad_site_value_is_one_line_naming_the_field(tmp_path: Path) -> None:
    code, output = analyze(tmp_path, SITE + permit("soon"), "--start", "2025-06-02T10:00:00+08:00")
    assert code == 2
    assert "$.cameras[0].zones[0].valid_from" in output and "Traceback" not in output


def test_a_persistence_longer_than_the_recording_is_named() -> None:
    zones = [
        LandformZone(name="坡脚", polygon=[(0, 0), (1, 0), (1, 1)]),  # persist_s 300 by default
        ForbiddenZone(name="禁采区", polygon=[(0, 0), (1, 0), (1, 1)], dwell_s=20),
    ]
    config = NodeConfig(detector=PyTorchDetector(weights="x.pt"))
    warnings = unreachable(site(camera(*zones)), config, camera_id=None, duration_s=40.0)
    assert warnings == [
        "LandformZone 坡脚: persist_s 300 s is longer than the recording (40 s): it can never fire here"
    ]


def test_an_alert_still_going_at_the_end_of_the_recording_is_not_called_ended() -> None:
    t0 = dt.datetime(2025, 6, 2, 10, tzinfo=dt.UTC)
    alert = AlertUpsert(
        id=uuid.uuid4(),
        revision=3,
        site_id="s",
        camera_id="c",
        kind=AlertKind.CAMERA_COVERED,
        severity=Severity.CRITICAL,
        started_at=t0,
        last_seen_at=t0 + dt.timedelta(seconds=30),
        ended_at=t0 + dt.timedelta(seconds=30),
        summary="摄像头画面被遮挡",
    )
    result = AnalyzeResult([alert], {str(alert.id)}, 3, [], PipelineStats(), 30.0, 1.0)
    from rich.console import Console

    console = Console(width=250, record=True)
    console.print(summary_table(result))
    assert "still going at the end (last seen 2025-06-02T10:00:30+00:00)" in console.export_text()
