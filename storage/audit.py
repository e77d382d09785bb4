"""The audit log (全程留痕、可回溯): append-only and hash-chained.

Each entry's hash covers the previous entry's hash and the entry's own
canonical JSON, so changing, removing or reordering any entry behind the
database's back breaks every hash after it. The database refuses UPDATE,
DELETE and TRUNCATE on the table (migration 0001). Appends take a
transaction-scoped advisory lock, so the chain has exactly one successor per
entry; callers append as the last step before commit to keep that short.

The head (last seq and hash) lives in the one-row ``audit_head`` table: an
append takes the chain's advisory lock and reads the head (``audit_lock_head()``,
one round trip), then writes its entries and moves the head in one statement.

An entry made while a request is served carries the request's id in its ``detail``
(``request_id``, set by ``api.observability.requests``), so it can be matched with the log lines
of that request; being in ``detail`` it is covered by the entry's hash like the rest.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg
import msgspec
import prometheus_client

from storage import bulk
from storage.db import Connection

GENESIS_HASH = "0" * 64
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_request_id", default=None)
APPEND_SECONDS = prometheus_client.Histogram(
    "enforce_audit_append_seconds",
    "Time to append entries to the audit chain (lock, head, insert), per append",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5),
)


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    """What happened (操作), by whom, on which device, to what."""

    actor_id: uuid.UUID | None
    actor_role: str
    department_id: uuid.UUID | None
    device_id: str | None
    action: str
    entity_type: str
    entity_id: str
    before_hash: str | None = None
    after_hash: str | None = None
    detail: dict[str, Any] = {}


class StoredAuditEntry(AuditEntry, frozen=True, kw_only=True):
    seq: int
    occurred_at: dt.datetime
    prev_hash: str
    entry_hash: str


def canonical_bytes(seq: int, occurred_at: dt.datetime, entry: AuditEntry) -> bytes:
    """The exact bytes hashed for an entry: sorted-key JSON of every field, with its seq and time."""
    return _canonical(seq, _timestamp(occurred_at), _body(entry))


def _timestamp(occurred_at: dt.datetime) -> str:
    return occurred_at.astimezone(dt.UTC).isoformat()


def _body(entry: AuditEntry) -> bytes:
    """Sorted-key JSON of the entry's own fields (a StoredAuditEntry also carries its seq and hashes)."""
    return msgspec.json.encode({name: getattr(entry, name) for name in AuditEntry.__struct_fields__}, order="sorted")


# "occurred_at" and "seq" sort after every field of an entry, so its canonical bytes are its body with
# those two keys appended: the body can be encoded before the entry has a place in the chain.
if max(AuditEntry.__struct_fields__) >= "occurred_at":
    raise RuntimeError("an AuditEntry field sorts after 'occurred_at': canonical_bytes must be rewritten")


def _canonical(seq: int, timestamp: str, body: bytes) -> bytes:
    return b'%s,"occurred_at":%s,"seq":%d}' % (body[:-1], msgspec.json.encode(timestamp), seq)


def chain_hash(prev_hash: str, seq: int, occurred_at: dt.datetime, entry: AuditEntry) -> str:
    return _link(prev_hash, canonical_bytes(seq, occurred_at, entry))


def _link(prev_hash: str, canonical: bytes) -> str:
    """An entry's hash: SHA-256 of its predecessor's hash followed by its own canonical bytes."""
    return hashlib.sha256(prev_hash.encode() + canonical).hexdigest()


class PreparedEntry(msgspec.Struct, frozen=True):
    """An entry with the part of its hash input that does not depend on its place in the chain.

    Preparing is most of an append's Python work; a caller that makes many entries can prepare them
    while it waits for the database, and then append holds the chain's lock for less.
    """

    entry: AuditEntry
    body: bytes  # _body(entry)
    detail: str  # the detail column: JSON text, stored as sent (a json column, never renormalised)


