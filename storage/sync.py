"""What changed for an inspector since their last pull.

Rows carry ``txid``, the transaction that last wrote them. A pull reads in
(txid, id) order from a cursor. Transactions can commit out of txid order,
so the cursor alone could skip a row committed late; the floor therefore
only advances to the ``xmin`` of the snapshot taken when a paging run began
(every transaction below it had finished then). Rows at or above that
horizon may be sent again on the next pull: delivery is at-least-once.
"""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from storage.db import Connection

NIL = uuid.UUID(int=0)


class PullPosition(msgspec.Struct, array_like=True, frozen=True):
    floor: int  # every change below this was delivered
    horizon: int | None = None  # xmin when this paging run began
    cursor_txid: int | None = None
    cursor_id: uuid.UUID = NIL


async def current_xmin(conn: Connection) -> int:
    return int(await conn.fetchval("SELECT pg_snapshot_xmin(pg_current_snapshot())::text"))


async def changed_since(
    conn: Connection, *, user_id: uuid.UUID, department_id: uuid.UUID, position: PullPosition, limit: int
) -> list[asyncpg.Record]:
    """(type, id, txid) of changes after the position, in (txid, id) order."""
    cursor_txid = position.cursor_txid if position.cursor_txid is not None else position.floor
    after = "(txid, id) > ($3::text::xid8, $4::uuid)"
    return await conn.fetch(
        f"""
        SELECT type, id, txid::text AS txid_text FROM (
            SELECT 'record' AS type, id, txid FROM records
             WHERE department_id = $2 AND $1 = ANY (participant_ids) AND {after}
            UNION ALL
            SELECT 'case', id, txid FROM cases
             WHERE department_id = $2 AND $1 = ANY (participant_ids) AND {after}
            UNION ALL
            SELECT 'task', id, txid FROM tasks WHERE assignee_id = $1 AND {after}
        ) AS changes ORDER BY txid, id LIMIT $5
        """,  # noqa: S608 - the interpolated condition is a constant
        user_id,
        department_id,
        str(cursor_txid),
        position.cursor_id,
        limit,
    )


def txid_of(row: asyncpg.Record) -> int:
    return int(row["txid_text"])
