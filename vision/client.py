"""The enforcement API as the vision node uses it (接口客户端): sign-in and the site registry.

The node signs in as a ``vision_node`` user. Access tokens are short-lived,
so with a username and password the client signs in again whenever the API
answers 401; a fixed token (``VISION_API_TOKEN``) is sent as it is.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx
import msgspec

from mobile_contract.sites import SiteConfig
from vision.config import ApiConfig


class _Tokens(msgspec.Struct):
    access_token: str


class _SiteRead(msgspec.Struct):
    config: SiteConfig
    active: bool = True


class _SitePage(msgspec.Struct):
    items: list[_SiteRead]
    next_cursor: str | None = None


class NodeAuth(httpx.Auth):
    """Bearer token on every request; a fresh sign-in after a 401 when a password is known."""

    requires_response_body = True

    def __init__(self, config: ApiConfig) -> None:
        self.config = config
        self.token = config.token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if not self.token and self.config.username:
            yield from self._sign_in(request)
        request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code == 401 and self.config.username:
            yield from self._sign_in(request)
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request

    def _sign_in(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        body = {"username": self.config.username, "password": self.config.password}
        response = yield httpx.Request("POST", request.url.join("/auth/login"), json=body)
        if response.is_success:
            self.token = msgspec.json.decode(response.content, type=_Tokens).access_token


def client(config: ApiConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    if config.url is None:
        raise ValueError("api.url is not configured")
    return httpx.AsyncClient(
        base_url=config.url.rstrip("/"), auth=NodeAuth(config), timeout=config.timeout_s, transport=transport
    )


async def active_sites(http: httpx.AsyncClient) -> list[SiteConfig]:
    """Every active site config of the node's department, following the registry's pages."""
    sites, cursor = [], None
    while True:
        params = {"active": "true", "limit": "500", **({"cursor": cursor} if cursor else {})}
        response = await http.get("/sites", params=params)
        response.raise_for_status()
        page = msgspec.json.decode(response.content, type=_SitePage)
        sites += [item.config for item in page.items if item.active]
        cursor = page.next_cursor
        if cursor is None:
            return sites
