import uuid

import asyncpg
import pytest

from storage import audit


def entry(n: int) -> audit.AuditEntry:
    return audit.AuditEntry(
        actor_id=uuid.uuid4(),
        actor_role="inspector",
        department_id=None,
        device_id="D1",
        action="test.append",
        entity_type="test",
        entity_id=str(n),
        detail={"n": n, "gps": 31.25},
    )


async def test_appended_entries_chain_to_their_predecessors(pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        stored = await audit.append_many(conn, [entry(1), entry(2)])
    assert stored[1].prev_hash == stored[0].entry_hash
    async with pool.acquire() as conn:
        again = await audit.list_for_entity(conn, entity_type="test", entity_id="2")
    assert again[-1].entry_hash == audit.chain_hash(
        again[-1].prev_hash, again[-1].seq, again[-1].occurred_at, again[-1]
    )


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"],
)
async def test_database_refuses_changes_to_the_audit_log(pool, statement: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await audit.append(conn, entry(3))
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(statement)


@pytest.mark.parametrize("value", [1e20, -0.0, 0.1 + 0.2, 31.25, 2**53 + 1, "文字"])
async def test_entry_hash_survives_the_database_round_trip(pool, value) -> None:
    """jsonb would renormalise numbers (1e20 → 100000000000000000000) and break honest entries."""
    async with pool.acquire() as conn, conn.transaction():
        (stored,) = await audit.append_many(
            conn,
            [
                audit.AuditEntry(
                    actor_id=None,
                    actor_role="test",
                    department_id=None,
                    device_id=None,
                    action="test.number",
                    entity_type="test-number",
                    entity_id=repr(value),
                    detail={"value": value},
                )
            ],
        )
    async with pool.acquire() as conn:
        (again,) = await audit.list_for_entity(conn, entity_type="test-number", entity_id=repr(value))
    assert audit.chain_hash(again.prev_hash, again.seq, again.occurred_at, again) == stored.entry_hash
