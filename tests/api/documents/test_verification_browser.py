"""The public verification page as a person uses it: headless Chromium, a live server on loopback."""

import shutil

import pytest
from playwright.async_api import async_playwright

from tests.api.cases.support import open_case, penalty, take, to_notified, waive

CHROMIUM = "/usr/bin/chromium"  # Debian's; `bash scripts/test` installs it
pytestmark = pytest.mark.browser


async def test_a_person_checks_a_pdf_at_the_verification_page(
    client, inspector, partner, head, live_server, tmp_path
) -> None:
    case_id = await open_case(client, inspector, partner)
    await to_notified(client, head, inspector, case_id)
    await waive(client, inspector, case_id)
    await take(client, head, case_id, {"action": "decide", "penalty": penalty()})
    [decision] = [d for d in (await client.get(f"/cases/{case_id}/documents", headers=head.headers)).json()
                  if d["kind"] == "decision"]  # fmt: skip
    pdf = (await client.get(f"/documents/{decision['id']}/pdf", headers=head.headers)).content
    (tmp_path / "original.pdf").write_bytes(pdf)
    altered = bytearray(pdf)
    altered[len(altered) // 3] ^= 0x01
    (tmp_path / "altered.pdf").write_bytes(bytes(altered))
    if shutil.which(CHROMIUM) is None:
        pytest.fail("Debian's chromium is not installed: `bash scripts/test` installs it (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = await browser.new_page()
        shown = await page.goto(f"{live_server}/verify/{decision['verification_code']}")
        assert shown is not None and shown.status == 200
        body = await page.inner_text("main")
        assert decision["number"] in body and decision["pdf_sha256"] in body and "签发机关" in body
        for name, status, verdict in (("altered.pdf", 409, "不一致"), ("original.pdf", 200, "一致：")):
            await page.set_input_files("#file", str(tmp_path / name))
            async with page.expect_navigation() as navigation:
                await page.click("button[type=submit]")
            assert (await navigation.value).status == status
            assert verdict in await page.inner_text("[role=status]")
        await browser.close()
