"""Devices upload through the public address (S3_PUBLIC_ENDPOINT): a reverse proxy on another port, real S3 behind."""

from __future__ import annotations

import urllib.parse
from collections.abc import AsyncIterator

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.settings import Settings
from tests.api.evidence.conftest import device_put, payload
from tests.api.evidence.test_uploads import PART, part_urls
from tests.storage.reverse_proxy import Proxied, reverse_proxy

pytestmark = pytest.mark.integration
PREFIX = "/s3"


class Public(msgspec.Struct):
    client: AsyncTestClient
    proxy: Proxied


@pytest.fixture
async def public(settings: Settings) -> AsyncIterator[Public]:
    """The API configured with a public S3 address served by a proxy under ``/s3`` on its own port."""
    assert settings.object_store.endpoint is not None
    with reverse_proxy(settings.object_store.endpoint, PREFIX) as proxy:
        url = f"http://127.0.0.1:{proxy.server_port}{PREFIX}"
        store = msgspec.structs.replace(settings.object_store, public_url=url)
        async with AsyncTestClient(create_app(msgspec.structs.replace(settings, object_store=store))) as client:
            yield Public(client, proxy)


def address(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.netloc, parts.path


async def test_evidence_uploads_through_a_url_signed_for_the_public_host(public: Public, inspector, declare) -> None:
    [item] = await declare(payload(64 * 1024))
    ticket = (await public.client.post(f"{item.path}/upload", json={}, headers=inspector.headers)).json()
    host, path = address(ticket["put"]["url"])
    assert host == f"127.0.0.1:{public.proxy.server_port}" and path.startswith(f"{PREFIX}/")

    assert (await device_put(ticket["put"], item.data)).status_code == 200
    [(method, forwarded, status)] = [line.split(" ") for line in public.proxy.forwarded]
    assert (method, forwarded.partition("?")[0], status) == ("PUT", path[len(PREFIX) :], "200"), "through the proxy"
    finalised = (await public.client.post(f"{item.path}/finalize", headers=inspector.headers)).json()
    assert finalised["status"] == "verified", finalised


async def test_part_urls_are_signed_for_the_public_host_too(public: Public, inspector, declare) -> None:
    [item] = await declare(payload(PART + 1024), media_type="video/mp4")
    data = item.data
    ask = {"multipart": True, "part_size": PART}
    assert (await public.client.post(f"{item.path}/upload", json=ask, headers=inspector.headers)).status_code == 200
    urls = await part_urls(public.client, inspector, item.path, {1: data[:PART], 2: data[PART:]})
    for n, put in urls.items():
        assert address(put["url"])[0] == f"127.0.0.1:{public.proxy.server_port}"
        assert (await device_put(put, data[(n - 1) * PART : n * PART])).status_code == 200
    finalised = (await public.client.post(f"{item.path}/finalize", headers=inspector.headers)).json()
    assert finalised["status"] == "verified", finalised


async def test_without_the_prefix_the_signed_path_reaches_nothing(public: Public, inspector, declare) -> None:
    """The prefix is outside the signature: S3 sees the path without it, as the proxy forwards it."""
    [item] = await declare(payload(1024))
    ticket = (await public.client.post(f"{item.path}/upload", json={}, headers=inspector.headers)).json()
    stripped = ticket["put"] | {"url": ticket["put"]["url"].replace(f"{PREFIX}/", "/", 1)}
    assert (await device_put(stripped, item.data)).status_code == 404
