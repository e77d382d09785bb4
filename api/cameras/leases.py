"""Camera leases (摄像头分析租约): many vision nodes share a department's cameras, none hand-assigned.

Each call of ``POST /cameras/leases`` is one round for one node, in one transaction:

1. the node is alive for another lease period, with the capacity (``max_streams``) it declares;
2. the leases it still runs are renewed (same generation); any other lease it held is freed;
3. its fair share is its part of the cameras in proportion to its capacity among the live nodes,
   rounded so that the shares add up to the cameras the fleet can run (largest remainder, ties by node
   name): every node is within one camera of its exact share, so a node that joins gets cameras;
4. below its share it claims free leases — never held, released, or expired — with ``FOR UPDATE SKIP
   LOCKED``; above it, the newest of its leases are marked ``release``: the node stops those cameras
   and leaves them out of its next call, which frees them for a node with room. Nothing is taken from a
   node by force, so a camera is never run twice on purpose.

A node that dies stops renewing: its leases and its capacity expire after ``lease_s`` and the others'
shares grow, so they claim its cameras on their next call. A node that cannot reach the API stops its
cameras itself once its leases may have expired (vision.fleet), so two nodes never run a camera for
longer than one lease period.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import msgspec

from api.audit.trail import entry as audit_entry
from api.auth.principal import Principal
from api.settings import FleetSettings
from mobile_contract.cameras import CameraLease, LeaseGrant, LeaseRequest
from mobile_contract.sites import SiteConfig
from mobile_contract.stream_urls import with_credentials
from storage import audit, camera_credentials, leases
from storage.db import Connection


def fair_shares(cameras: int, capacities: dict[str, int]) -> dict[str, int]:
    """Each live node's part of ``cameras`` by capacity: floors of the exact shares, then one more for the
    largest remainders (ties by name) until the shares add up to ``min(cameras, Σ capacities)``."""
    total = sum(capacities.values())
    if total <= 0:
        return dict.fromkeys(capacities, 0)
    exact = {node: min(cameras, total) * streams / total for node, streams in capacities.items()}
    shares = {node: math.floor(share) for node, share in exact.items()}
    by_remainder = sorted(exact, key=lambda node: (shares[node] - exact[node], node))
    for node in by_remainder[: min(cameras, total) - sum(shares.values())]:
        shares[node] += 1
    return shares


async def grant(db: Connection, principal: Principal, request: LeaseRequest, fleet: FleetSettings) -> LeaseGrant:
    department, node, lease_s = principal.department_id, request.node, fleet.lease_s
    await leases.register_node(
        db,
        department_id=department,
        node=node,
        user_id=principal.user_id,
        max_streams=request.max_streams,
        lease_s=lease_s,
    )
    await leases.materialise(db, department_id=department)
    held = [(h.site_id, h.camera_id, h.generation) for h in request.running]
    renewed = await leases.renew(db, department_id=department, node=node, held=held, lease_s=lease_s)
    freed = await leases.release_others(db, department_id=department, node=node, keep=_keys(renewed))
    in_sites = await leases.camera_count(db, department_id=department)
    share = fair_shares(in_sites, await leases.live_nodes(db, department_id=department))[node]
    claimed = await leases.claim(db, department_id=department, node=node, count=share - len(renewed), lease_s=lease_s)
    over = _over_share(renewed, share)
    if claimed or freed:
        await audit.append(db, _handover_entry(principal, node, claimed, freed))
    cameras = [_lease(row, release=(row["site_id"], row["camera_id"]) in over) for row in [*renewed, *claimed]]
    return LeaseGrant(
        node=node,
        lease_s=lease_s,
        renew_every_s=round(lease_s / 3, 3),
        fair_share=share,
        cameras=cameras,
        sites=await _sites_of(db, cameras),
    )


def _keys(rows: Sequence[Any]) -> list[tuple[str, str]]:
    return [(row["site_id"], row["camera_id"]) for row in rows]


def _over_share(renewed: Sequence[Any], share: int) -> set[tuple[str, str]]:
    """The newest leases beyond the share: handed back first, so long-held cameras stay where they run."""
    newest_first = sorted(renewed, key=lambda row: row["acquired_at"], reverse=True)
    return set(_keys(newest_first[: max(0, len(renewed) - share)]))


def _lease(row: Any, *, release: bool) -> CameraLease:
    return CameraLease(
        site_id=row["site_id"],
        camera_id=row["camera_id"],
        generation=row["generation"],
        expires_at=row["expires_at"],
        release=release,
    )


async def _sites_of(db: Connection, cameras: Sequence[CameraLease]) -> list[SiteConfig]:
    """The leased cameras' site configs, only those cameras, their stream credentials written in."""
    wanted = {(c.site_id, c.camera_id) for c in cameras}
    secrets = {(r["site_id"], r["camera_id"]): r for r in await camera_credentials.of_cameras(db, cameras=wanted)}
    sites = []
    for row in await leases.site_configs(db, site_ids=sorted({c.site_id for c in cameras})):
        config = msgspec.convert(row["config"], SiteConfig)
        mine = [_opened(c, secrets.get((config.id, c.id))) for c in config.cameras if (config.id, c.id) in wanted]
        sites.append(msgspec.structs.replace(config, cameras=mine))
    return sites


def _opened(camera: Any, secret: Any) -> Any:
    if secret is None:
        return camera
    urls = {"url": camera.url, "sub_url": camera.sub_url}
    opened = {k: with_credentials(v, secret["username"], secret["password"]) for k, v in urls.items() if v}
    return msgspec.structs.replace(camera, **opened)


def _handover_entry(principal: Principal, node: str, claimed: Sequence[Any], freed: int) -> audit.AuditEntry:
    """One entry per round that changed hands: which cameras the node took, at which generation."""
    taken = [f"{r['site_id']}/{r['camera_id']}#{r['generation']}" for r in claimed]
    return audit_entry(
        principal,
        action="camera.lease",
        entity_type="vision_node",
        entity_id=node,
        department_id=principal.department_id,
        detail={"claimed": taken, "released": freed},
    )
