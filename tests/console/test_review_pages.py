"""The legal reviewer's workspace in a real browser: the queue, the dossier with its evidence, pass or return."""

from __future__ import annotations

import asyncio
import hashlib
import uuid

import pytest
from playwright.async_api import expect

from storage import audit
from tests.api.cases.support import pinned_today  # noqa: F401 - autouse: notices state working-day periods
from tests.console.conftest import screenshot, wait_until_shown
from tests.console.desk import case_under_review

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def photo_sha256(item) -> str:
    return hashlib.sha256(item.data).hexdigest()


async def until(element, expression: str) -> None:
    """Until ``expression`` holds for the element (the pages' CSP forbids ``wait_for_function``)."""
    for _ in range(100):
        if await element.evaluate(expression):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never true: {expression}")


async def downloads(pool, evidence_id: str, user_id: uuid.UUID) -> list[dict]:
    """The details of the user's audited downloads of the item (a view, a download, a playback)."""
    async with pool.acquire() as conn:
        found = await audit.list_for_entity(conn, entity_type="evidence", entity_id=evidence_id)
    return [e.detail for e in found if e.actor_id == user_id and e.action == "evidence.download"]


async def test_a_reviewer_opens_a_dossier_sees_the_photo_and_passes_it(
    client, pool, make_desk, signed_in, viewport
) -> None:
    desk = await make_desk()
    case_id, (photo, _) = await case_under_review(client, desk)
    page = await signed_in(desk.reviewer, viewport, "/console/reviews")
    row = page.locator(f'#review-queue tr[data-case-id="{case_id}"]')
    await expect(row).to_contain_text("案件情况疑难复杂")
    await screenshot(page, "review-queue", viewport)
    async with page.expect_navigation():
        await row.get_by_role("link", name="打开案卷").click()

    shown = page.locator(f'figure[data-evidence-id="{photo.id}"]')
    await wait_until_shown(shown.locator("img"))
    await expect(shown.locator(".verification")).to_have_text("核验一致")
    await expect(shown.locator(".actual-sha")).to_have_text(photo_sha256(photo))
    await expect(shown.locator(".declared-sha")).to_have_text(photo_sha256(photo))
    await expect(page.locator("#check-summary")).to_contain_text("全部 2 项与采集时一致")
    await expect(page.locator("#draft-decision")).to_contain_text("50,000.00 元")
    await expect(page.locator("#history li").last).to_contain_text("提交法制审核")
    await expect(page.locator("#history li").last).to_contain_text("执法人员")
    assert len(await downloads(pool, photo.id, desk.reviewer.principal.user_id)) == 1  # the view is audited
    await screenshot(page, "review-dossier", viewport)

    await page.check("#conclusion-form input[value=pass]")
    await page.fill("#conclusion-form textarea", "事实清楚，证据确凿，程序合法，同意处罚")
    async with page.expect_navigation():
        await page.click("#conclusion-form button")
    assert page.url.endswith(f"/console/cases/{case_id}")
    await expect(page.locator("#case-stage")).to_have_text("审核通过")
    await expect(page.locator("#history li").last).to_contain_text("法制审核通过")
    await expect(page.locator("#history li").last).to_contain_text("同意处罚")
    workflow = await client.get(f"/cases/{case_id}/workflow", headers=desk.head.headers)
    assert workflow.json()["state"]["stage"] == "reviewed"


async def test_the_clip_plays_and_seeks_through_the_audited_download(client, pool, make_desk, signed_in) -> None:
    desk = await make_desk()
    case_id, (_, clip) = await case_under_review(client, desk)
    page = await signed_in(desk.reviewer, "desktop", f"/console/reviews/{case_id}")
    video = page.locator(f'figure[data-evidence-id="{clip.id}"] video')
    await video.scroll_into_view_if_needed()
    assert await downloads(pool, clip.id, desk.reviewer.principal.user_id) == []  # preload="none": not yet played
    await video.evaluate("v => { v.muted = true; return v.play(); }")
    await until(video, "v => v.readyState >= 1 && v.seekable.length > 0")
    await video.evaluate("v => { v.pause(); v.currentTime = 3; }")
    await until(video, "v => !v.seeking && v.currentTime > 2.9")
    [playback] = await downloads(pool, clip.id, desk.reviewer.principal.user_id)  # one entry for the playback
    ranges = await pool.fetchval(
        "SELECT count(*) FROM evidence_playback_ranges WHERE playback_id = $1", uuid.UUID(playback["playback_id"])
    )
    assert ranges >= 1


async def test_returning_needs_reasons_and_a_refusal_is_explained(client, make_desk, signed_in) -> None:
    desk = await make_desk()
    case_id, _ = await case_under_review(client, desk)
    page = await signed_in(desk.reviewer, "desktop", f"/console/reviews/{case_id}")
    await page.check("#conclusion-form input[value=return]")
    await page.locator("#conclusion-form textarea").evaluate("t => t.removeAttribute('required')")
    async with page.expect_navigation():
        await page.click("#conclusion-form button")
    await expect(page.locator("#conclusion-error")).to_contain_text("写明理由")
    await page.fill("#conclusion-form textarea", "缺少现场测量报告")
    async with page.expect_navigation():
        await page.click("#conclusion-form button")
    await expect(page.locator("#case-stage")).to_have_text("调查取证")
