"""The lease loop (vision.fleet) against the real API: claim, renew, keep only while valid, hand back."""

from __future__ import annotations

import threading

import httpx
import pytest

from mobile_contract.auth import Role
from tests.api.sites.factories import register_site
from vision.config import FleetConfig, NodeConfig, OutboxConfig, PyTorchDetector
from vision.fleet import CameraKey, Granted, LeaseKeeper

pytestmark = pytest.mark.integration


class Clock:
    """Seconds that move only when the test says (how long the API stays away)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Held:
    """What the node was told to run, round after round."""

    def __init__(self) -> None:
        self.rounds: list[dict[CameraKey, Granted]] = []

    def __call__(self, runs: dict[CameraKey, Granted]) -> None:
        self.rounds.append(runs)


@pytest.fixture
async def department_with_cameras(client, make_department, make_user):
    department = await make_department()
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    site = await register_site(client, operator, cameras=("cam-1", "cam-2", "cam-3"))
    node = await make_user(Role.VISION_NODE, department, device_id=None)
    return site["id"], node


def keeper(tmp_path, http, held, clock, max_streams=2) -> LeaseKeeper:
    config = NodeConfig(
        detector=PyTorchDetector(weights="none"),
        outbox=OutboxConfig(dir=str(tmp_path / "outbox")),
        fleet=FleetConfig(max_streams=max_streams),
    )
    return LeaseKeeper(config, http, held, name="node-k", clock=clock)


async def test_a_round_claims_up_to_capacity_and_the_next_renews_them(tmp_path, live_server, department_with_cameras):
    site_id, node = department_with_cameras
    held, clock = Held(), Clock()
    async with httpx.AsyncClient(base_url=live_server, headers=node.headers) as http:
        lease_keeper = keeper(tmp_path, http, held, clock)
        assert await lease_keeper.round() == pytest.approx(5.0)  # a third of the API's 15 s lease
        await lease_keeper.round()
    first, second = held.rounds
    assert len(first) == 2 and {key[0] for key in first} == {site_id}
    assert second == first  # renewed: same cameras, same generations, nothing restarted
    assert [g.camera.id for g in first.values()] == [g.site.cameras[0].id for g in first.values()]
    assert (tmp_path / "outbox" / "alive").exists()


async def test_cut_off_from_the_api_it_keeps_cameras_only_while_their_leases_last(
    tmp_path, live_server, department_with_cameras
) -> None:
    _, node = department_with_cameras
    held, clock = Held(), Clock()
    async with httpx.AsyncClient(base_url=live_server, headers=node.headers) as http:
        lease_keeper = keeper(tmp_path, http, held, clock)
        await lease_keeper.round()
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9", timeout=1) as unreachable:
        lease_keeper.http = unreachable
        clock.now += 14.9  # the API's lease is 15 s, counted from when the granted request was sent
        await lease_keeper.round()
        assert len(held.rounds) == 1  # still running what it had
        clock.now += 0.2
        await lease_keeper.round()
    assert held.rounds[-1] == {}  # its leases may be another node's now: it stopped everything


async def test_on_stop_it_hands_every_lease_back_at_once(tmp_path, live_server, department_with_cameras) -> None:
    _, node = department_with_cameras
    held, clock, stop = Held(), Clock(), threading.Event()
    async with httpx.AsyncClient(base_url=live_server, headers=node.headers) as http:
        lease_keeper = keeper(tmp_path, http, held, clock, max_streams=3)
        await lease_keeper.round()
        stop.set()
        await lease_keeper.run(stop)
        assert held.rounds[-1] == {}
        other = keeper(tmp_path, http, Held(), clock, max_streams=3)
        other.name = "node-other"
        await other.round()  # no waiting for expiry: all three are free again
        assert len(other.running) == 3
