"""With the evidence store down, every evidence call answers 503 object-store-unavailable fast, with Retry-After.

The session's S3 keeps running: these tests start a store of their own, serve a second app on it
(same database), and really stop that store's process.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.settings import Settings
from storage import embedded
from storage.embedded import EmbeddedS3
from tests.factories import evidence_item, record_create

pytestmark = pytest.mark.integration
FAST_S = 3.0  # the minio default (5 retries with back-off) took about 6 s; a refused connection should fail at once


class Outage(msgspec.Struct):
    client: AsyncTestClient
    s3: EmbeddedS3


@pytest.fixture
async def outage(settings: Settings, tmp_path) -> AsyncIterator[Outage]:
    s3 = embedded.start_s3(tmp_path / "s3")
    store = msgspec.structs.replace(
        settings.object_store, endpoint=s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key
    )
    try:
        async with AsyncTestClient(create_app(msgspec.structs.replace(settings, object_store=store))) as client:
            yield Outage(client, s3)
    finally:
        s3.stop()


async def test_evidence_calls_answer_503_with_retry_after_fast_while_the_store_is_stopped(
    outage, inspector, partner
) -> None:
    item, _ = evidence_item()
    body = record_create(inspector, partner, evidence=[item])
    assert (await outage.client.post("/records", json=body, headers=inspector.headers)).status_code == 201
    outage.s3.stop()

    path = f"/evidence/{item['id']}"
    for call, json in (("upload", {"multipart": True}), ("finalize", None)):
        started = time.monotonic()
        answer = await outage.client.post(f"{path}/{call}", json=json, headers=inspector.headers)
        elapsed = time.monotonic() - started
        assert answer.status_code == 503, answer.text
        assert answer.json()["code"] == "object-store-unavailable"
        assert int(answer.headers["retry-after"]) > 0
        assert elapsed < FAST_S, f"{call} took {elapsed:.1f} s"
    state = (await outage.client.get(path, headers=inspector.headers)).json()
    assert state["status"] == "declared", "nothing changed"
