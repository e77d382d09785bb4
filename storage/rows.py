"""Insert and update one row from a dict whose keys are column names chosen by our code, never by a client."""

from __future__ import annotations

import uuid
from typing import Any

from storage.db import Connection


async def insert(conn: Connection, *, table: str, row: dict[str, Any], on_conflict: str = "") -> bool:
    """INSERT the row; ``on_conflict`` is e.g. ``"ON CONFLICT (permit_no) DO NOTHING"``. True when inserted."""
    names = ", ".join(row)
    params = ", ".join(f"${i + 1}" for i in range(len(row)))
    sql = f"INSERT INTO {table} ({names}) VALUES ({params}) {on_conflict} RETURNING true"  # noqa: S608
    return bool(await conn.fetchval(sql, *row.values()))


async def update(conn: Connection, *, table: str, id: uuid.UUID, changes: dict[str, Any], also: str = "") -> None:
    """UPDATE the row with primary key ``id``; ``also`` adds fixed assignments such as ``version = version + 1``."""
    assignments = ", ".join([*(f"{name} = ${i + 2}" for i, name in enumerate(changes)), *([also] if also else [])])
    await conn.execute(f"UPDATE {table} SET {assignments} WHERE id = $1", id, *changes.values())  # noqa: S608
