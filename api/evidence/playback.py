"""Auditing downloads by playback (一次播放一条留痕).

A whole download is one audit entry, as it always was. A player that seeks sends a range request
per seek, dozens per viewing; an entry for each would bury the log a court reads. So the ranges of
one viewing are a *playback*: the first range a sign-in reads of an item opens one, with its audit
entry (``evidence.download`` naming the playback and the range); every later range of the same
sign-in and item joins it while the previous range was served less than ``WINDOW_S`` ago. Every
range, the first included, is kept in ``evidence_playback_ranges`` under the playback's id, so
which bytes were read stays on record without an audit entry each. A pause longer than the window,
another sign-in or another person opens a new playback and a new entry.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import uuid_utils

from api.auth.principal import Principal
from api.evidence.ranges import ByteRange
from storage import evidence
from storage.db import Connection

WINDOW_S = 300.0  # a viewer who pauses five minutes and comes back is a new viewing


async def entry_detail(
    conn: Connection, principal: Principal, item: asyncpg.Record, part: ByteRange | None
) -> dict[str, Any] | None:
    """The detail of the audit entry this download needs; None for a range that joins a live playback.

    The range itself is recorded either way.
    """
    detail = {"version_id": item["version_id"], "bytes": item["size"], "sha256": item["sha256"]}
    if part is None:
        return detail
    live = await _live(conn, principal, item["id"])
    playback = live or uuid.UUID(str(uuid_utils.uuid7()))
    if principal.sign_in_id is not None:
        await evidence.add_playback_range(
            conn,
            playback_id=playback,
            evidence_id=item["id"],
            user_id=principal.user_id,
            sign_in_id=principal.sign_in_id,
            first_byte=part.first,
            last_byte=part.last,
        )
    if live is not None:
        return None
    return detail | {"bytes": part.length, "range": f"{part.first}-{part.last}", "playback_id": str(playback)}


async def _live(conn: Connection, principal: Principal, evidence_id: uuid.UUID) -> uuid.UUID | None:
    if principal.sign_in_id is None:  # not from a sign-in (never over HTTP): every range is its own entry
        return None
    return await evidence.live_playback(
        conn, evidence_id=evidence_id, user_id=principal.user_id, sign_in_id=principal.sign_in_id, window_s=WINDOW_S
    )
