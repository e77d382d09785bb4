"""Snapshot and clip bytes reach the real (embedded) S3 with the SHA-256 that S3 itself checked."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from pathlib import Path

import pytest

from api.settings import Settings
from mobile_contract.alerts import AlertMedia
from storage.objects import ObjectStore, connect
from tests.vision.events.alert_server import TOKEN, AlertServer
from tests.vision.events.test_delivery import FAST_RETRY
from tests.vision.events.test_outbox import new_id, upsert
from vision.config import ApiConfig
from vision.events.delivery import Delivery
from vision.events.outbox import Outbox

pytestmark = pytest.mark.integration


@pytest.fixture
async def store(settings: Settings) -> ObjectStore:
    s3 = settings.object_store
    assert s3.endpoint is not None
    client = connect(
        endpoint=s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=s3.secure, region=s3.region
    )
    object_store = ObjectStore(client, s3.bucket, retention_days=1, presign_ttl_s=60)
    await object_store.ensure_bucket()
    return object_store


@pytest.mark.parametrize("size", [1_000, 7 * 1024 * 1024], ids=["snapshot", "clip over the multipart size"])
async def test_media_are_uploaded_once_with_a_verified_checksum(tmp_path: Path, store: ObjectStore, size: int) -> None:
    server, outbox = AlertServer(), Outbox(tmp_path)
    alert_id = new_id()
    data = alert_id.bytes + bytes(range(256)) * (size // 256)
    digest = outbox.put_media(alert_id, data)
    key = f"alerts/site-1/cam-1/{alert_id}/snapshot-r1.jpg"
    media = AlertMedia(kind="snapshot", object_key=key, sha256=digest, size=len(data), media_type="image/jpeg")
    outbox.put(upsert(alert_id, 1, [media]))
    outbox.put(upsert(alert_id, 2, [media]))
    sender = Delivery(outbox, api=ApiConfig(url=server.url, token=TOKEN), retry=FAST_RETRY, store=store)
    await asyncio.wait_for(sender.deliver_with_backoff(asyncio.Event()), timeout=60)  # a guard against hanging
    await sender.aclose()
    server.stop()
    assert server.arrivals == [(alert_id, 1), (alert_id, 2)]
    response = await store.call(
        store.client.get_object, store.bucket, key, request_headers={"x-amz-checksum-mode": "ENABLED"}
    )
    try:
        assert response.data == data
        stored = response.headers.get("x-amz-checksum-sha256")
    finally:
        response.close()
        response.release_conn()
    assert stored == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert outbox.pending() == [] and not any(outbox.media.iterdir())


async def test_media_not_matching_their_checksum_are_set_aside(tmp_path: Path, store: ObjectStore) -> None:
    server, outbox = AlertServer(), Outbox(tmp_path)
    alert_id = new_id()
    digest = outbox.put_media(alert_id, b"the real bytes")
    (outbox.media / str(alert_id) / digest).write_bytes(b"bytes altered on disk")  # what S3 must not accept
    key = f"alerts/site-1/cam-1/{alert_id}/clip.mp4"
    media = AlertMedia(kind="clip", object_key=key, sha256=digest, size=14, media_type="video/mp4")
    outbox.put(upsert(alert_id, 1, [media]))
    sender = Delivery(outbox, api=ApiConfig(url=server.url, token=TOKEN), retry=FAST_RETRY, store=store)
    assert await sender.deliver_pending_once() == 0
    await sender.aclose()
    server.stop()
    assert server.arrivals == [] and outbox.pending() == []
    reason = (tmp_path / "rejected" / str(alert_id) / "00000001.reason.txt").read_text()
    assert "no longer matches its SHA-256" in reason
