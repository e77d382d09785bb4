"""Seeking in evidence: range downloads of the verified bytes (206), and one audit entry per playback."""

from __future__ import annotations

import io
import uuid

import pytest

from api.app import build_store
from api.evidence import playback
from mobile_contract.auth import Role
from storage import audit
from tests.api.evidence.conftest import object_key, payload, upload_single

pytestmark = pytest.mark.integration
SIZE = 200 * 1024


@pytest.fixture
async def verified(client, inspector, declare):
    [item] = await declare(payload(SIZE), media_type="video/mp4")
    await upload_single(client, inspector, item)
    return item


async def downloads(pool, item) -> list[audit.StoredAuditEntry]:
    async with pool.acquire() as conn:
        found = await audit.list_for_entity(conn, entity_type="evidence", entity_id=item.id)
    return [e for e in found if e.action == "evidence.download"]


async def get_range(client, caller, item, header: str, **extra: str):
    return await client.get(f"{item.path}/download", headers=caller.headers | {"Range": header} | extra)


async def test_a_range_is_206_with_the_verified_versions_bytes(client, pool, settings, inspector, verified) -> None:
    store = build_store(settings)
    store.client.put_object(store.bucket, await object_key(pool, verified), io.BytesIO(b"forged" * 100), 600)
    got = await get_range(client, inspector, verified, "bytes=1000-1999")
    assert got.status_code == 206
    assert got.headers["content-range"] == f"bytes 1000-1999/{len(verified.data)}"
    assert got.headers["content-length"] == "1000" and got.headers["accept-ranges"] == "bytes"
    assert got.content == verified.data[1000:2000]
    tail = await get_range(client, inspector, verified, "bytes=-10")
    assert tail.status_code == 206 and tail.content == verified.data[-10:]


async def test_the_whole_item_says_ranges_are_offered_and_names_its_validator(client, inspector, verified) -> None:
    whole = await client.get(f"{verified.path}/download", headers=inspector.headers)
    assert whole.status_code == 200 and whole.content == verified.data
    assert whole.headers["accept-ranges"] == "bytes"
    etag = whole.headers["etag"]
    same = await get_range(client, inspector, verified, "bytes=0-9", **{"If-Range": etag})
    assert same.status_code == 206 and same.content == verified.data[:10]
    other = await get_range(client, inspector, verified, "bytes=0-9", **{"If-Range": '"something-else"'})
    assert other.status_code == 200 and other.content == verified.data


async def test_a_range_past_the_end_is_416_with_the_size_and_nothing_audited(client, pool, inspector, verified):
    before = len(await downloads(pool, verified))
    refused = await get_range(client, inspector, verified, f"bytes={len(verified.data)}-")
    assert refused.status_code == 416 and refused.json()["code"] == "range-not-satisfiable"
    assert refused.headers["content-range"] == f"bytes */{len(verified.data)}"
    assert "字节" in refused.json()["detail"]
    assert len(await downloads(pool, verified)) == before


async def test_the_ranges_of_one_playback_are_one_audit_entry_and_every_range_is_kept(
    client, pool, inspector, verified
) -> None:
    before = len(await downloads(pool, verified))
    for header in ["bytes=0-", "bytes=50000-", "bytes=150000-160000", "bytes=0-1023"]:
        assert (await get_range(client, inspector, verified, header)).status_code == 206
    [entry] = (await downloads(pool, verified))[before:]
    assert entry.detail["range"] == f"0-{len(verified.data) - 1}"
    rows = await pool.fetch(
        "SELECT playback_id, first_byte, last_byte FROM evidence_playback_ranges WHERE evidence_id = $1 ORDER BY id",
        uuid.UUID(verified.id),
    )
    assert {str(r["playback_id"]) for r in rows} == {entry.detail["playback_id"]}
    assert [(r["first_byte"], r["last_byte"]) for r in rows][1:] == [
        (50000, len(verified.data) - 1), (150000, 160000), (0, 1023),
    ]  # fmt: skip
    assert entry.actor_id == inspector.principal.user_id


async def test_another_viewer_or_a_pause_past_the_window_is_a_new_playback(
    client, pool, monkeypatch, make_user, department, inspector, verified
) -> None:
    reviewer = await make_user(Role.LEGAL_REVIEWER, department)
    before = len(await downloads(pool, verified))
    await get_range(client, inspector, verified, "bytes=0-99")
    await get_range(client, reviewer, verified, "bytes=0-99")  # another person: their own entry
    await get_range(client, inspector, verified, "bytes=100-199")  # the inspector's playback goes on
    monkeypatch.setattr(playback, "WINDOW_S", 0.0)
    await get_range(client, inspector, verified, "bytes=200-299")  # after the window: a new viewing
    new = (await downloads(pool, verified))[before:]
    assert [(e.actor_id, e.detail["range"]) for e in new] == [
        (inspector.principal.user_id, "0-99"),
        (reviewer.principal.user_id, "0-99"),
        (inspector.principal.user_id, "200-299"),
    ]
    assert len({e.detail["playback_id"] for e in new}) == 3


async def test_whole_downloads_are_still_one_entry_each(client, pool, inspector, verified) -> None:
    before = len(await downloads(pool, verified))
    await get_range(client, inspector, verified, "bytes=0-99")
    for _ in range(2):
        assert (await client.get(f"{verified.path}/download", headers=inspector.headers)).status_code == 200
    new = (await downloads(pool, verified))[before:]
    assert [e.detail.get("range") for e in new] == ["0-99", None, None]
