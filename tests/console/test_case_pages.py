"""Desk users' case list and case page in a real browser: search, where the case stands, what may happen next."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.async_api import Page, expect

from api.cases import clock
from tests.api.cases.support import (
    open_case,
    penalty,
    pinned_today,  # noqa: F401 - autouse: notices state working-day periods
    take,
)
from tests.console.conftest import screenshot
from tests.console.desk import case_under_review
from tests.factories import VALID_USCC

pytestmark = [pytest.mark.browser, pytest.mark.integration]
MARKUP = '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'">'


def row(page: Page, case_id: str):
    return page.locator(f'#cases tr[data-case-id="{case_id}"]')


async def typed_date(page: Page, field: str, value: str) -> None:
    """A date typed into a date field, then its calendar closed (Esc), as a person does: open, on a phone
    it covers the form's buttons."""
    await page.fill(field, value)
    await page.press(field, "Escape")


async def test_search_the_list_and_open_a_case_where_it_stands(client, make_desk, signed_in, viewport) -> None:
    desk = await make_desk()
    reviewed, _ = await case_under_review(client, desk, title="青山塘口越界开采案")
    other_party = {"kind": "legal_person", "name": "绿水砂石有限公司", "uscc": VALID_USCC}
    registered = await open_case(client, desk.inspector, desk.partner, title="绿水砂石无证开采案", party=other_party)
    page = await signed_in(desk.head, viewport, "/console/cases")
    await expect(row(page, registered)).to_be_visible()
    await expect(row(page, reviewed)).to_contain_text("法制审核")
    await screenshot(page, "case-list", viewport)

    await typed_date(page, "#case-search input[name=start]", "2026-12-07")
    await typed_date(page, "#case-search input[name=end]", "2026-12-01")
    async with page.expect_navigation():
        await page.click("#case-search button[type=submit]")
    await expect(page.locator("#search-error")).to_have_text("登记日期的起始日不能晚于截止日（请检查：登记日期止）")
    await typed_date(page, "#case-search input[name=start]", "")
    await typed_date(page, "#case-search input[name=end]", "")
    await page.fill("#case-search input[name=party]", "绿水")
    async with page.expect_navigation():
        await page.click("#case-search button[type=submit]")
    await expect(page.locator("#cases tr[data-case-id]")).to_have_count(1)
    await expect(row(page, registered)).to_contain_text("待立案")
    await page.select_option("#case-search select[name=stage]", "legal_review")
    await page.fill("#case-search input[name=party]", "")
    async with page.expect_navigation():
        await page.click("#case-search button[type=submit]")
    await expect(page.locator("#cases tr[data-case-id]")).to_have_count(1)
    async with page.expect_navigation():
        await row(page, reviewed).get_by_role("link").click()

    await expect(page.locator("#case-stage")).to_have_text("法制审核")
    await expect(page.locator(".stage-path [aria-current=step]")).to_have_text("法制审核")
    review_steps = page.locator('#next-steps tr[data-step="pass_review"]')
    await expect(review_steps).to_contain_text("法制审核人员")
    await expect(review_steps).to_contain_text("您的角色不能执行")
    await expect(review_steps).to_contain_text("条件已满足")  # the guards allow it; not "可以执行" for this role
    await expect(page.locator("#documents")).to_contain_text("行政处罚告知书")
    await expect(page.locator("#history li")).to_have_count(5)
    await expect(page.locator("#history li").first).to_contain_text("监管负责人")
    await screenshot(page, "case-detail", viewport)


async def test_dates_are_year_first_and_times_24_hour_whatever_the_browsers_language(make_desk, signed_in) -> None:
    """The tests' Chromium runs in English, where a native date field reads mm/dd/yyyy: the console's do not."""
    desk = await make_desk()
    page = await signed_in(desk.head, "desktop", "/console/cases")
    start = page.locator("#case-search input[name=start]")
    await expect(start).to_have_attribute("type", "text")
    await expect(start).to_have_attribute("placeholder", "年-月-日")
    await start.click()
    calendar = page.locator(".flatpickr-calendar.open")
    await expect(calendar).to_be_visible()
    await expect(calendar.locator(".flatpickr-weekday").first).to_contain_text("周")  # in Chinese
    await calendar.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)").nth(14).click()
    assert re.fullmatch(r"\d{4}-\d{2}-15", await start.input_value()), await start.input_value()

    wall = await signed_in(desk.head, "desktop", "/console/alerts")
    moment = wall.locator("input[name=start]")
    await wall.locator("details summary").first.click()
    await moment.click()
    timed = wall.locator(".flatpickr-calendar.open")
    await expect(timed.locator(".flatpickr-time")).to_be_visible()
    await expect(timed.locator(".flatpickr-am-pm")).to_have_count(0)  # a 24-hour clock
    await moment.fill("2026-11-20 21:30")
    await moment.press("Escape")
    async with wall.expect_navigation():
        await wall.click("details button[type=submit]")
    await expect(wall.locator("input[name=start]")).to_have_value("2026-11-20 21:30")  # read as typed, kept
    assert "start=2026-11-20+21%3A30" in wall.url


