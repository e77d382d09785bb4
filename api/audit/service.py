"""Reading the audit log within department scope, and verifying its hash chain (回溯校验).

The verifier walks every entry in seq order and, for each, checks in turn:
the seq follows the previous one (a gap means a deleted entry), its
``prev_hash`` is the previous entry's hash (a mismatch means an entry was
inserted, removed or moved before it), and its ``entry_hash`` recomputes
from its content (a mismatch means the entry itself was altered). It stops at
the first bad entry and names it.

A chain rewritten consistently from some entry to its head passes those checks, so it is also
checked against the signed checkpoints anchored in the Object-Locked bucket (``checkpoints.py``):
the entry at each checkpoint's seq must carry the checkpoint's hash, the chain must reach every
checkpoint, and every checkpoint must carry this installation's signature.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec

from api.audit import checkpoints
from api.audit.checkpoints import Anchor, Checkpoint
from api.auth.principal import Principal
from api.auth.scope import department_scope
from api.settings import Settings
from mobile_contract.audit import AuditEntryRead, AuditPage, ChainReport
from mobile_contract.problems import NotFound
from storage import audit, audit_reads
from storage.db import Connection
from storage.objects import ObjectStore

VERIFY_BATCH = 5000


def _read(entry: audit.StoredAuditEntry) -> AuditEntryRead:
    return AuditEntryRead(**msgspec.structs.asdict(entry))


async def page(
    conn: Connection, principal: Principal, *, department_id: uuid.UUID | None, after_seq: int, limit: int
) -> AuditPage:
    scope = department_scope(principal, department_id)
    entries = await audit_reads.page(conn, department_id=scope, after_seq=after_seq, limit=limit)
    next_after = entries[-1].seq if len(entries) == limit else None
    return AuditPage(items=[_read(e) for e in entries], next_after_seq=next_after)


async def for_entity(
    conn: Connection, principal: Principal, *, entity_type: str, entity_id: str
) -> list[AuditEntryRead]:
    scope = department_scope(principal, None)
    entries = await audit_reads.for_entity(conn, entity_type=entity_type, entity_id=entity_id, department_id=scope)
    if not entries:
        raise NotFound("未找到该对象的留痕记录", f"no audit entries visible for {entity_type} {entity_id}")
    return [_read(e) for e in entries]


def flaw(entry: audit.StoredAuditEntry, *, expected_seq: int, prev_hash: str) -> str | None:
    """Why ``entry`` cannot follow the verified chain ending at ``prev_hash``, or None."""
    if entry.seq != expected_seq:
        return f"entry {expected_seq} is missing: the next stored entry is {entry.seq} (deleted)"
    if entry.prev_hash != prev_hash:
        return (
            f"prev_hash does not match the hash of entry {expected_seq - 1}"
            " (an entry was inserted, removed or reordered before this one)"
        )
    if audit.chain_hash(entry.prev_hash, entry.seq, entry.occurred_at, entry) != entry.entry_hash:
        return "entry_hash does not match the entry's content (altered)"
    return None


async def verify_chain(conn: Connection, *, batch: int = VERIFY_BATCH, anchors: Sequence[Anchor] = ()) -> ChainReport:
    """Walk the whole chain from seq 1, checking it against ``anchors`` (checkpoints) on the way;
    report it intact or name the first bad entry (or checkpoint) and why."""
    lowest = await audit_reads.lowest_seq(conn)
    if lowest is not None and lowest < 1:
        return ChainReport(
            intact=False,
            entries=0,
            head_hash=audit.GENESIS_HASH,
            bad_seq=lowest,
            reason=f"entry {lowest} lies before the chain start at 1 (inserted)",
        )
    trusted = [(a.name, a.checkpoint) for a in anchors if a.checkpoint is not None and a.checkpoint.seq > 0]
    by_seq: dict[int, list[tuple[str, Checkpoint]]] = {}
    for name, checkpoint in trusted:
        by_seq.setdefault(checkpoint.seq, []).append((name, checkpoint))
    checked, head = 0, audit.GENESIS_HASH
    async for entry in audit.iter_chain(conn, batch=batch):
        reason = flaw(entry, expected_seq=checked + 1, prev_hash=head) or _unlike(entry, by_seq.get(entry.seq, []))
        if reason is not None:
            return ChainReport(intact=False, entries=checked, head_hash=head, bad_seq=checked + 1, reason=reason)
        checked, head = entry.seq, entry.entry_hash
    reason = _anchor_problem(anchors, trusted, checked)
    return ChainReport(intact=reason is None, entries=checked, head_hash=head, reason=reason, checkpoints=len(trusted))


async def verify_anchored(
    conn: Connection, store: ObjectStore, settings: Settings, *, batch: int = VERIFY_BATCH
) -> ChainReport:
    """``verify_chain`` against every checkpoint in the bucket (none when no signing key is configured)."""
    try:
        public_key = checkpoints.signing_key(settings).public_key()
    except checkpoints.KeyUnavailable:
        return await verify_chain(conn, batch=batch)
    return await verify_chain(conn, batch=batch, anchors=await checkpoints.load(store, public_key))


def _unlike(entry: audit.StoredAuditEntry, anchored: list[tuple[str, Checkpoint]]) -> str | None:
    """Why the entry at a checkpoint's seq is not the one the checkpoint holds, or None."""
    for name, checkpoint in anchored:
        if checkpoint.entry_hash != entry.entry_hash:
            written = f"{checkpoint.written_at:%Y-%m-%d %H:%M:%S} UTC"
            return f"entry {entry.seq} does not match checkpoint {name} (written {written}): the chain was rewritten"
    return None


def _anchor_problem(anchors: Sequence[Anchor], trusted: list[tuple[str, Checkpoint]], chain_end: int) -> str | None:
    """A checkpoint that cannot be trusted, or one anchoring an entry the chain no longer reaches."""
    if flawed := [a.flaw for a in anchors if a.flaw]:
        return flawed[0]
    for name, checkpoint in trusted:
        if checkpoint.seq > chain_end:
            return (
                f"the chain ends at entry {chain_end}, but checkpoint {name} anchors entry {checkpoint.seq} (removed)"
            )
    return None
