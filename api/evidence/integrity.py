"""Integrity of stored evidence (证据完整性): compare what S3 holds with what was declared.

Used when an upload is finalised and by ``enforce evidence verify``, which
re-reads every verified object's bytes, recomputes SHA-256 and records each
check; a reviewer's re-check when opening a record calls ``verify_stored``
for that one record. A check never changes an item's status: a verified item
whose stored bytes later fail a check keeps ``verified`` (it *was* verified
on upload) and the failed check stands in its integrity history.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence

import asyncpg
import msgspec

from api.audit import trail
from api.audit.trail import Actor
from api.auth.principal import Principal
from api.observability import metrics
from mobile_contract.evidence import CheckTrigger, IntegrityOutcome
from mobile_contract.problems import ObjectStoreError
from storage import audit, evidence
from storage.db import Connection, transaction
from storage.objects import ObjectDigest, ObjectStore

VERIFY_BATCH = 100


class Check(msgspec.Struct, frozen=True):
    """The outcome of comparing one stored object with its declaration."""

    outcome: IntegrityOutcome
    version_id: str | None
    actual_sha256: str | None = None
    actual_size: int | None = None
    detail: str = ""


class CheckedItem(msgspec.Struct, frozen=True):
    evidence_id: uuid.UUID
    record_id: uuid.UUID
    department_id: uuid.UUID
    check: Check


class VerifyReport(msgspec.Struct):
    checked: int = 0
    failures: list[CheckedItem] = []


def b64_to_hex(sha256_b64: str) -> str:
    return base64.b64decode(sha256_b64).hex()


def compare(item: asyncpg.Record, version_id: str | None, found: ObjectDigest | None) -> Check:
    """OK only if the stored bytes have exactly the declared SHA-256 and size."""
    if found is None:
        return Check(IntegrityOutcome.MISSING, version_id, detail="object version not found in the store")
    problems = []
    if found.sha256 != item["sha256"]:
        problems.append(f"sha256 {found.sha256} != declared {item['sha256']}")
    if found.size != item["size"]:
        problems.append(f"size {found.size} != declared {item['size']}")
    outcome = IntegrityOutcome.MISMATCH if problems else IntegrityOutcome.OK
    return Check(outcome, version_id, found.sha256, found.size, "; ".join(problems))


async def check_stored(store: ObjectStore, item: asyncpg.Record) -> Check:
    """Stream the verified version's bytes and compare; a read failure is a failed check."""
    version_id = item["version_id"]
    try:
        found = await store.sha256_of(item["object_key"], version_id)
    except ObjectStoreError as exc:
        return Check(IntegrityOutcome.UNREADABLE, version_id, detail=exc.detail_en)
    return compare(item, version_id, found)


async def record_checks(
    conn: Connection, checked: Sequence[tuple[asyncpg.Record, Check]], *, trigger: CheckTrigger, by: Actor | Principal
) -> None:
    """Store checks in the integrity history and audit each one (an evidence access)."""
    await evidence.add_checks(conn, checks=[_check_row(item, c, trigger, by) for item, c in checked])
    await audit.append_many(conn, [_audit(item, c, trigger, by) for item, c in checked])
    for _, check in checked:
        metrics.EVIDENCE_CHECKS.labels(trigger.value, check.outcome.value).inc()


async def verify_stored(
    conn: Connection,
    store: ObjectStore,
    *,
    department_id: uuid.UUID | None = None,
    record_id: uuid.UUID | None = None,
    after: uuid.UUID | None = None,
    limit: int = VERIFY_BATCH,
    by: Actor | Principal,
) -> list[CheckedItem]:
    """Re-check up to ``limit`` verified items (id order, after ``after``) and record every check."""
    rows = await evidence.list_verified(
        conn, department_id=department_id, record_id=record_id, after=after, limit=limit
    )
    checked = [(row, await check_stored(store, row)) for row in rows]
    await record_checks(conn, checked, trigger=CheckTrigger.VERIFY, by=by)
    return [CheckedItem(r["id"], r["record_id"], r["department_id"], c) for r, c in checked]


async def verify_all(
    pool: asyncpg.Pool,
    store: ObjectStore,
    *,
    by: Actor,
    department_id: uuid.UUID | None = None,
    record_id: uuid.UUID | None = None,
) -> VerifyReport:
    """Every verified item in scope, a batch per transaction so a long run keeps what it checked."""
    report, after = VerifyReport(), None
    while True:
        async with transaction(pool) as conn:
            batch = await verify_stored(
                conn, store, department_id=department_id, record_id=record_id, after=after, by=by
            )
        report.checked += len(batch)
        report.failures += [c for c in batch if c.check.outcome is not IntegrityOutcome.OK]
        if len(batch) < VERIFY_BATCH:
            return report
        after = batch[-1].evidence_id


def _check_row(item: asyncpg.Record, check: Check, trigger: CheckTrigger, by: Actor | Principal) -> dict:
    return {
        "evidence_id": item["id"],
        "trigger": trigger.value,
        "outcome": check.outcome.value,
        "version_id": check.version_id,
        "expected_sha256": item["sha256"],
        "actual_sha256": check.actual_sha256,
        "expected_size": item["size"],
        "actual_size": check.actual_size,
        "detail": check.detail,
        "checked_by": by.user_id,
    }


def _audit(item: asyncpg.Record, check: Check, trigger: CheckTrigger, by: Actor | Principal) -> audit.AuditEntry:
    return trail.entry(
        by,
        action=f"evidence.{trigger.value}",
        entity_type="evidence",
        entity_id=str(item["id"]),
        department_id=item["department_id"],
        detail={"outcome": check.outcome.value, "version_id": check.version_id, "detail": check.detail},
    )
