"""Checkpoints anchor the chain's head in the Object-Locked bucket: a consistently rewritten chain is caught.

The rewriting runs as a superuser would: ``session_replication_role = replica`` skips the append-only
triggers, inside a transaction that is rolled back. Its checkpoints go under a prefix of their own,
so the session's real checkpoints never anchor entries that are rolled back.
"""

from __future__ import annotations

import uuid

import asyncpg
import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from minio.commonconfig import COMPLIANCE
from minio.error import S3Error

from api.app import build_store
from api.audit import checkpoints
from api.audit.service import verify_chain
from api.settings import Settings
from storage import audit
from storage.objects import ObjectStore
from tests.api.audit.test_service import append_three


@pytest.fixture
def store(settings: Settings, client) -> ObjectStore:  # client: the app has made the locked bucket
    return build_store(settings)


@pytest.fixture
def prefix() -> str:
    return f"test-checkpoints/{uuid.uuid4()}/"


async def rewrite_from(conn: asyncpg.Connection, first: audit.StoredAuditEntry) -> None:
    """Change ``first`` and re-hash it and every entry after it, and the head: a consistent forgery."""
    await conn.execute("UPDATE audit_log SET actor_role = 'admin' WHERE seq = $1", first.seq)
    prev = first.prev_hash
    for entry in [e async for e in audit.iter_chain(conn, after_seq=first.seq - 1)]:
        entry_hash = audit.chain_hash(prev, entry.seq, entry.occurred_at, entry)
        update = "UPDATE audit_log SET prev_hash = $2, entry_hash = $3 WHERE seq = $1"
        await conn.execute(update, entry.seq, prev, entry_hash)
        prev = entry_hash
    await conn.execute("UPDATE audit_head SET entry_hash = $1", prev)


class Anchored(msgspec.Struct):
    entries: list[audit.StoredAuditEntry]
    anchor: checkpoints.Anchor
    public_key: Ed25519PublicKey


@pytest.fixture
async def anchored(
    behind_the_back: asyncpg.Connection, store: ObjectStore, settings: Settings, prefix: str
) -> Anchored:
    """Three entries appended behind the back, and the head anchored after them."""
    key = checkpoints.signing_key(settings)
    entries = await append_three(behind_the_back)
    anchor = await checkpoints.write(behind_the_back, store, key, prefix=prefix)
    assert anchor.checkpoint is not None and anchor.checkpoint.seq == entries[-1].seq
    return Anchored(entries, anchor, key.public_key())


async def test_a_consistently_rewritten_chain_fails_against_its_checkpoint(
    behind_the_back: asyncpg.Connection, anchored: Anchored, store: ObjectStore, prefix: str
) -> None:
    first, _, last = anchored.entries
    await rewrite_from(behind_the_back, first)

    alone = await verify_chain(behind_the_back)
    assert alone.intact, alone  # the forgery passes the chain's own checks: that is the attack
    report = await verify_chain(
        behind_the_back, anchors=await checkpoints.load(store, anchored.public_key, prefix=prefix)
    )
    assert (report.intact, report.bad_seq) == (False, last.seq)
    assert anchored.anchor.name in report.reason and "rewritten" in report.reason


async def test_a_chain_cut_short_no_longer_reaches_its_checkpoint(
    behind_the_back: asyncpg.Connection, anchored: Anchored, store: ObjectStore, prefix: str
) -> None:
    _, middle, last = anchored.entries
    await behind_the_back.execute("DELETE FROM audit_log WHERE seq > $1", middle.seq)
    await behind_the_back.execute("UPDATE audit_head SET seq = $1, entry_hash = $2", middle.seq, middle.entry_hash)
    report = await verify_chain(
        behind_the_back, anchors=await checkpoints.load(store, anchored.public_key, prefix=prefix)
    )
    assert not report.intact
    assert f"checkpoint {anchored.anchor.name} anchors entry {last.seq}" in report.reason


async def test_a_checkpoint_signed_by_another_key_is_refused(
    pool: asyncpg.Pool, store: ObjectStore, settings: Settings, prefix: str
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        forged = await checkpoints.write(conn, store, Ed25519PrivateKey.generate(), prefix=prefix)
    key = checkpoints.signing_key(settings)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        report = await verify_chain(conn, anchors=await checkpoints.load(store, key.public_key(), prefix=prefix))
    assert not report.intact
    assert forged.name in report.reason and "signature" in report.reason


async def test_a_checkpoint_is_kept_under_compliance_retention(
    pool: asyncpg.Pool, store: ObjectStore, settings: Settings, prefix: str
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        anchored = await checkpoints.write(conn, store, checkpoints.signing_key(settings), prefix=prefix)
    found = store.client.stat_object(store.bucket, anchored.name)
    retention = store.client.get_object_retention(store.bucket, anchored.name, version_id=found.version_id)
    assert retention.mode == COMPLIANCE
    with pytest.raises(S3Error):
        store.client.remove_object(store.bucket, anchored.name, version_id=found.version_id)
    body = msgspec.json.decode(await store.read_small(anchored.name))
    assert body["checkpoint"]["seq"] == anchored.checkpoint.seq and body["signature"]
