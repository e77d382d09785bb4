"""The camera health board (设备状态) in a real browser: cameras in trouble stand out."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.async_api import expect

from tests.api.sites.factories import site_config
from tests.console.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def liveness(site_id: str, camera_id: str, now: dt.datetime) -> dict:
    return {
        "site_id": site_id,
        "camera_id": camera_id,
        "frames_analysed": 3600,
        "analysis_hz": 1.0,
        "lag_s": 0.5,
        "detector_ms": 78.0,
        "last_frame_at": now.isoformat(),
    }


async def test_blinded_and_unwatched_cameras_stand_out(client, make_monitoring, signed_in, viewport) -> None:
    monitoring = await make_monitoring()
    config = site_config(cameras=("north-gate", "pit-east", "haul-road")) | {"name": "青山塘口二号"}
    site = await client.post("/sites", json=config, headers=monitoring.operator.headers)
    assert site.status_code == 201, site.text
    now = dt.datetime.now(dt.UTC)
    cameras = [liveness(config["id"], camera, now) for camera in ("north-gate", "pit-east")]
    body = {"node": "node-1", "sent_at": now.isoformat(), "cameras": cameras}
    assert (await client.post("/cameras/liveness", json=body, headers=monitoring.node.headers)).status_code == 200
    covered = monitoring.alert(site_id=config["id"], camera_id="pit-east", kind="camera_covered", severity="critical")
    assert (await client.put(f"/alerts/{covered['id']}", json=covered, headers=monitoring.node.headers)).is_success

    page = await signed_in(monitoring.operator, viewport, "/console/cameras")
    board = page.locator("#health .camera")
    await expect(board.first).to_have_attribute("data-status", "blinded")  # worst first
    await expect(board.first).to_contain_text("摄像头遮挡")
    pit = page.locator(f'[data-camera="{config["id"]}/pit-east"]')
    gate = page.locator(f'[data-camera="{config["id"]}/north-gate"]')
    road = page.locator(f'[data-camera="{config["id"]}/haul-road"]')
    await expect(pit).to_have_class("camera bad")
    await expect(road).to_have_attribute("data-status", "unwatched")
    await expect(road).to_have_class("camera stale")
    await expect(gate).to_have_attribute("data-status", "ok")
    await expect(gate).to_contain_text("78 毫秒")
    await screenshot(page, "camera-health", viewport)
