"""The supervisor's oversight pages in a real browser: performance and inaction, alert statistics, draws, complaints."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from playwright.async_api import expect

from api.cases import clock
from mobile_contract.auth import Role
from tests.api.complaints.test_routes import WHISTLEBLOWER, submit
from tests.api.risk.test_performance import add_item, inspect
from tests.console.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.integration]
NOVEMBER = "?period_from=2026-11-01&period_to=2026-11-30"


async def test_the_performance_report_draws_its_chart_and_lists_the_inaction(
    client, make_department, make_user, signed_in, viewport
) -> None:
    department = await make_department()
    head = await make_user(Role.SUPERVISOR, department)
    prefix = str(random.randrange(10**7, 10**8))
    codes = [f"{prefix}00000{i}" for i in (1, 2, 3)]
    for code, name in zip(codes, ("采矿许可后续监管", "矿山地质环境治理", "临时用地复垦"), strict=True):
        await add_item(client, head, code, name)
    inspectors = [await make_user(Role.INSPECTOR, department) for _ in range(2)]
    await inspect(client, inspectors, codes[0], dt.datetime.now(clock.CHINA) - dt.timedelta(days=1))

    page = await signed_in(head, viewport, "/console/performance")
    chart = page.locator("#performance-chart")
    await expect(chart.locator("text.name")).to_have_text([f"测试局 {department.code}"])
    await expect(chart.locator("rect")).to_have_count(3)
    await expect(chart.locator("rect").first.locator("title")).to_have_text(
        f"测试局 {department.code} · 无监管行为的事项（不作为）：2"
    )
    section = page.locator(f'section[data-department="{department.code}"]')
    await expect(section.locator(".inaction-count")).to_have_text("2")
    await expect(section.locator("strong.overdue-cases")).to_have_text("0")
    await expect(section.locator("table.inaction")).to_contain_text("矿山地质环境治理")
    await expect(section.locator("table.inaction")).not_to_contain_text("采矿许可后续监管")
    await screenshot(page, "performance", viewport)


async def test_alert_statistics_show_counts_outcomes_and_the_false_alarm_rate(
    client, make_monitoring, make_user, signed_in, viewport
) -> None:
    monitoring = await make_monitoring()
    head = await make_user(Role.SUPERVISOR, monitoring.department)
    delivered = []
    for _ in range(3):
        body = monitoring.alert()
        assert (await client.put(f"/alerts/{body['id']}", json=body, headers=monitoring.node.headers)).is_success
        delivered.append(body["id"])
    for alert_id, outcome in zip(delivered, ("false_alarm", "violation_confirmed"), strict=False):
        await client.post(f"/alerts/{alert_id}/acknowledge", json={}, headers=monitoring.operator.headers)
        close = {"outcome": outcome, "feedback": "已核查"}
        await client.post(f"/alerts/{alert_id}/close", json=close, headers=monitoring.operator.headers)

    page = await signed_in(head, viewport, f"/console/alert-statistics{NOVEMBER}")
    camera = page.locator(f'#alert-statistics tr[data-camera="{monitoring.site_id}/{monitoring.camera_id}"]')
    await expect(camera).to_contain_text("摄像头 cam-1")
    await expect(camera.locator(".false-alarm-rate")).to_have_text("50.0%")
    await expect(page.locator("#total-false-alarm-rate")).to_have_text("50.0%")
    bars = page.locator("#alert-chart rect")
    await expect(bars).to_have_count(5)  # four outcomes and the open ones, stacked
    await expect(page.locator("#alert-chart text.value")).to_have_text(["3"])
    await screenshot(page, "alert-statistics", viewport)


async def test_draws_and_complaints_lists(client, make_department, make_user, signed_in) -> None:
    department = await make_department()
    head = await make_user(Role.SUPERVISOR, department)
    office = await make_user(Role.COMPLAINT_OFFICER, await make_department())
    _, complaint_id = await submit(client, office)
    accept, transfer = {"accept": True, "reason": "属于本机关职责范围"}, {"department_id": str(department.id)}
    for step, body in (("decision", accept), ("transfer", transfer)):
        answer = await client.post(f"/complaints/{complaint_id}/{step}", json=body, headers=office.headers)
        assert answer.status_code == 200, answer.text

    page = await signed_in(head, "desktop", "/console/draws")
    await expect(page.locator("#plans")).to_contain_text("本单位尚未制定抽查计划")
    await screenshot(page, "draws", "desktop")
    async with page.expect_navigation():
        await page.get_by_role("link", name="投诉举报").click()
    row = page.locator(f'#complaints tr[data-complaint-id="{complaint_id}"]')
    await expect(row).to_contain_text("夜间有挖掘机在后山越界开采")
    await expect(row).to_contain_text("已转办")
    for secret in WHISTLEBLOWER.values():  # who reported it is never on this page
        assert secret not in await page.content()
    await screenshot(page, "complaints", "desktop")
