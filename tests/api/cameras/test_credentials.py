"""Camera stream credentials: write-only, audited without the secret, refused to inspectors."""

from __future__ import annotations

import pytest

from mobile_contract.auth import Role

pytestmark = pytest.mark.integration
SECRET = {"username": "admin", "password": "Zlm-2026!"}


async def test_credentials_are_written_never_answered_and_audited_without_the_secret(client, pool, monitoring) -> None:
    url = f"/cameras/{monitoring.site_id}/{monitoring.camera_id}/credentials"
    answer = await client.put(url, json=SECRET, headers=monitoring.operator.headers)
    assert answer.status_code == 200, answer.text
    assert "Zlm-2026!" not in answer.text and answer.json()["camera_id"] == monitoring.camera_id
    async with pool.acquire() as conn:
        entry = await conn.fetchrow(
            "SELECT action, detail::text AS detail FROM audit_log WHERE entity_id = $1", f"{monitoring.site_id}/cam-1"
        )
    assert entry["action"] == "camera.credentials_set" and "Zlm-2026!" not in entry["detail"]


async def test_inspectors_and_nodes_cannot_set_credentials_and_unknown_cameras_are_named(
    client, make_user, monitoring
) -> None:
    inspector = await make_user(Role.INSPECTOR, monitoring.department)
    url = f"/cameras/{monitoring.site_id}/{monitoring.camera_id}/credentials"
    for caller in (inspector, monitoring.node):
        assert (await client.put(url, json=SECRET, headers=caller.headers)).status_code == 403
    unknown = f"/cameras/{monitoring.site_id}/cam-9/credentials"
    missing = await client.put(unknown, json=SECRET, headers=monitoring.operator.headers)
    assert missing.status_code == 404 and "cam-9" in missing.json()["detail"]
