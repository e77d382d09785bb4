"""A killed node's open incidents are ended by the API once a later lease generation took the camera over."""

from __future__ import annotations

import uuid

import pytest

from api.cameras.watchdog import sweep
from mobile_contract.auth import Role
from storage.db import transaction
from tests.api.cameras.test_leases import lease

pytestmark = pytest.mark.integration


async def swept(pool, monitoring, *, grace_s: float = 0.0) -> int:
    async with transaction(pool) as conn:
        return await sweep(conn, department_id=monitoring.department.id, handover_grace_s=grace_s)


async def deliver(client, monitoring, body: dict) -> dict:
    answer = await client.put(f"/alerts/{body['id']}", json=body, headers=monitoring.node.headers)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


async def alert_of(client, monitoring, alert_id: str) -> dict:
    answer = await client.get(f"/alerts/{alert_id}", headers=monitoring.operator.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def raised(monitoring, alert_id: uuid.UUID, revision: int, node: str, generation: int) -> dict:
    return monitoring.alert(alert_id, revision=revision, detail={"node": node, "lease_generation": generation})


async def killed(pool, node: str) -> None:
    """The node dies: its leases and its liveness expire (as test_leases does)."""
    async with pool.acquire() as conn:
        await conn.execute("UPDATE camera_leases SET expires_at = now() - interval '1 s' WHERE node = $1", node)
        await conn.execute("UPDATE vision_nodes SET expires_at = now() - interval '1 s' WHERE node = $1", node)


@pytest.fixture
async def taken_over(client, pool, monitoring, make_user) -> tuple[uuid.UUID, uuid.UUID]:
    """node-a raises two incidents under generation 1 (one delivered before it dies, one after from its outbox);
    node-b takes the camera over (generation 2) and opens its own."""
    [first] = (await lease(client, monitoring.node, "node-a", []))["cameras"]
    before, late = uuid.uuid4(), uuid.uuid4()
    await deliver(client, monitoring, raised(monitoring, before, 1, "node-a", first["generation"]))
    await deliver(client, monitoring, raised(monitoring, before, 2, "node-a", first["generation"]))
    await killed(pool, "node-a")
    other = await make_user(Role.VISION_NODE, monitoring.department, device_id=None)
    [second] = (await lease(client, other, "node-b", []))["cameras"]
    assert (first["generation"], second["generation"]) == (1, 2)
    await deliver(client, monitoring, raised(monitoring, late, 1, "node-a", 1))  # its outbox, after the take-over
    return before, late


async def test_the_incidents_of_the_earlier_generation_are_ended_with_why(client, pool, monitoring, taken_over) -> None:
    before, late = taken_over
    mine = uuid.uuid4()
    await deliver(client, monitoring, raised(monitoring, mine, 1, "node-b", 2))
    assert await swept(pool, monitoring, grace_s=3600) == 0  # within the grace: node-a could still end them
    assert await swept(pool, monitoring) == 2
    assert await swept(pool, monitoring) == 0
    for alert_id, revision in ((before, 2), (late, 1)):
        alert = await alert_of(client, monitoring, str(alert_id))
        assert alert["revision"] == revision and alert["ended_at"] == alert["last_seen_at"]
        handover = alert["handover"]
        assert (handover["node"], handover["generation"], handover["previous_generation"]) == ("node-b", 2, 1)
        assert "分析节点 node-a 失联" in handover["reason"] and "已由节点 node-b 接管" in handover["reason"]
    assert (await alert_of(client, monitoring, str(mine)))["ended_at"] is None  # node-b's own stays open
    async with pool.acquire() as conn:
        audited = await conn.fetch(
            "SELECT entity_id, actor_role, detail ->> 'generation' AS generation FROM audit_log"
            " WHERE action = 'alert.handed_over' ORDER BY entity_id",
        )
    assert sorted((r["entity_id"], r["actor_role"], r["generation"]) for r in audited) == sorted(
        (str(a), "watchdog", "2") for a in (before, late)
    )


async def test_a_late_revision_from_the_killed_node_is_kept_but_does_not_reopen(
    client, pool, monitoring, taken_over
) -> None:
    before, _ = taken_over
    assert await swept(pool, monitoring) == 2
    third = raised(monitoring, before, 3, "node-a", 1)  # in node-a's outbox when it died, delivered on restart
    assert (await deliver(client, monitoring, third))["outcome"] == "stored_late"
    assert (await deliver(client, monitoring, third))["outcome"] == "replayed"  # resent: stored once
    alert = await alert_of(client, monitoring, str(before))
    assert alert["revision"] == 2 and alert["ended_at"] is not None and alert["handover"]["generation"] == 2
    assert [r["revision"] for r in alert["revisions"]] == [1, 2, 3]
    assert await swept(pool, monitoring) == 0


async def test_a_lease_generation_that_is_no_whole_number_neither_ends_the_alert_nor_stops_the_sweep(
    client, pool, monitoring, taken_over
) -> None:
    odd = [uuid.uuid4() for _ in range(3)]
    for alert_id, generation in zip(odd, ("1", 1.5, -1e30), strict=True):
        await deliver(client, monitoring, monitoring.alert(alert_id, detail={"lease_generation": generation}))
    assert await swept(pool, monitoring) == 2  # the two of taken_over, none of these
    assert [(await alert_of(client, monitoring, str(a)))["ended_at"] for a in odd] == [None, None, None]
