"""``enforce audit verify`` against the test database.

The broken-chain case has to commit its tampering (the command reads with its
own connection), so it puts the entry back in ``finally``.
"""

import asyncio
import re

from typer.testing import CliRunner, Result

from api.cli import app
from api.settings import settings_environment
from storage import audit


async def enforce(settings, *args: str) -> Result:
    env = settings_environment(settings)  # the test database and evidence store, and the audit signing key
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)


async def verify(settings) -> Result:
    return await enforce(settings, "audit", "verify", "--batch", "50")


async def append_one(pool) -> audit.StoredAuditEntry:
    entry = audit.AuditEntry(
        actor_id=None,
        actor_role="cli",
        department_id=None,
        device_id=None,
        action="test",
        entity_type="t",
        entity_id="1",
    )
    async with pool.acquire() as conn, conn.transaction():
        return await audit.append(conn, entry)


async def test_an_intact_chain_exits_zero_and_names_its_head(pool, settings) -> None:
    await append_one(pool)
    result = await verify(settings)
    assert result.exit_code == 0, result.output
    # stdout alone: stderr says which database the command acts on
    assert re.fullmatch(r"chain intact: \d+ entries, head [0-9a-f]{64}\nmatches \d+ checkpoints\n", result.stdout)


async def test_a_checkpoint_on_demand_anchors_the_head_and_verify_checks_it(pool, settings) -> None:
    appended = await append_one(pool)
    written = await enforce(settings, "audit", "checkpoint")
    assert written.exit_code == 0, written.output
    assert re.match(rf"checkpoint audit-checkpoints/\d{{12}}-\w+\.json: seq {appended.seq}, head ", written.output)
    checked = await verify(settings)
    assert checked.exit_code == 0, checked.output
    assert int(re.search(r"matches (\d+) checkpoints", checked.output)[1]) >= 1


async def test_a_tampered_entry_exits_one_and_is_named(pool, settings) -> None:
    target = await append_one(pool)
    async with pool.acquire() as conn:
        await conn.execute("SET session_replication_role = replica")
        try:
            await conn.execute("UPDATE audit_log SET entity_id = '2' WHERE seq = $1", target.seq)
            result = await verify(settings)
        finally:
            await conn.execute("UPDATE audit_log SET entity_id = $2 WHERE seq = $1", target.seq, target.entity_id)
            await conn.execute("RESET session_replication_role")
    assert result.exit_code == 1
    assert f"chain broken at seq {target.seq}: entry_hash does not match" in result.output
    assert (await verify(settings)).exit_code == 0
