"""A registered site with its operator and vision node, alert bodies, real evidence objects."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from minio import Minio

from api.settings import Settings
from mobile_contract.auth import Role
from tests.api.sites.factories import register_site
from tests.conftest import Caller, Department

MODEL = {
    "name": "yolov8n-quarry",
    "weights_sha256": "a" * 64,
    "ultralytics_version": "8.4.0",
    "backend": "onnxruntime",
    "class_map": {"0": "excavator"},
    "thresholds": {"conf": 0.4},
}


class Monitoring(msgspec.Struct):
    """One department's monitoring set-up: who operates, which node delivers, which camera."""

    department: Department
    operator: Caller
    node: Caller
    site_id: str
    camera_id: str

    def alert(self, alert_id: uuid.UUID | None = None, *, revision: int = 1, **fields: Any) -> dict:
        """An AlertUpsert body as a vision node sends it."""
        started = dt.datetime(2026, 11, 1, 23, 5, tzinfo=dt.UTC)
        return {
            "id": str(alert_id or uuid.uuid4()),
            "revision": revision,
            "site_id": self.site_id,
            "camera_id": self.camera_id,
            "kind": "prohibited_hours",
            "severity": "warning",
            "started_at": started.isoformat(),
            "last_seen_at": (started + dt.timedelta(seconds=30 * revision)).isoformat(),
            "summary": f"夜间挖掘机作业（第{revision}次更新）",
            "detail": {"track_ids": [7], "boxes": [[0.1, 0.2, 0.3, 0.4]]},
            "model": MODEL,
        } | fields


@pytest.fixture
def make_monitoring(
    client: AsyncTestClient, make_department: Callable[..., Awaitable[Department]], make_user
) -> Callable[[], Awaitable[Monitoring]]:
    async def make() -> Monitoring:
        department = await make_department()
        operator = await make_user(Role.MONITORING_OPERATOR, department)
        site = await register_site(client, operator)
        node = await make_user(Role.VISION_NODE, department, device_id=None)
        return Monitoring(department, operator, node, site["id"], site["config"]["cameras"][0]["id"])

    return make


@pytest.fixture
async def monitoring(make_monitoring: Callable[[], Awaitable[Monitoring]]) -> Monitoring:
    return await make_monitoring()


@pytest.fixture(scope="session")
def s3(settings: Settings) -> Minio:
    """A client of the app's evidence store, as a vision node would hold one."""
    store = settings.object_store
    assert store.endpoint is not None
    return Minio(
        store.endpoint,
        access_key=store.access_key,
        secret_key=store.secret_key,
        secure=store.secure,
        region=store.region,
    )


@pytest.fixture
def put_evidence(s3: Minio, settings: Settings, client: AsyncTestClient) -> Callable[..., dict]:
    """Upload bytes with their SHA-256 as the S3 checksum; returns the AlertMedia the node declares."""

    def put(data: bytes, *, kind: str = "snapshot", checksum: bool = True, key: str | None = None) -> dict:
        digest = hashlib.sha256(data)
        key = key or f"alerts/test/{uuid.uuid4()}.jpg"
        headers = {"x-amz-checksum-sha256": base64.b64encode(digest.digest()).decode()} if checksum else None
        s3.put_object(settings.object_store.bucket, key, io.BytesIO(data), len(data), "image/jpeg", metadata=headers)
        return {
            "kind": kind,
            "object_key": key,
            "sha256": digest.hexdigest(),
            "size": len(data),
            "media_type": "image/jpeg",
        }

    return put
