"""The chain check finds tampering done behind the database's back, at the exact entry.

Each tampering runs as the superuser with ``session_replication_role = replica``
(which skips the append-only triggers) inside a transaction that is rolled
back, so the session's shared chain is never left broken for other tests.
"""

import uuid

import asyncpg

from api.audit.service import verify_chain
from storage import audit


async def append_three(conn: asyncpg.Connection) -> list[audit.StoredAuditEntry]:
    entries = [
        audit.AuditEntry(
            actor_id=uuid.uuid4(),
            actor_role="inspector",
            department_id=None,
            device_id="IMEI-1",
            action="evidence.read",
            entity_type="evidence",
            entity_id=str(uuid.uuid4()),
            detail={"n": n},
        )
        for n in range(3)
    ]
    return await audit.append_many(conn, entries)


async def test_an_intact_chain_verifies_up_to_its_head(pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        appended = await append_three(conn)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):  # one snapshot for both reads
        report = await verify_chain(conn, batch=7)  # a small batch crosses many batch boundaries
        head = await conn.fetchrow("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert report.intact, report
    assert report.entries >= appended[-1].seq
    assert (report.entries, report.head_hash) == (head["seq"], head["entry_hash"])


async def test_an_altered_field_is_found_at_its_entry(behind_the_back) -> None:
    _, middle, _ = await append_three(behind_the_back)
    await behind_the_back.execute("UPDATE audit_log SET actor_role = 'admin' WHERE seq = $1", middle.seq)

    report = await verify_chain(behind_the_back)

    assert (report.intact, report.bad_seq, report.entries) == (False, middle.seq, middle.seq - 1)
    assert "altered" in report.reason


async def test_an_altered_entry_with_a_recomputed_hash_breaks_the_next_link(behind_the_back) -> None:
    _, middle, last = await append_three(behind_the_back)
    forged = audit.AuditEntry(**{f: getattr(middle, f) for f in audit.AuditEntry.__struct_fields__} | {"detail": {}})
    forged_hash = audit.chain_hash(middle.prev_hash, middle.seq, middle.occurred_at, forged)
    await behind_the_back.execute(
        "UPDATE audit_log SET detail = '{}', entry_hash = $2 WHERE seq = $1", middle.seq, forged_hash
    )

    report = await verify_chain(behind_the_back)

    assert report.bad_seq == last.seq
    assert f"hash of entry {middle.seq}" in report.reason


async def test_a_deleted_entry_is_named(behind_the_back) -> None:
    _, middle, _ = await append_three(behind_the_back)
    await behind_the_back.execute("DELETE FROM audit_log WHERE seq = $1", middle.seq)

    report = await verify_chain(behind_the_back)

    assert report.bad_seq == middle.seq
    assert "missing" in report.reason


async def test_reordered_entries_are_found_where_the_order_breaks(behind_the_back) -> None:
    _, middle, last = await append_three(behind_the_back)
    for seq_from, seq_to in ((middle.seq, -1), (last.seq, middle.seq), (-1, last.seq)):  # swap the two
        await behind_the_back.execute("UPDATE audit_log SET seq = $2 WHERE seq = $1", seq_from, seq_to)

    report = await verify_chain(behind_the_back)

    assert report.bad_seq == middle.seq
    assert "prev_hash" in report.reason


async def insert_forgery(conn, after: audit.StoredAuditEntry, *, hashed_right: bool) -> int:
    """Shift every entry after ``after`` up by one and put a forged copy of the next one in the gap."""
    seq = after.seq + 1
    await conn.execute("UPDATE audit_log SET seq = -seq WHERE seq >= $1", seq)
    await conn.execute("UPDATE audit_log SET seq = 1 - seq WHERE seq < 0")
    original = await conn.fetchrow("SELECT * FROM audit_log WHERE seq = $1", seq + 1)
    forged = audit.AuditEntry(**{f: original[f] for f in audit.AuditEntry.__struct_fields__} | {"action": "forged"})
    entry_hash = audit.chain_hash(after.entry_hash, seq, original["occurred_at"], forged)
    await conn.execute(
        "INSERT INTO audit_log SELECT $1, occurred_at, actor_id, actor_role, department_id, device_id, 'forged',"
        " entity_type, entity_id, before_hash, after_hash, detail, $2, $3 FROM audit_log WHERE seq = $4",
        seq,
        after.entry_hash,
        entry_hash if hashed_right else "f" * 64,
        seq + 1,
    )
    return seq


async def test_a_forged_insertion_is_found_at_the_forgery_when_its_hash_is_wrong(behind_the_back) -> None:
    first, *_ = await append_three(behind_the_back)
    forged_seq = await insert_forgery(behind_the_back, first, hashed_right=False)

    report = await verify_chain(behind_the_back)

    assert (report.bad_seq, report.entries) == (forged_seq, forged_seq - 1)
    assert "altered" in report.reason


async def test_a_cleanly_forged_insertion_is_found_at_the_next_genuine_entry(behind_the_back) -> None:
    """A forgery that hashes right is indistinguishable alone; the genuine entry after it no longer links."""
    first, *_ = await append_three(behind_the_back)
    forged_seq = await insert_forgery(behind_the_back, first, hashed_right=True)

    report = await verify_chain(behind_the_back)

    assert report.bad_seq == forged_seq + 1
    assert f"hash of entry {forged_seq}" in report.reason


async def test_an_entry_slipped_in_before_the_start_is_named(behind_the_back) -> None:
    (first, *_) = await append_three(behind_the_back)
    await behind_the_back.execute("UPDATE audit_log SET seq = 0 WHERE seq = $1", first.seq)

    report = await verify_chain(behind_the_back)

    assert (report.intact, report.bad_seq) == (False, 0)
