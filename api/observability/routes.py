"""``GET /metrics`` for Prometheus (运行指标), under a rule of its own: no user signs in to scrape.

Admitted: callers on the loopback interface (a Prometheus or node agent beside the API; behind a
proxy uvicorn reports the proxy's client, so outside callers are never loopback) or, from anywhere,
``Authorization: Bearer <ENFORCE_METRICS_TOKEN>``. Without that variable only loopback callers are.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Mapping

import prometheus_client
from litestar import Controller, Response, get
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from mobile_contract.problems import Forbidden

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


def from_loopback(connection: ASGIConnection) -> bool:
    try:
        address = ipaddress.ip_address(connection.client.host if connection.client else "")
    except ValueError:
        return False
    return any(address in network for network in LOOPBACK)


async def scraper_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """A loopback caller, or the metrics token (a user's sign-in does not admit: metrics are not for users)."""
    token = os.environ.get("ENFORCE_METRICS_TOKEN", "")
    presented = connection.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if token and hmac.compare_digest(presented.encode(), token.encode()):
        return
    if not from_loopback(connection):
        raise Forbidden(
            "运行指标仅供本机或持有指标令牌的监控系统读取", "metrics: loopback callers or ENFORCE_METRICS_TOKEN only"
        )


class MetricsController(Controller):
    path = "/metrics"
    tags = ("operations",)
    opt: Mapping[str, object] = {"public": True}  # no user sign-in: ``scraper_only`` decides
    guards = (scraper_only,)
    include_in_schema = False

    @get("/", summary="运行指标 / Prometheus metrics")
    async def metrics(self) -> Response[bytes]:
        return Response(prometheus_client.generate_latest(), media_type=prometheus_client.CONTENT_TYPE_LATEST)
