"""The lease loop (租约循环): which cameras this node analyses, settled with the other nodes through the API.

Every ``renew_every_s`` (a third of the API's lease period) the node tells ``POST /cameras/leases`` what it
runs, with the generation each lease was granted at, and its capacity (``fleet.max_streams``). The answer
is all it may run: it starts the cameras newly granted, stops those not listed, and stops those marked
``release`` (above its fair share), which it then leaves out of its next call so another node takes them.
A node that cannot reach the API keeps its cameras only while their leases may still be valid, counted
from when its last granted request was sent; after that it stops them all, since another node may hold
them by then. So no camera is analysed by two nodes for longer than one lease period.

After every granted round the node touches ``<outbox>/alive`` (the Kubernetes probes look at it). On
shutdown it hands everything back at once (capacity 0, nothing running) instead of letting it expire.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import msgspec

from mobile_contract.cameras import HeldLease, LeaseGrant, LeaseRequest
from mobile_contract.sites import CameraConfig, SiteConfig
from vision.config import NodeConfig

log = logging.getLogger(__name__)
RETRY_S = 1.0  # after a failed round, try again this soon (while the leases last)

CameraKey = tuple[str, str]  # (site id, camera id)


class Granted(msgspec.Struct, frozen=True):
    """A camera this node may run: its site (credentials written in), its config and lease generation."""

    site: SiteConfig
    camera: CameraConfig
    generation: int


def node_name(config: NodeConfig, env: dict[str, str] | None = None) -> str:
    """The lease holder's name: the config's, else ``VISION_NODE_NAME`` (the pod's name), else the host's."""
    env = dict(os.environ) if env is None else env
    return config.fleet.node or env.get("VISION_NODE_NAME") or socket.gethostname()


def granted(grant: LeaseGrant) -> dict[CameraKey, Granted]:
    """What the grant lets the node run now: every listed camera not marked for hand-back."""
    sites = {site.id: site for site in grant.sites}
    runs = {}
    for lease in grant.cameras:
        site = sites.get(lease.site_id)
        camera = next((c for c in site.cameras if c.id == lease.camera_id), None) if site else None
        if not lease.release and site is not None and camera is not None:
            alone = msgspec.structs.replace(site, cameras=[camera])  # unchanged when other cameras come and go
            runs[(lease.site_id, lease.camera_id)] = Granted(alone, camera, lease.generation)
    return runs


class LeaseKeeper:
    """Runs the lease rounds for one node; ``hold`` makes the node run exactly the cameras given."""

    def __init__(
        self,
        config: NodeConfig,
        http: httpx.AsyncClient,
        hold: Callable[[dict[CameraKey, Granted]], None],
        *,
        name: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_streams = config.fleet.max_streams
        self.alive = Path(config.outbox.dir) / "alive"
        self.http = http
        self.hold = hold
        self.name = name
        self.clock = clock
        self.running: dict[CameraKey, Granted] = {}
        self.valid_until = 0.0  # clock time until which the node's leases are surely not taken over

    async def run(self, stop: threading.Event) -> None:
        """Rounds until ``stop`` is set; then everything is stopped and handed back."""
        try:
            while not stop.is_set():
                await asyncio.to_thread(stop.wait, await self.round())
        finally:
            await self._apply({})
            await self._hand_back()

    async def round(self) -> float:
        """One lease round; seconds until the next."""
        sent = self.clock()
        try:
            grant = await self._post(self.max_streams, self._held())
        except (httpx.HTTPError, msgspec.ValidationError) as exc:
            if self.running and self.clock() >= self.valid_until:
                log.warning("leases not renewed since they expired (%s): stopping every camera", exc)
                await self._apply({})
            else:
                log.warning("lease round failed: %s", exc)
            return RETRY_S
        self.valid_until = sent + grant.lease_s
        await self._apply(granted(grant))
        self.alive.parent.mkdir(parents=True, exist_ok=True)
        self.alive.touch()
        return grant.renew_every_s

    def _held(self) -> list[HeldLease]:
        return [HeldLease(site_id=s, camera_id=c, generation=g.generation) for (s, c), g in self.running.items()]

    async def _post(self, max_streams: int, running: list[HeldLease]) -> LeaseGrant:
        body = LeaseRequest(node=self.name, max_streams=max_streams, running=running)
        response = await self.http.post("/cameras/leases", json=msgspec.to_builtins(body))
        response.raise_for_status()
        return msgspec.json.decode(response.content, type=LeaseGrant)

    async def _apply(self, runs: dict[CameraKey, Granted]) -> None:
        """The node runs ``runs`` (stopping a camera waits for its pipeline to end its incidents)."""
        if runs != self.running:
            started, stopped = runs.keys() - self.running.keys(), self.running.keys() - runs.keys()
            log.info("node %s runs %d cameras (+%d −%d)", self.name, len(runs), len(started), len(stopped))
        await asyncio.to_thread(self.hold, runs)
        self.running = runs

    async def _hand_back(self) -> None:
        """Free this node's leases now rather than after they expire."""
        try:
            await self._post(0, [])
        except (httpx.HTTPError, msgspec.ValidationError) as exc:
            log.warning("leases not handed back (they expire by themselves): %s", exc)
