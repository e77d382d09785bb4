"""The site and zone editor in a real browser: what is drawn is what the vision pipeline then enforces."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page, expect

from mobile_contract.sites import ForbiddenZone
from tests.console.conftest import deliver, screenshot, wait_until_shown
from vision.client import active_sites
from vision.config import RuleTuning, TamperConfig
from vision.rules import CameraRules
from vision.rules.geometry import inside

pytestmark = [pytest.mark.browser, pytest.mark.integration]
CLICKS = [(0.62, 0.3), (0.9, 0.34), (0.86, 0.8), (0.58, 0.72)]  # a forbidden zone, as fractions of the picture


async def click_at(page: Page, x: float, y: float) -> None:
    """A click on the picture at a fraction of its size (scrolled into view first, as a person would)."""
    drawing = page.locator("#drawing")
    box = await drawing.bounding_box()
    assert box is not None
    await drawing.click(position={"x": x * box["width"], "y": y * box["height"]})


async def draw(page: Page, kind: str, name: str, clicks: list[tuple[float, float]]) -> None:
    await page.select_option("#zone-kind", kind)
    await page.fill("#zone-name", name)
    await page.click("#start")
    for x, y in clicks:
        await click_at(page, x, y)
    if kind != "count_line":
        await page.click("#finish")


async def test_a_drawn_zone_is_saved_and_is_the_zone_the_vision_node_loads(
    live_server, client, make_monitoring, put_evidence, signed_in, viewport
) -> None:
    monitoring = await make_monitoring()
    await deliver(client, monitoring, put_evidence)  # the camera's latest snapshot, to draw on
    page = await signed_in(monitoring.operator, viewport, f"/console/sites/{monitoring.site_id}")
    await wait_until_shown(page.locator("#canvas img"))
    await draw(page, "forbidden", "北侧禁采区", CLICKS)
    await draw(page, "count_line", "出场道口", [(0.2, 0.85), (0.45, 0.85)])
    await expect(page.locator("#zones li")).to_have_count(3)  # the registered site's zone and the two new ones
    box = await page.locator("#drawing").bounding_box()
    assert box is not None
    await screenshot(page, "zone-editor", viewport)
    await page.click("#save")
    await expect(page.locator("#save-notice")).to_contain_text("已保存为第 2 版")

    async with httpx.AsyncClient(base_url=live_server, headers=monitoring.node.headers) as http:
        sites = await active_sites(http)  # exactly how `vision run` loads its sites
    [site] = [s for s in sites if s.id == monitoring.site_id]
    [camera] = site.cameras
    zone = next(z for z in camera.zones if z.name == "北侧禁采区")
    assert isinstance(zone, ForbiddenZone)
    pixel = 1.5 / min(box["width"], box["height"])  # a click lands on a whole screen pixel
    for (x, y), (zx, zy) in zip(CLICKS, zone.polygon, strict=True):
        assert abs(zx - x) < pixel and abs(zy - y) < pixel
    line = next(z for z in camera.zones if z.name == "出场道口")
    assert line.a[0] < line.b[0]  # drawn left to right: outbound is downwards on screen

    rules = CameraRules(site, camera, tuning=RuleTuning(), tamper=TamperConfig())
    [enforced] = [r.zone for r in rules.forbidden if r.zone.name == "北侧禁采区"]
    assert enforced == zone
    assert inside((0.75, 0.55), enforced.polygon) and not inside((0.3, 0.55), enforced.polygon)


async def test_a_refused_zone_is_marked_on_the_drawing(make_monitoring, signed_in) -> None:
    monitoring = await make_monitoring()
    page = await signed_in(monitoring.operator, "desktop", f"/console/sites/{monitoring.site_id}")
    await draw(page, "permitted", "许可范围", [(0.1, 0.5), (0.4, 0.5), (0.4, 0.9)])  # no permit number, no dates
    await page.click("#save")
    await expect(page.locator("#save-error")).to_contain_text("格式不正确")
    await expect(page.locator("#zones li.invalid")).to_contain_text("许可范围")
    await expect(page.locator("#drawing polygon.invalid")).to_have_count(1)


async def test_history_lists_versions_and_the_site_can_be_deactivated(client, make_monitoring, signed_in) -> None:
    monitoring = await make_monitoring()
    page = await signed_in(monitoring.operator, "phone", f"/console/sites/{monitoring.site_id}")
    await expect(page.locator("text=第 1 版（当前）")).to_be_visible()
    async with page.expect_navigation():
        await page.click("text=停用点位（视频节点不再分析）")
    await expect(page.locator("h1 .badge")).to_have_text("停用")
    site = await client.get(f"/sites/{monitoring.site_id}", headers=monitoring.operator.headers)
    assert site.json()["active"] is False
    await page.goto("/console/sites")
    await screenshot(page, "sites", "phone")
