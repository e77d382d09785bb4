"""The node's API client through httpx's transport seam: sign-in, re-sign-in on 401, the site registry."""

from __future__ import annotations

import json

import httpx
import msgspec

from tests.vision.helpers import camera, site
from vision.client import active_sites, client
from vision.config import ApiConfig


def registry(pages: dict[str | None, tuple[list[dict], str | None]], calls: list[str]) -> httpx.MockTransport:
    config = msgspec.to_builtins(site(camera()))
    issued = iter(["expired", "fresh"])

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path} {request.headers.get('Authorization', '')}")
        if request.url.path == "/auth/login":
            assert json.loads(request.content) == {"username": "node-01", "password": "secret password"}
            token = next(issued)
            return httpx.Response(
                200, json={"access_token": token, "refresh_token": "r", "token_type": "bearer", "expires_in": 900}
            )
        if request.headers["Authorization"] != "Bearer fresh":
            return httpx.Response(401, json={"code": "unauthenticated"})
        items, next_cursor = pages[request.url.params.get("cursor")]
        body = {"items": [{**item, "config": config} for item in items], "next_cursor": next_cursor}
        return httpx.Response(200, json=body)

    return httpx.MockTransport(handle)


async def test_sites_are_read_page_by_page_after_signing_in_again() -> None:
    calls: list[str] = []
    pages = {None: ([{"active": True}], "c2"), "c2": ([{"active": True}, {"active": False}], None)}
    config = ApiConfig(url="http://api.test", username="node-01", password="secret password")
    async with client(config, transport=registry(pages, calls)) as http:
        sites = await active_sites(http)
    assert len(sites) == 2 and sites[0].cameras[0].id == "cam-1"
    assert calls[:4] == [
        "POST /auth/login ",
        "GET /sites Bearer expired",
        "POST /auth/login ",
        "GET /sites Bearer fresh",
    ]
