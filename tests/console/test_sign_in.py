"""Sign-in, sign-out, CSRF and the security headers, in a real browser against the live API."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import expect

from mobile_contract.auth import Role
from tests.console.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.integration]


async def test_the_root_is_the_sign_in_page_in_chinese(contexts, live_server, viewport) -> None:
    page = await (await contexts(viewport)).new_page()
    response = await page.goto("/")
    assert response.status == 200
    await expect(page.locator("h1")).to_have_text("登录")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    font = await page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Noto Sans SC" in font
    await screenshot(page, "sign-in", viewport)


async def test_signing_in_sets_an_httponly_cookie_and_signing_out_revokes_it(
    contexts, live_server, make_user, department
) -> None:
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    context = await contexts("desktop")
    page = await context.new_page()
    await sign_in(page, operator)
    assert page.url.endswith("/console/alerts")
    [cookie] = [c for c in await context.cookies() if c["name"] == "enforce_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]  # plain HTTP here
    assert await page.evaluate("document.cookie") == ""  # scripts cannot read the sign-in

    async with page.expect_navigation():
        await page.click("text=退出")
    await expect(page.locator("h1")).to_have_text("登录")
    async with httpx.AsyncClient(base_url=live_server, cookies={"enforce_session": cookie["value"]}) as stolen:
        answer = await stolen.get("/alerts", headers={"Accept": "application/json"})
    assert answer.status_code == 401 and answer.json()["code"] == "session-ended"


async def test_a_wrong_password_is_refused_on_the_page(contexts, make_user, department) -> None:
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    page = await (await contexts("phone")).new_page()
    await page.goto("/")
    await page.fill("input[name=username]", operator.principal.username)
    await page.fill("input[name=password]", "not the password")
    async with page.expect_navigation():
        await page.click("form.sign-in-form button[type=submit]")
    await expect(page.locator(".error")).to_have_text("用户名或密码错误")


async def test_a_state_change_without_the_csrf_token_is_refused(contexts, make_user, department) -> None:
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    context = await contexts("desktop")
    page = await context.new_page()
    await sign_in(page, operator)
    body = {"id": "x"}  # refused before the body is read: nothing reaches the site service
    without = await context.request.post("/sites", data=body, headers={"Accept": "application/json"})
    assert without.status == 403 and (await without.json())["code"] == "csrf-failed"
    token = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    wrong = await context.request.post("/sites", data=body, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status == 403
    with_token = await context.request.post("/sites", data=body, headers={"X-CSRF-Token": token})
    assert with_token.status == 422  # past the CSRF check, refused by the site rules instead


async def test_the_sign_in_form_needs_its_own_token(live_server) -> None:
    async with httpx.AsyncClient(base_url=live_server) as forged:
        answer = await forged.post("/sign-in", data={"username": "x", "password": "y", "_csrf": "guess"})
    assert answer.status_code == 403 and "刷新页面" in answer.text


async def test_the_openapi_page_renders_with_nothing_from_outside(contexts, live_server) -> None:
    page = await (await contexts("desktop")).new_page()
    outside: list[str] = []

    async def only_this_server(route) -> None:
        if route.request.url.startswith(live_server):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    await page.route("**/*", only_this_server)
    await page.goto("/schema")
    await expect(page.locator(".opblock-tag", has_text="alerts").first).to_be_visible()
    assert outside == []
    await screenshot(page, "schema", "desktop")
