"""Camera leases: nodes claim up to their fair share, renew, hand back, and take over expired leases."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.cameras.leases import fair_shares
from mobile_contract.auth import Role
from tests.api.sites.factories import register_site

pytestmark = pytest.mark.integration


@pytest.fixture
async def fleet(client, make_department, make_user):
    """A department with 12 cameras on 3 sites and three vision-node accounts."""
    department = await make_department()
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    for n in range(3):
        await register_site(client, operator, cameras=tuple(f"cam-{n}-{i}" for i in range(4)))
    nodes = [await make_user(Role.VISION_NODE, department, device_id=None) for _ in range(3)]
    return operator, nodes


async def lease(client, node, name: str, running: list[dict], max_streams: int = 8) -> dict:
    body = {"node": name, "max_streams": max_streams, "running": running}
    answer = await client.post("/cameras/leases", json=body, headers=node.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def held(grant: dict) -> list[dict]:
    """What a well-behaved node runs next: its grant, less what it was told to hand back."""
    return [{k: c[k] for k in ("site_id", "camera_id", "generation")} for c in grant["cameras"] if not c["release"]]


async def test_nodes_share_the_cameras_by_capacity_without_overlap(client, fleet) -> None:
    _, (a, b, _c) = fleet
    first = await lease(client, a, "node-a", [])
    assert len(first["cameras"]) == 8  # alone: its capacity, though 12 cameras wait
    second = await lease(client, b, "node-b", [], max_streams=4)
    # shares: a ceil(12*8/12) = 8, b ceil(12*4/12) = 4
    assert (second["fair_share"], len(second["cameras"])) == (4, 4)
    mine = {(c["site_id"], c["camera_id"]) for c in first["cameras"]}
    theirs = {(c["site_id"], c["camera_id"]) for c in second["cameras"]}
    assert not mine & theirs and len(mine | theirs) == 12
    again = await lease(client, a, "node-a", held(first))
    assert [c["generation"] for c in again["cameras"]] == [c["generation"] for c in first["cameras"]]


async def test_a_node_above_its_share_hands_cameras_back_and_a_new_node_takes_them(client, fleet) -> None:
    _, (a, b, _c) = fleet
    grant_a = await lease(client, a, "node-a", [], max_streams=12)
    assert len(grant_a["cameras"]) == 12
    assert (await lease(client, b, "node-b", [], max_streams=12))["cameras"] == []  # nothing free yet
    grant_a = await lease(client, a, "node-a", held(grant_a), max_streams=12)
    assert Counter(c["release"] for c in grant_a["cameras"]) == {False: 6, True: 6}
    grant_a = await lease(client, a, "node-a", held(grant_a), max_streams=12)  # a stopped those six
    grant_b = await lease(client, b, "node-b", [], max_streams=12)
    assert (len(held(grant_a)), len(held(grant_b))) == (6, 6)


async def test_an_expired_lease_is_taken_over_with_a_new_generation(client, fleet, pool) -> None:
    _, (a, b, _c) = fleet
    grant_a = await lease(client, a, "node-a", [], max_streams=12)
    async with pool.acquire() as conn:  # node-a dies: its leases and its liveness expire
        await conn.execute("UPDATE camera_leases SET expires_at = now() - interval '1 s' WHERE node = 'node-a'")
        await conn.execute("UPDATE vision_nodes SET expires_at = now() - interval '1 s' WHERE node = 'node-a'")
    grant_b = await lease(client, b, "node-b", [], max_streams=12)
    assert len(grant_b["cameras"]) == 12
    before = {(c["site_id"], c["camera_id"]): c["generation"] for c in grant_a["cameras"]}
    assert all(c["generation"] == before[(c["site_id"], c["camera_id"])] + 1 for c in grant_b["cameras"])
    # node-a comes back and renews what it had: it is told to stop (nothing granted it still holds)
    back = await lease(client, a, "node-a", held(grant_a), max_streams=12)
    assert back["cameras"] == []


async def test_concurrent_claims_never_grant_one_camera_twice(client, fleet) -> None:
    _, nodes = fleet
    grants = await asyncio.gather(*(lease(client, n, f"node-{i}", [], max_streams=5) for i, n in enumerate(nodes)))
    taken = [(c["site_id"], c["camera_id"]) for g in grants for c in g["cameras"]]
    assert len(taken) == len(set(taken)) == 12


async def test_the_grant_carries_credentials_only_for_leased_cameras(client, fleet) -> None:
    operator, (a, _b, _c) = fleet
    site = (await client.get("/sites", headers=operator.headers)).json()["items"][0]
    body = {"username": "admin", "password": "p@ss:word"}
    for camera in site["config"]["cameras"]:
        url = f"/cameras/{site['id']}/{camera['id']}/credentials"
        assert (await client.put(url, json=body, headers=operator.headers)).status_code == 200
    grant = await lease(client, a, "node-a", [], max_streams=2)
    [granted] = grant["sites"]
    assert len(granted["cameras"]) == 2
    assert all(c["url"].startswith("rtsp://admin:p%40ss%3Aword@10.0.0.1/") for c in granted["cameras"])


async def test_only_vision_nodes_lease(client, fleet) -> None:
    operator, _ = fleet
    body = {"node": "x", "max_streams": 1, "running": []}
    assert (await client.post("/cameras/leases", json=body, headers=operator.headers)).status_code == 403


@given(
    cameras=st.integers(0, 500),
    capacities=st.lists(st.integers(0, 64), min_size=1, max_size=10),
)
def test_fair_shares_cover_what_the_fleet_can_run_each_within_one_camera(cameras: int, capacities: list[int]) -> None:
    nodes = {f"node-{i}": c for i, c in enumerate(capacities)}
    shares, total = fair_shares(cameras, nodes), sum(capacities)
    assert all(0 <= shares[n] <= c for n, c in nodes.items())
    assert sum(shares.values()) == min(cameras, total)  # no camera left over, none promised twice
    assert all(abs(shares[n] - min(cameras, total) * c / total) < 1 for n, c in nodes.items() if total)


async def test_a_node_that_joins_gets_cameras_from_nodes_at_their_share(client, fleet) -> None:
    _, (a, b, c) = fleet

    async def rounds(*nodes: tuple) -> list[dict]:
        """One round of each node, as well-behaved nodes run them: what is not to be handed back."""
        return [await lease(client, n, name, held(grants[name]), max_streams=12) for n, name in nodes]

    grants = {"node-a": {"cameras": []}, "node-b": {"cameras": []}, "node-c": {"cameras": []}}
    for _ in range(3):  # a takes all 12, is told to hand 6 back once b is alive, b takes them
        grants.update(zip(("node-a", "node-b"), await rounds((a, "node-a"), (b, "node-b")), strict=True))
    assert [len(held(grants[n])) for n in ("node-a", "node-b")] == [6, 6]
    for _ in range(3):  # c joins: 12 by three, 4 each; a and b hand two back each
        grants.update(zip(grants, await rounds((a, "node-a"), (b, "node-b"), (c, "node-c")), strict=True))
    assert [len(held(g)) for g in grants.values()] == [4, 4, 4]
    assert {g["fair_share"] for g in grants.values()} == {4}
