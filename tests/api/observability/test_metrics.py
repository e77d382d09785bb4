"""``/metrics`` scraped like Prometheus does, request ids on answers and in audit entries."""

from __future__ import annotations

import re

import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.settings import Settings
from storage import audit
from tests.factories import record_create

pytestmark = pytest.mark.integration
METRICS_TOKEN = "scraper-token-for-tests-0123456789"
UUID_SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def samples(text: str, name: str) -> dict[str, float]:
    """Every sample of one metric: its label set (as written) → value."""
    found = re.findall(rf"^{name}\{{(.*)\}} (\S+)$", text, flags=re.MULTILINE)
    return {labels: float(value) for labels, value in found}


async def test_metrics_by_route_template_with_the_token(client, inspector, partner, monkeypatch) -> None:
    monkeypatch.setenv("ENFORCE_METRICS_TOKEN", METRICS_TOKEN)
    body = record_create(inspector, partner)
    assert (await client.post("/records", json=body, headers=inspector.headers)).status_code == 201
    assert (await client.get(f"/records/{body['id']}", headers=inspector.headers)).status_code == 200
    assert (await client.get("/records/not-a-uuid", headers=inspector.headers)).status_code == 404

    scraped = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert scraped.status_code == 200
    text = scraped.text
    requests = samples(text, "enforce_http_requests_total")
    assert requests['method="GET",route="/records/{record_id}",status="200"'] >= 1
    assert requests['method="POST",route="/records",status="201"'] >= 1
    assert not UUID_SHAPE.search(text), "a raw path (with an id) became a label"
    assert samples(text, "enforce_http_request_duration_seconds_count")['method="POST",route="/records"'] >= 1
    pool = samples(text, "enforce_db_pool_connections")
    assert pool['state="max"'] == 20 and pool['state="in_use"'] >= 0
    assert "enforce_alert_streams_open " in text
    assert float(re.search(r"^enforce_audit_append_seconds_count (\S+)$", text, re.MULTILINE)[1]) >= 1


async def test_metrics_refuse_a_remote_caller_without_the_token(client, inspector, monkeypatch) -> None:
    monkeypatch.setenv("ENFORCE_METRICS_TOKEN", METRICS_TOKEN)
    for headers in ({}, inspector.headers, {"Authorization": "Bearer wrong"}):
        refused = await client.get("/metrics", headers=headers)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "forbidden"


def test_a_loopback_scraper_needs_no_token(live_server: str) -> None:
    scraped = httpx.get(f"{live_server}/metrics", timeout=10)
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    assert "enforce_http_requests_total" in scraped.text


async def test_each_answer_has_a_request_id_that_its_audit_entries_carry(client, pool, inspector, partner) -> None:
    body = record_create(inspector, partner)
    created = await client.post("/records", json=body, headers=inspector.headers)
    request_id = created.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    async with pool.acquire() as conn:
        entries = await audit.list_for_entity(conn, entity_type="record", entity_id=body["id"])
    assert [e.detail["request_id"] for e in entries] == [request_id]
    refused = await client.get("/records", headers={"Authorization": "Bearer nonsense"})
    assert refused.status_code == 401 and re.fullmatch(r"[0-9a-f]{32}", refused.headers["x-request-id"])
    assert refused.headers["x-request-id"] != request_id


async def test_a_trusted_proxys_request_id_is_kept_and_an_untrusted_one_replaced(settings: Settings, client) -> None:
    given = {"X-Request-Id": "proxy-7f3a9c0e1d"}
    assert (await client.get("/health", headers=given)).headers["x-request-id"] != given["X-Request-Id"]
    trusting = msgspec.structs.replace(settings.serving, trust_request_id=True)
    async with AsyncTestClient(create_app(msgspec.structs.replace(settings, serving=trusting))) as behind_proxy:
        assert (await behind_proxy.get("/health", headers=given)).headers["x-request-id"] == given["X-Request-Id"]
        odd = await behind_proxy.get("/health", headers={"X-Request-Id": 'a b"c'})
        assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["x-request-id"])
