"""A registered site with its operator and vision node, alert bodies, real evidence objects."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

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

    def media_key(self, name: str = "snapshot.jpg") -> str:
        """A new object key under this camera, where a node stores its alerts' media (the API takes no other)."""
        return f"alerts/{self.site_id}/{self.camera_id}/{uuid.uuid4()}/{name}"

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
