import datetime as dt
import uuid

import asyncpg
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def _reference_canonical(seq: int, occurred_at: dt.datetime, entry: audit.AuditEntry) -> bytes:
    """The hashed bytes as defined since the first entry: one sorted-key JSON object of every field,
    seq and occurred_at (UTC, ISO 8601). Chains written before any later optimisation must still verify."""
    body = {name: getattr(entry, name) for name in audit.AuditEntry.__struct_fields__}
    body |= {"seq": seq, "occurred_at": occurred_at.astimezone(dt.UTC).isoformat()}
    return msgspec.json.encode(body, order="sorted")


_text = st.text(max_size=12)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@given(
    seq=st.integers(min_value=1, max_value=2**62),
    occurred_at=st.datetimes(timezones=st.timezones()),
    entry=st.builds(
        audit.AuditEntry,
        actor_id=st.none() | st.uuids(),
        actor_role=_text,
        department_id=st.none() | st.uuids(),
        device_id=st.none() | _text,
        action=_text,
        entity_type=_text,
        entity_id=_text,
        before_hash=st.none() | _text,
        after_hash=st.none() | _text,
        detail=st.dictionaries(_text, _json, max_size=4),
    ),
)
def test_canonical_bytes_are_the_sorted_json_of_every_field(seq, occurred_at, entry) -> None:
    assert audit.canonical_bytes(seq, occurred_at, entry) == _reference_canonical(seq, occurred_at, entry)
