"""The console in a real headless Chromium (Debian's ``chromium``) driving the real API on a live server.

Playwright comes from PyPI; its own browser download does not work here, so it drives the system
Chromium, which ``scripts/test`` installs when missing. Each test signs in through the sign-in form,
as a person would, at the desktop (1920×1080) or phone (390×844) size.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

import cv2
import numpy as np
import pytest
from litestar.testing import AsyncTestClient
from playwright.async_api import Browser, BrowserContext, Locator, Page, async_playwright

from tests.api.alerts.conftest import Monitoring, make_monitoring  # noqa: F401 - fixtures shared
from tests.api.conftest import put_evidence, s3  # noqa: F401 - fixtures shared
from tests.conftest import TEST_PASSWORD, Caller
from tests.console.chromium import CHROMIUM, launch
from tests.console.desk import make_desk  # noqa: F401 - fixture shared by the desk pages' tests
from tests.pictures import write_picture

VIEWPORTS = {"desktop": {"width": 1920, "height": 1080}, "phone": {"width": 390, "height": 844}}
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "img" / "console"
TIMEOUT_MS = 10_000
SCREENSHOT_TIMEOUT_MS = 60_000


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail("Debian's chromium is not installed: `bash scripts/test` installs it (apt-get install chromium)")
    async with async_playwright() as playwright:
        chromium = await launch(playwright)
        yield chromium
        await chromium.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def contexts(browser: Browser, live_server: str) -> AsyncIterator[Callable[[str], Awaitable[BrowserContext]]]:
    """New browser profiles (cookie jars) at a viewport size; closed after the test."""
    opened: list[BrowserContext] = []

    async def open_context(size: str) -> BrowserContext:
        context = await browser.new_context(viewport=VIEWPORTS[size], base_url=live_server, locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        await context.close()


async def sign_in(page: Page, caller: Caller, *, next_path: str = "/") -> None:
    """Through the sign-in form, as a person would."""
    await page.goto(next_path)
    await page.fill("input[name=username]", caller.principal.username)
    await page.fill("input[name=password]", TEST_PASSWORD)
    async with page.expect_navigation():
        await page.click("form.sign-in-form button[type=submit]")


@pytest.fixture
def signed_in(contexts) -> Callable[..., Awaitable[Page]]:
    """A page signed in as ``caller`` at the ``size`` viewport, on ``path``."""

    async def open_page(caller: Caller, size: str, path: str = "/") -> Page:
        page = await (await contexts(size)).new_page()
        await sign_in(page, caller, next_path=f"/?next={quote(path)}" if path != "/" else "/")
        return page

    return open_page


async def screenshot(page: Page, name: str, size: str) -> None:
    """The page as it looks now, into docs/img/console/ (the README shows these) unless it looks as before."""
    # a minute, not TIMEOUT_MS: rendering the long /schema page took over 10 s at load 30
    picture = await page.screenshot(full_page=size == "phone", timeout=SCREENSHOT_TIMEOUT_MS)
    write_picture(SCREENSHOTS / f"{name}-{size}.png", picture)


def scene_jpeg(width: int = 1280, height: int = 720) -> bytes:
    """A quarry-like test picture: sky, hillside, a yellow machine."""
    picture = np.zeros((height, width, 3), np.uint8)
    picture[: height // 3] = (200, 170, 120)
    picture[height // 3 :] = (70, 100, 120)
    cv2.rectangle(
        picture, (int(width * 0.3), int(height * 0.5)), (int(width * 0.42), int(height * 0.66)), (0, 200, 255), -1
    )
    ok, data = cv2.imencode(".jpg", picture)
    assert ok
    return data.tobytes()


async def wait_until_shown(picture: Locator) -> None:
    """Until the image has loaded (the pages' CSP forbids eval, so no ``wait_for_function``)."""
    await picture.wait_for()
    for _ in range(100):
        if await picture.evaluate("img => img.complete && img.naturalWidth > 0"):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the picture did not load")


async def deliver(client: AsyncTestClient, monitoring: Monitoring, put: Callable[..., dict], **fields) -> str:
    """A critical forbidden-zone alert with a verified snapshot, delivered as a vision node does."""
    snapshot = put(scene_jpeg(), key=monitoring.media_key())
    body = (
        monitoring.alert(
            severity="critical",
            kind="forbidden_zone",
            summary="禁采区内挖掘机作业",
            detail={"tracks": [{"id": 7, "class": "excavator", "score": 0.91, "box": [0.3, 0.5, 0.42, 0.66]}]},
            media=[snapshot],
        )
        | fields
    )
    answer = await client.put(f"/alerts/{body['id']}", json=body, headers=monitoring.node.headers)
    assert answer.status_code == 201, answer.text
    return body["id"]


def clip_mp4(seconds: int = 4, fps: int = 10) -> bytes:
    """An H.264 MP4 like a vision node's evidence clip: a machine crossing the picture."""
    import av

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        _encode(av, path, seconds, fps)
        return path.read_bytes()


def _encode(av, path: Path, seconds: int, fps: int) -> None:
    with av.open(str(path), "w", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for index in range(seconds * fps):
            picture = np.full((180, 320, 3), (70, 100, 120), np.uint8)
            cv2.rectangle(picture, (index * 6, 90), (index * 6 + 40, 120), (0, 200, 255), -1)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(picture, format="bgr24")))
        container.mux(stream.encode())
