"""The end state against the handheld's own copy (终态核对): sent, stored, duplicated, lost.

- **stored**: items of the copy the server holds with exactly the device's content (same canonical
  SHA-256), once;
- **duplicated**: an item applied more than once (more than one ``*.create`` audit entry, or a
  version beyond the first for an item only ever created), plus rows the device never made;
- **lost**: items the device made (and was not told were refused by design) that the server does
  not hold with the device's content. Both must be 0.
"""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from mobile_contract.records import CaseContent, RecordContent
from storage.canonical import canonical_sha256
from tests.faults.handheld import Handheld
from tests.faults.installation import Installation

CONTENT_TYPES = {"case": CaseContent, "record": RecordContent}
TABLES = {"case": "cases", "record": "records"}


class Tally(msgspec.Struct):
    """One scenario's figures, as the report quotes them."""

    scenario: str
    size: str
    sent: int
    stored: int
    duplicated: int
    lost: int
    recover_s: float | None = None
    note: str = ""


def expected_sha256(handheld: Handheld, id: uuid.UUID) -> str:
    made = handheld.copy[id]
    content = (made.op.get("case") or made.op.get("record"))["content"]
    return canonical_sha256(msgspec.json.decode(msgspec.json.encode(content), type=CONTENT_TYPES[made.kind]))


def examine(installation: Installation, handheld: Handheld, scenario: str, size: str, **figures) -> Tally:
    wanted = [id for id, made in handheld.copy.items() if made.expect_stored]
    by_kind = {kind: [id for id in wanted if handheld.copy[id].kind == kind] for kind in TABLES}
    rows, duplicated = installation.query(lambda conn: _read(conn, by_kind, handheld.person.user_id))
    stored = [id for id in wanted if rows.get(id) == (expected_sha256(handheld, id), 1)]
    return Tally(
        scenario,
        size,
        sent=len(wanted),
        stored=len(stored),
        duplicated=duplicated,
        lost=len(wanted) - len(stored),
        **figures,
    )


async def _read(
    conn: asyncpg.Connection, by_kind: dict[str, list[uuid.UUID]], user_id: uuid.UUID
) -> tuple[dict[uuid.UUID, tuple[str, int]], int]:
    rows, duplicated = {}, 0
    for kind, ids in by_kind.items():
        table = TABLES[kind]
        found = await conn.fetch(f"SELECT id, content_sha256, version FROM {table} WHERE id = ANY($1)", ids)
        rows |= {r["id"]: (r["content_sha256"].strip(), r["version"]) for r in found}
        duplicated += await conn.fetchval(
            f"SELECT count(*) FROM {table} WHERE created_by = $1 AND id <> ALL($2)", user_id, ids
        )
        duplicated += await conn.fetchval(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM audit_log WHERE action = $1"
            " AND entity_id = ANY($2) GROUP BY entity_id) AS per_item",
            f"{kind}.create",
            [str(id) for id in ids],
        )
    return rows, duplicated
