"""The public verification page as a person uses it: headless Chromium, a live server on loopback."""

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import async_playwright

from api.app import create_app
from tests.api.cases.support import open_case, penalty, take, to_notified, waive

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]


@pytest.fixture(scope="module")
def live_server(settings) -> Iterator[str]:
    """The same app as the tests', served by uvicorn in a thread on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the live server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


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
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
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