def prepare(entry: AuditEntry) -> PreparedEntry:
    if (request_id := current_request_id.get()) is not None and "request_id" not in entry.detail:
        entry = msgspec.structs.replace(entry, detail={**entry.detail, "request_id": request_id})
    return PreparedEntry(entry, _body(entry), msgspec.json.encode(entry.detail).decode())


async def append_many(conn: Connection, entries: Sequence[AuditEntry]) -> list[StoredAuditEntry]:
    """Append entries in order, continuing the chain; returns them as stored."""
    return await append_prepared(conn, [prepare(entry) for entry in entries])


async def append_prepared(conn: Connection, prepared: Sequence[PreparedEntry]) -> list[StoredAuditEntry]:
    """``append_many`` for entries prepared beforehand."""
    if not prepared:
        return []
    started = time.perf_counter()
    head = await conn.fetchrow("SELECT seq, entry_hash FROM audit_lock_head()")
    assert head is not None  # the function returns its one row
    seq, prev = head["seq"], head["entry_hash"]
    now = dt.datetime.now(dt.UTC)
    timestamp = _timestamp(now)  # one clock reading per append: the entries happened together
    stored = []
    for item in prepared:
        seq += 1
        entry_hash = _link(prev, _canonical(seq, timestamp, item.body))
        fields = msgspec.structs.asdict(item.entry)
        stored.append(StoredAuditEntry(**fields, seq=seq, occurred_at=now, prev_hash=prev, entry_hash=entry_hash))
        prev = entry_hash
    columns = [
        [item.detail for item in prepared] if c == "detail" else [getattr(e, c) for e in stored] for c in COLUMNS
    ]
    select, params = bulk.rows_select(_TYPED_COLUMNS, columns)
    await conn.execute(_append_sql(select, len(params)), *params, seq, prev)
    APPEND_SECONDS.observe(time.perf_counter() - started)
    return stored


async def append(conn: Connection, entry: AuditEntry) -> StoredAuditEntry:
    return (await append_many(conn, [entry]))[0]


COLUMNS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_role",
    "department_id",
    "device_id",
    "action",
    "entity_type",
    "entity_id",
    "before_hash",
    "after_hash",
    "detail",
    "prev_hash",
    "entry_hash",
)


_TYPES = ("int8", "timestamptz", "uuid", "text", "uuid", "text", "text", "text", "text", "text", "text", "json",
          "text", "text")  # fmt: skip
_TYPED_COLUMNS = tuple(zip(COLUMNS, _TYPES, strict=True))


def _append_sql(select: str, params: int) -> str:
    return (
        f"WITH appended AS (INSERT INTO audit_log ({', '.join(COLUMNS)}) {select})"  # noqa: S608 - fixed identifiers
        f" UPDATE audit_head SET seq = ${params + 1}, entry_hash = ${params + 2}"
    )


def _from_record(record: Any) -> StoredAuditEntry:
    return StoredAuditEntry(**{c: record[c] for c in COLUMNS})


async def head(conn: Connection) -> asyncpg.Record:
    """The chain's last seq and entry hash (without taking its lock)."""
    row = await conn.fetchrow("SELECT seq, entry_hash FROM audit_head")
    assert row is not None  # the table holds exactly one row
    return row


async def iter_chain(conn: Connection, *, after_seq: int = 0, batch: int = 5000) -> AsyncIterator[StoredAuditEntry]:
    """Every entry from ``after_seq`` on, in order, read in batches."""
    while True:
        rows = await conn.fetch(
            f"SELECT {', '.join(COLUMNS)} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",  # noqa: S608
            after_seq,
            batch,
        )
        for row in rows:
            yield _from_record(row)
        if len(rows) < batch:
            return
        after_seq = rows[-1]["seq"]


async def list_for_entity(conn: Connection, *, entity_type: str, entity_id: str) -> list[StoredAuditEntry]:
    rows = await conn.fetch(
        f"SELECT {', '.join(COLUMNS)} FROM audit_log WHERE entity_type = $1 AND entity_id = $2 ORDER BY seq",  # noqa: S608
        entity_type,
        entity_id,
    )
    return [_from_record(r) for r in rows]
