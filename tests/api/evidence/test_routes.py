"""Who may read, download, upload and hold evidence; every access is audited; nothing overwrites it."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest

from api.app import build_store
from mobile_contract.auth import Role
from storage import audit
from tests.api.evidence.conftest import object_key, payload, sha256, upload_single


@pytest.fixture
async def verified(client, inspector, declare):
    [item] = await declare(payload(32 * 1024))
    await upload_single(client, inspector, item)
    return item


async def entries(pool, item) -> list[audit.StoredAuditEntry]:
    async with pool.acquire() as conn:
        return await audit.list_for_entity(conn, entity_type="evidence", entity_id=item.id)


async def test_reading_and_downloading_are_audited_with_who_and_which_device(
    client, pool, make_user, department, verified
) -> None:
    reviewer = await make_user(Role.LEGAL_REVIEWER, department, device_id="PAD-REVIEW-7")
    before = len(await entries(pool, verified))
    assert (await client.get(verified.path, headers=reviewer.headers)).status_code == 200
    download = await client.get(f"{verified.path}/download", headers=reviewer.headers)
    new = (await entries(pool, verified))[before:]
    assert [e.action for e in new] == ["evidence.read", "evidence.download"]
    assert {(e.actor_id, e.actor_role, e.device_id) for e in new} == {
        (reviewer.principal.user_id, "legal_reviewer", "PAD-REVIEW-7")
    }
    assert new[1].detail["version_id"] == download.headers["x-evidence-version-id"]


async def test_every_download_is_its_own_audit_entry_and_serves_the_verified_bytes(
    client, pool, inspector, verified
) -> None:
    """A court asks who saw the evidence and when: three downloads, three entries (a presigned URL gave one)."""
    before = len(await entries(pool, verified))
    for _ in range(3):
        got = await client.get(f"{verified.path}/download", headers=inspector.headers)
        assert got.status_code == 200 and got.content == verified.data
        assert got.headers["content-type"] == "image/jpeg"
        assert (
            got.headers["repr-digest"]
            == f"sha-256=:{base64.b64encode(hashlib.sha256(verified.data).digest()).decode()}:"
        )
        assert got.headers["cache-control"] == "no-store"
        assert f'filename="{verified.id}.jpg"' in got.headers["content-disposition"]
    downloads = [e for e in (await entries(pool, verified))[before:] if e.action == "evidence.download"]
    assert len(downloads) == 3
    assert {e.detail["bytes"] for e in downloads} == {len(verified.data)}


async def test_download_serves_the_verified_version_even_after_a_write_behind_the_products_back(
    client, pool, settings, inspector, verified
) -> None:
    store = build_store(settings)
    key = await object_key(pool, verified)
    store.client.put_object(store.bucket, key, io.BytesIO(b"forged"), 6)  # with the store's own keys
    got = await client.get(f"{verified.path}/download", headers=inspector.headers)
    assert got.status_code == 200 and sha256(got.content) == sha256(verified.data)


async def test_a_legal_reviewer_reads_and_holds_but_never_uploads_finalises_or_lifts_a_hold(
    client, pool, settings, make_user, department, verified
) -> None:
    reviewer = await make_user(Role.LEGAL_REVIEWER, department)
    supervisor = await make_user(Role.SUPERVISOR, department)
    assert (await client.get(f"{verified.path}/download", headers=reviewer.headers)).status_code == 200
    assert (await client.post(f"{verified.path}/upload", json={}, headers=reviewer.headers)).status_code == 403
    assert (await client.post(f"{verified.path}/finalize", headers=reviewer.headers)).status_code == 403
    hold = {"enabled": True, "reason": "重大执法决定法制审核期间保全"}
    held = await client.post(f"{verified.path}/legal-hold", json=hold, headers=reviewer.headers)
    assert held.status_code == 200 and held.json()["legal_hold"] is True
    lift = {"enabled": False, "reason": "审核结束"}
    assert (await client.post(f"{verified.path}/legal-hold", json=lift, headers=reviewer.headers)).status_code == 403
    store, version = build_store(settings), held.json()["version_id"]
    key = await object_key(pool, verified)
    assert await store.legal_hold(key, version), "the hold is on the S3 object version, not only in our table"

    lifted = (await client.post(f"{verified.path}/legal-hold", json=lift, headers=supervisor.headers)).json()
    assert lifted["legal_hold"] is False and [h["enabled"] for h in lifted["legal_holds"]] == [False, True]
    assert not await store.legal_hold(key, version)


async def test_another_department_sees_nothing_and_an_admin_sees_all(
    client, make_department, make_user, verified
) -> None:
    elsewhere = await make_department()
    stranger = await make_user(Role.INSPECTOR, elsewhere)
    for method, suffix in [("GET", ""), ("GET", "/download"), ("POST", "/finalize"), ("GET", "/upload/parts")]:
        answer = await client.request(method, f"{verified.path}{suffix}", headers=stranger.headers)
        assert answer.status_code == 404, (method, suffix)
    admin = await make_user(Role.ADMIN, elsewhere)
    assert (await client.get(verified.path, headers=admin.headers)).status_code == 200


async def test_roles_outside_enforcement_cannot_read_evidence(client, make_user, department, verified) -> None:
    for role in (Role.MONITORING_OPERATOR, Role.VISION_NODE):
        caller = await make_user(role, department)
        assert (await client.get(verified.path, headers=caller.headers)).status_code == 403


async def test_there_is_no_route_that_deletes_or_replaces_evidence(client, inspector, verified) -> None:
    for method in ("DELETE", "PUT", "PATCH"):
        answer = await client.request(method, verified.path, headers=inspector.headers)
        assert answer.status_code in {404, 405}, method
