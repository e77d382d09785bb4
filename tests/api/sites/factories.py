"""Site config documents as a monitoring centre would send them (JSON-ready dicts)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import Caller


def site_config(site_id: str | None = None, *, cameras: tuple[str, ...] = ("cam-1",), version: int = 1) -> dict:
    return {
        "id": site_id or f"quarry-{uuid.uuid4().hex[:10]}",
        "name": "青山塘口",
        "kind": "quarry",
        "region_code": "360102",
        "version": version,
        "prohibited_hours": [{"start": "22:00:00", "end": "06:00:00"}],
        "cameras": [
            {
                "id": camera,
                "name": f"摄像头 {camera}",
                "url": f"rtsp://10.0.0.1/{camera}",
                "zones": [{"kind": "forbidden", "name": "禁采区", "polygon": [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]]}],
            }
            for camera in cameras
        ],
    }


async def register_site(client: AsyncTestClient, caller: Caller, **kwargs: Any) -> dict:
    response = await client.post("/sites", json=site_config(**kwargs), headers=caller.headers)
    assert response.status_code == 201, response.text
    return response.json()
