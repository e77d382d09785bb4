"""Security headers: nosniff everywhere, no-store on answers with personal data, strict CSP on HTML, HSTS on TLS."""

from __future__ import annotations

import uuid

from litestar import Litestar, MediaType, get
from litestar.testing import AsyncTestClient

from api.security_headers import security_headers


async def test_an_api_answer_is_not_sniffed_nor_stored(client: AsyncTestClient, inspector) -> None:
    for answer in [
        await client.get("/users/me", headers=inspector.headers),
        await client.get(f"/records/{uuid.uuid4()}", headers=inspector.headers),  # a problem document
        await client.get("/no-such-route"),
        await client.post("/complaints/lookup", json={}),  # public, yet about a person
    ]:
        assert answer.headers["x-content-type-options"] == "nosniff", answer.request.url
        assert answer.headers["cache-control"] == "no-store", answer.request.url
        assert "strict-transport-security" not in answer.headers  # plain HTTP


async def test_the_schema_page_gets_the_strict_policy(client: AsyncTestClient) -> None:
    schema = await client.get("/schema/swagger")
    assert "script-src 'self';" in schema.headers["content-security-policy"]  # served from local files
    assert "frame-ancestors 'none'" in schema.headers["content-security-policy"]
    assert schema.headers["x-content-type-options"] == "nosniff"


async def test_a_console_page_keeps_its_own_policy_and_static_files_their_caching(client: AsyncTestClient) -> None:
    page = await client.get("/")
    assert "style-src 'self';" in page.headers["content-security-policy"]  # stricter: no inline style either
    css = await client.get("/assets/console/console.css")
    assert css.headers["cache-control"] == "no-cache"  # revalidated, not no-store: no data in it


@get("/page", media_type=MediaType.HTML)
async def page() -> str:
    return "<!doctype html><title>文书</title><style>p{color:red}</style><p>决定书</p>"


async def test_html_gets_the_strict_policy() -> None:
    async with AsyncTestClient(Litestar([page], before_send=[security_headers(3600)])) as http:
        answer = await http.get("/page")
    policy = dict(part.strip().split(" ", 1) for part in answer.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert answer.headers["cache-control"] == "no-store"


async def test_hsts_only_over_tls(client: AsyncTestClient) -> None:
    # through the session client (its own event loop, where the app's pool lives): a second loop
    # driving the same app and pool crashed the test process (segmentation fault) in full runs
    answer = await client.get("https://enforce.example/health")
    assert answer.headers["strict-transport-security"] == "max-age=31536000"
