"""A monitored quarry whose camera's permitted zone names a mining permit, and alerts from its vision node."""

from __future__ import annotations

import datetime as dt
import uuid

from mobile_contract.auth import Role
from tests.api.sites.factories import site_config
from tests.api.subjects.factories import permit
from tests.conftest import Caller


async def permitted_site(client, make_user, department, supervisor: Caller, subject_id: str) -> tuple[str, Caller]:
    """Register a permit for the subject and a site whose camera zone names it; returns (site id, vision node)."""
    permit_no = f"C360000{uuid.uuid4().hex[:10]}"
    answer = await client.post("/permits", json=permit(subject_id, permit_no), headers=supervisor.headers)
    assert answer.status_code == 201, answer.text
    config = site_config()
    config["cameras"][0]["zones"].append(
        {
            "kind": "permitted",
            "name": "许可开采范围",
            "permit_no": permit_no,
            "polygon": [[0.5, 0.5], [0.9, 0.5], [0.9, 0.9]],
            "valid_from": "2025-01-01",
            "valid_to": "2027-12-31",
        }
    )
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    answer = await client.post("/sites", json=config, headers=operator.headers)
    assert answer.status_code == 201, answer.text
    return config["id"], await make_user(Role.VISION_NODE, department, device_id=None)


async def raise_alert(client, node: Caller, site_id: str, started_at: dt.datetime, kind: str = "forbidden_zone") -> str:
    alert_id = str(uuid.uuid4())
    body = {
        "id": alert_id,
        "revision": 1,
        "site_id": site_id,
        "camera_id": "cam-1",
        "kind": kind,
        "severity": "warning",
        "started_at": started_at.isoformat(),
        "last_seen_at": started_at.isoformat(),
        "summary": "禁采区内挖掘机作业",
    }
    answer = await client.put(f"/alerts/{alert_id}", json=body, headers=node.headers)
    assert answer.status_code in (200, 201), answer.text
    return alert_id


async def close_alert(client, operator: Caller, alert_id: str, outcome: str) -> None:
    assert (await client.post(f"/alerts/{alert_id}/acknowledge", headers=operator.headers)).status_code == 200
    body = {"feedback": "现场核查", "outcome": outcome}
    answer = await client.post(f"/alerts/{alert_id}/close", json=body, headers=operator.headers)
    assert answer.status_code == 200, answer.text
