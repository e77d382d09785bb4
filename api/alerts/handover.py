"""Incidents left open by a lost node (节点失联后的事件结束): the API ends them once the camera changed hands.

A node that hands a camera back ends its open incidents itself; a node that was killed cannot, and the node
that takes the camera over opens incidents of its own (docs/fleet.md, "Alerts across a hand-over"). So each
watchdog sweep ends the vision incidents of a camera raised under an earlier lease generation and not seen
since a later generation took the lease (longer ago than one lease period, the time a node that handed the
camera back has to deliver its own ending). The ending is not a revision: revision numbers are the node's,
and revisions it wrote before it died may still come from its outbox. It sets ``ended_at`` (the incident's
last sighting) and ``handover`` (why, in Chinese, and the generation that took over); from then on the
node's revisions go into the history only (storage.alerts.upsert_current), so a late one neither reopens
the incident nor is lost nor stored twice.
"""

from __future__ import annotations

import uuid
from typing import Any

from api.alerts.flows import publish
from api.alerts.service import to_read
from api.audit.trail import Actor
from mobile_contract.alerts import AlertAction, AlertHandover
from storage import alerts
from storage.db import Connection


async def end_handed_over(conn: Connection, actor: Actor, *, department_id: uuid.UUID | None, grace_s: float) -> int:
    """End every open incident whose camera a later lease generation took over; returns how many."""
    ended = 0
    for row in await alerts.open_after_handover(conn, department_id=department_id, grace_s=grace_s):
        handover = handover_of(row)
        after = await alerts.end_at_handover(conn, id=row["id"], ended_at=row["last_seen_at"], handover=handover)
        await publish(
            conn, actor, AlertAction.HANDED_OVER, to_read(after), before=to_read(row), generation=handover.generation
        )
        ended += 1
    return ended


def handover_of(row: Any) -> AlertHandover:
    """Why the API ended the incident, and which lease generation took the camera over."""
    previous_node, previous = row["detail"].get("node"), row["previous_generation"]
    lost = f"分析节点 {previous_node} " if isinstance(previous_node, str) else "原分析节点"
    return AlertHandover(
        reason=f"{lost}失联（租约第 {previous} 代），摄像头已由节点 {row['new_node']} 接管"
        f"（租约第 {row['new_generation']} 代），原节点未能结束此事件，由平台结束",
        ended_at=row["now"],
        previous_node=previous_node if isinstance(previous_node, str) else None,
        previous_generation=previous,
        node=row["new_node"],
        generation=row["new_generation"],
        taken_over_at=row["taken_over_at"],
    )