async def test_a_refused_step_shows_the_guards_reason(client, make_desk, signed_in) -> None:
    desk = await make_desk()
    case_id = await open_case(client, desk.inspector, desk.partner)
    await take(client, desk.head, case_id, {"action": "file"})
    await take(client, desk.inspector, case_id, {"action": "notify", "penalty": penalty(), "hearing_rights": False})
    page = await signed_in(desk.head, "desktop", f"/console/cases/{case_id}")
    submit = page.locator('#next-steps tr[data-step="submit_review"]')
    await expect(submit).to_have_class("blocked")
    await expect(submit.locator(".refusals")).to_contain_text("陈述、申辩期限至")  # the guard's own words


async def test_markup_in_a_party_name_is_shown_as_text(client, make_desk, signed_in) -> None:
    desk = await make_desk()
    party = {"kind": "legal_person", "name": f"{MARKUP}石料厂", "uscc": VALID_USCC}
    case_id = await open_case(client, desk.inspector, desk.partner, party=party, title=f"{MARKUP}案")
    page = await signed_in(desk.head, "desktop", "/console/cases")
    await expect(row(page, case_id).locator(".party")).to_have_text(f"{MARKUP}石料厂")
    async with page.expect_navigation():
        await row(page, case_id).get_by_role("link").click()
    await expect(page.locator("h1")).to_have_text(f"{MARKUP}案")
    await expect(page.locator("dd.party")).to_have_text(f"{MARKUP}石料厂")
    assert await page.locator("main script, main img[src=x]").count() == 0
    assert await page.title() == f"{MARKUP}案 · 非现场监管控制台"  # had a script run, it would read "pwned"


async def test_another_department_never_sees_the_case_or_its_dossier(client, make_desk, signed_in) -> None:
    mine, theirs = await make_desk(), await make_desk()
    case_id, _ = await case_under_review(client, mine)
    for caller, path in [(theirs.head, "/console/cases"), (theirs.reviewer, "/console/reviews")]:
        page = await signed_in(caller, "desktop", path)  # the scope is the service's: any screen size
        await expect(page.locator("h1")).to_be_visible()
        assert case_id not in await page.content()
    for path in (f"/console/cases/{case_id}", f"/console/reviews/{case_id}"):
        answer = await page.goto(path)
        assert answer is not None and answer.status == 404
        await expect(page.locator("main")).to_contain_text("不存在")
    queue = await page.request.get("/reviews")
    assert case_id not in await queue.text()


async def test_a_state_change_without_the_csrf_token_is_refused(client, make_desk, signed_in) -> None:
    desk = await make_desk()
    case_id, _ = await case_under_review(client, desk)
    page = await signed_in(desk.reviewer, "desktop", f"/console/reviews/{case_id}")
    event_id = await page.locator("#conclusion-form input[name=event_id]").input_value()
    form = {"outcome": "pass", "reasons": "事实清楚，证据确凿", "event_id": event_id}
    refused = await page.request.post(f"/console/reviews/{case_id}/conclusion", form=form)
    assert refused.status == 403 and "csrf" in await refused.text()
    api = await page.request.post(
        f"/reviews/{case_id}/conclusion", data={"event_id": event_id, "outcome": "pass", "reasons": "通过"}
    )
    assert api.status == 403
    stage = (await client.get(f"/cases/{case_id}/workflow", headers=desk.head.headers)).json()["state"]["stage"]
    assert stage == "legal_review"


async def test_the_deadline_list_colours_overdue_cases_and_warns_of_a_missing_year(
    client, make_desk, signed_in, monkeypatch, viewport
) -> None:
    desk = await make_desk()
    late, _ = await case_under_review(client, desk, title="逾期未决定案")
    # Long after the 90 days, in a year no test loads a holiday notice for (other tests load 2027 into the
    # shared database, so whether 2027 is missing depends on the order tests run in).
    monkeypatch.setattr(clock, "today", lambda: dt.date(2029, 3, 1))
    page = await signed_in(desk.head, viewport, "/console/deadlines?within=30")
    overdue = page.locator("#deadlines tr.bad", has_text="逾期未决定案")
    await expect(overdue).to_contain_text("立案之日起九十日内作出处罚决定")
    await expect(overdue).to_contain_text("已逾期")
    await expect(page.locator("#calendar-warning")).to_contain_text("2029")
    await screenshot(page, "deadlines", viewport)
    assert late
