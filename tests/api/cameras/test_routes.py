"""Liveness reports from vision nodes and the health each camera is judged to be in."""

from __future__ import annotations

import asyncio
import datetime as dt
import types

import httpx
import pytest
from litestar.testing import AsyncTestClient

from mobile_contract.auth import Role
from tests.api.alerts.conftest import Monitoring
from tests.api.sites.factories import site_config
from vision.liveness import LivenessReporter
from vision.stats import PipelineStats

pytestmark = pytest.mark.integration


def report(monitoring: Monitoring, *, camera_id: str | None = None, **fields) -> dict:
    now = dt.datetime.now(dt.UTC)
    camera = {
        "site_id": monitoring.site_id,
        "camera_id": camera_id or monitoring.camera_id,
        "frames_analysed": 1200,
        "analysis_hz": 1.0,
        "lag_s": 0.4,
        "detector_ms": 75.0,
        "last_frame_at": now.isoformat(),
    } | fields
    return {"node": "node-1", "sent_at": now.isoformat(), "cameras": [camera]}


async def health_of(client: AsyncTestClient, monitoring: Monitoring) -> dict:
    answer = await client.get("/cameras/health", headers=monitoring.operator.headers)
    assert answer.status_code == 200, answer.text
    [camera] = answer.json()
    return camera


async def quick_offline(client: AsyncTestClient, monitoring: Monitoring, seconds: float) -> None:
    """The camera's offline threshold set to ``seconds`` (next site version)."""
    site = (await client.get(f"/sites/{monitoring.site_id}", headers=monitoring.operator.headers)).json()
    config = site["config"] | {"version": site["version"] + 1}
    config["cameras"][0]["offline_after_s"] = seconds
    answer = await client.put(f"/sites/{monitoring.site_id}", json=config, headers=monitoring.operator.headers)
    assert answer.status_code == 200, answer.text


async def test_a_reported_camera_is_ok_and_becomes_unwatched_when_reports_stop(client, monitoring) -> None:
    assert (await health_of(client, monitoring))["status"] == "unwatched"  # nobody has ever reported it
    await quick_offline(client, monitoring, 1.5)
    answer = await client.post("/cameras/liveness", json=report(monitoring), headers=monitoring.node.headers)
    assert answer.status_code == 200 and answer.json() == {"stored": 1}
    camera = await health_of(client, monitoring)
    assert camera["status"] == "ok"
    assert (camera["node"], camera["frames_analysed"], camera["detector_ms"]) == ("node-1", 1200, 75.0)
    await asyncio.sleep(2.0)
    assert (await health_of(client, monitoring))["status"] == "unwatched"


async def test_a_node_that_reports_but_gets_no_frames_shows_the_camera_offline(client, monitoring) -> None:
    stale = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    body = report(monitoring, last_frame_at=stale, analysis_hz=0.0)
    assert (await client.post("/cameras/liveness", json=body, headers=monitoring.node.headers)).status_code == 200
    assert (await health_of(client, monitoring))["status"] == "offline"


async def test_open_tamper_alerts_mark_the_camera_blinded_or_offline(client, monitoring) -> None:
    await client.post("/cameras/liveness", json=report(monitoring), headers=monitoring.node.headers)
    offline = monitoring.alert(kind="camera_offline", severity="critical")
    assert (await client.put(f"/alerts/{offline['id']}", json=offline, headers=monitoring.node.headers)).is_success
    camera = await health_of(client, monitoring)
    assert (camera["status"], camera["open_tamper_kinds"], camera["open_alerts"]) == ("offline", ["camera_offline"], 1)
    covered = monitoring.alert(kind="camera_covered", severity="critical")
    assert (await client.put(f"/alerts/{covered['id']}", json=covered, headers=monitoring.node.headers)).is_success
    assert (await health_of(client, monitoring))["status"] == "blinded"


async def test_a_camera_not_registered_in_the_nodes_department_is_refused(client, make_monitoring) -> None:
    ours, theirs = await make_monitoring(), await make_monitoring()
    body = report(ours) | {"cameras": [*report(ours)["cameras"], *report(theirs)["cameras"]]}
    answer = await client.post("/cameras/liveness", json=body, headers=ours.node.headers)
    assert answer.status_code == 404
    assert answer.json()["errors"] == [{"field": "cameras[1].camera_id", "message": "not registered"}]
    assert (await health_of(client, theirs))["status"] == "unwatched"  # nothing of the report was kept


async def test_only_vision_nodes_report_and_each_department_sees_its_own_cameras(
    client, make_monitoring, make_user
) -> None:
    ours, theirs = await make_monitoring(), await make_monitoring()
    answer = await client.post("/cameras/liveness", json=report(ours), headers=ours.operator.headers)
    assert answer.status_code == 403
    second = await client.post("/sites", json=site_config(), headers=theirs.operator.headers)
    assert second.status_code == 201
    board = (await client.get("/cameras/health", headers=ours.operator.headers)).json()
    assert {c["site_id"] for c in board} == {ours.site_id}
    inspector = await make_user(Role.INSPECTOR, ours.department)
    assert (await client.get("/cameras/health", headers=inspector.headers)).status_code == 200


async def test_the_vision_nodes_reporter_keeps_a_camera_watched(live_server, client, monitoring) -> None:
    stats = PipelineStats(analysed=10, detector_frames=4, seconds={"detect": 0.3})
    pipeline = types.SimpleNamespace(
        stats=stats,
        camera=types.SimpleNamespace(id=monitoring.camera_id),
        publisher=types.SimpleNamespace(site=types.SimpleNamespace(id=monitoring.site_id)),
    )
    reporter, stop = LivenessReporter(node="node-7", every_s=0.1), asyncio.Event()
    async with httpx.AsyncClient(base_url=live_server, headers=monitoring.node.headers) as http:
        running = asyncio.create_task(reporter.run(http, lambda: [pipeline], stop))
        await reported(client, monitoring, lambda c: c["frames_analysed"] == 10)
        stats.analysed, stats.detector_frames, stats.seconds["detect"] = 15, 6, 0.46
        stats.last_frame_at = dt.datetime.now(dt.UTC)
        camera = await reported(client, monitoring, lambda c: c["frames_analysed"] == 15)
        stop.set()
        await running
    assert (camera["status"], camera["node"]) == ("ok", "node-7")
    assert camera["detector_ms"] == pytest.approx(80.0)  # 0.16 s over 2 detector frames
    assert camera["analysis_hz"] > 0


async def reported(client: AsyncTestClient, monitoring: Monitoring, wanted) -> dict:
    """The camera's health once a report satisfying ``wanted`` has arrived (reports come every 0.1 s)."""
    for _ in range(100):
        camera = await health_of(client, monitoring)
        if camera["frames_analysed"] is not None and wanted(camera):
            return camera
        await asyncio.sleep(0.1)
    raise AssertionError("no such report arrived")
