"""Rules for supervision records (行政检查 / 行政处罚 / 行政强制) that need the database.

Contract-level rules (two officers on an inspection, 30-day seizures, valid
USCC/ID numbers) are checked by msgspec when the request is decoded; here:
the case exists in the caller's department, every officer is an active
inspector of it with that certificate number, the submitter took part, and
declared evidence never changes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
import msgspec

from api import idempotency
from api.audit import trail
from api.auth.principal import Principal
from api.cases import service as cases
from api.idempotency import Outcome
from api.tasks import results as task_results
from mobile_contract.evidence import EvidenceDeclaration, EvidenceStatus
from mobile_contract.problems import AppError, Conflict, FieldError, InvalidInput
from mobile_contract.records import (
    EvidenceProgress,
    RecordContent,
    RecordCreate,
    RecordKind,
    RecordRead,
    RecordUpdate,
    RecordVersionRead,
)
from mobile_contract.types import tag_of
from storage import audit, records, versioned
from storage.db import Connection
from storage.versioned import RECORDS

ENTITY = "记录"


async def create_records(
    conn: Connection, principal: Principal, creates: Sequence[RecordCreate], *, read_back: bool = False
) -> tuple[dict[uuid.UUID, Outcome | AppError], dict[uuid.UUID, RecordRead]]:
    """Create records idempotently; each record gets its own outcome or error.

    Two phases. First, in Python alone, the checks that need no database (a record sent twice counts
    once, as first sent). Then one facts lookup (cases, officers, evidence ids), the checks against it,
    one ``INSERT … ON CONFLICT (id) DO NOTHING`` of the records that passed, one evidence manifest insert
    for those inserted now, the replays and id conflicts read back, and one audit append.

    With ``read_back`` each record is answered as stored: a new one from what was just written (no
    round trip), a replay from the database; before the audit append, so the chain's lock (held
    until commit) is not held across a read.
    """
    contents: dict[uuid.UUID, RecordContent] = {}
    for create in creates:
        contents.setdefault(create.id, create.content)
    facts = await records.intake_facts(conn, _facts_query(principal, contents.values()))
    problems = _problems(principal, contents.items(), _claimed_in_submission(facts, contents))
    rows = {id: _row(principal, id, content) for id, content in contents.items() if id not in problems}
    inserted = await versioned.insert_new(conn, table=RECORDS, rows=list(rows.values()))
    manifest = [_manifest_row(principal, id, item) for id in inserted for item in contents[id].evidence]
    await records.declare_evidence(conn, items=manifest)
    hashes = {id: row["content_sha256"] for id, row in rows.items()}
    outcomes = await idempotency.settle(conn, principal, table=RECORDS, entity=ENTITY, hashes=hashes, inserted=inserted)
    reads = await _read_back(conn, rows, contents, inserted) if read_back else {}
    await audit.append_many(conn, [_audit(principal, "record.create", id, None, hashes[id]) for id in inserted])
    await task_results.records_filed(conn, principal, {id: contents[id] for id in inserted})
    await cases.officers_named(conn, [contents[id] for id in inserted])
    return {**outcomes, **problems}, reads


def _claimed_in_submission(facts: records.IntakeFacts, contents: dict[uuid.UUID, RecordContent]) -> records.IntakeFacts:
    """The facts, with each evidence id not yet stored owned by the first record of this submission that
    declares it: a later record declaring it again is refused, as if the first were already stored."""
    claims: dict[uuid.UUID, uuid.UUID] = {}
    for id, content in contents.items():
        for item in content.evidence:
            claims.setdefault(item.id, id)
    return msgspec.structs.replace(facts, evidence_owners=claims | facts.evidence_owners)


async def _read_back(
    conn: Connection,
    rows: dict[uuid.UUID, dict[str, Any]],
    contents: dict[uuid.UUID, RecordContent],
    inserted: dict[uuid.UUID, dt.datetime],
) -> dict[uuid.UUID, RecordRead]:
    """Each valid record as stored: the new ones from what was written, the others read."""
    reads = {id: _fresh_read(rows[id], contents[id], created_at) for id, created_at in inserted.items()}
    return reads | await read_records(conn, [id for id in rows if id not in inserted])


async def update_record(conn: Connection, principal: Principal, id: uuid.UUID, update: RecordUpdate) -> Outcome:
    current = await idempotency.lock_for_edit(conn, principal, table=RECORDS, entity=ENTITY, id=id)
    new_sha = idempotency.content_hash(update.content)
    if replay := await idempotency.edit_outcome(
        conn, current, principal, table=RECORDS, base_version=update.base_version, new_sha256=new_sha, entity=ENTITY
    ):
        return replay
    old = msgspec.convert(current["content"], RecordContent)
    _check_same_kind_and_manifest(old, update.content)
    facts = await records.intake_facts(conn, _facts_query(principal, [update.content]))
    if problem := _problems(principal, [(id, update.content)], facts).get(id):
        raise problem
    changes = {
        k: v
        for k, v in _row(principal, id, update.content).items()
        if k not in ("id", "department_id", "created_by", "device_id")
    }
    changes |= {"version_by": principal.user_id, "version_device": principal.device_id}
    await versioned.replace_version(conn, table=RECORDS, current=current, changes=changes)
    added = [e for e in update.content.evidence if e.id not in {o.id for o in old.evidence}]
    await records.declare_evidence(conn, items=[_manifest_row(principal, id, e) for e in added])
    await audit.append(conn, _audit(principal, "record.update", id, current["content_sha256"], new_sha))
    await cases.officers_named(conn, [update.content])
    return Outcome.UPDATED


async def read_records(
    conn: Connection, ids: Sequence[uuid.UUID], department_id: uuid.UUID | None = None
) -> dict[uuid.UUID, RecordRead]:
    rows = await versioned.fetch_current(conn, table=RECORDS, ids=ids, department_id=department_id)
    progress = await evidence_progress(conn, list(rows))
    return {id: _read(row, progress[id]) for id, row in rows.items()}


async def read_record(conn: Connection, principal: Principal, id: uuid.UUID) -> RecordRead:
    """One record, if the caller's department may see it (else 404, never 403: ids do not leak)."""
    found = await read_records(conn, [id], principal.department_scope)
    if id not in found:
        raise idempotency.not_found(ENTITY, id)
    return found[id]


async def evidence_progress(conn: Connection, record_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, EvidenceProgress]:
    """证据完整性: per record, which declared items are verified, missing or failed."""
    statuses: dict[uuid.UUID, dict[str, EvidenceStatus]] = {id: {} for id in record_ids}
    for row in await records.evidence_statuses(conn, record_ids=record_ids):
        statuses[row["record_id"]][str(row["id"])] = EvidenceStatus(row["status"])
    return {id: _progress(s) for id, s in statuses.items()}


async def list_versions(conn: Connection, principal: Principal, id: uuid.UUID) -> list[RecordVersionRead]:
    """Every version, oldest first, the current one last."""
    current = (await read_records(conn, [id], principal.department_scope)).get(id)
    if current is None:
        raise idempotency.not_found(ENTITY, id)
    rows = await versioned.list_versions(conn, table=RECORDS, id=id)
    older = [msgspec.convert(dict(r), RecordVersionRead) for r in rows]
    head = await versioned.fetch_current(conn, table=RECORDS, ids=[id])
    return [*older, msgspec.convert(idempotency.as_version(head[id]), RecordVersionRead)]


def _progress(statuses: dict[str, EvidenceStatus]) -> EvidenceProgress:
    pending = (EvidenceStatus.DECLARED, EvidenceStatus.UPLOADING)
    return EvidenceProgress(
        declared=len(statuses),
        verified=sum(s is EvidenceStatus.VERIFIED for s in statuses.values()),
        missing=[uuid.UUID(k) for k, s in statuses.items() if s in pending],
        failed=[uuid.UUID(k) for k, s in statuses.items() if s is EvidenceStatus.FAILED],
        statuses=statuses,
    )


def _read(row: asyncpg.Record, progress: EvidenceProgress) -> RecordRead:
    complete = progress.verified == progress.declared
    return msgspec.convert(dict(row) | {"evidence": progress, "complete": complete}, RecordRead)


def _fresh_read(row: dict[str, Any], content: RecordContent, created_at: dt.datetime) -> RecordRead:
    """A record just inserted, as ``read_records`` would return it: version 1, every item still to upload."""
    progress = _progress({str(id): EvidenceStatus.DECLARED for id in sorted(e.id for e in content.evidence)})
    columns = ("id", "department_id", "content_sha256", "created_by", "device_id")
    return RecordRead(
        **{name: row[name] for name in columns},
        kind=RecordKind(row["kind"]),
        version=1,
        content=content,
        created_at=created_at,
        updated_at=created_at,
        evidence=progress,
        complete=progress.verified == progress.declared,
    )


def _row(principal: Principal, id: uuid.UUID, content: RecordContent) -> dict[str, Any]:
    row = idempotency.new_row(principal, content, id=id, participants=[o.user_id for o in content.officers])
    return row | {
        "kind": tag_of(type(content)),
        "case_id": content.case_id,
        "item_code": content.item_code,
        "region_code": content.region_code,
        "occurred_at": content.occurred_at,
    }


def _manifest_row(principal: Principal, record_id: uuid.UUID, item: EvidenceDeclaration) -> dict[str, Any]:
    gps = item.gps
    return {
        "id": item.id,
        "record_id": record_id,
        "department_id": principal.department_id,
        "kind": item.kind.value,
        "media_type": item.media_type,
        "size": item.size,
        "sha256": item.sha256,
        "captured_at": item.captured_at,
        "gps_lat": gps.lat if gps else None,
        "gps_lon": gps.lon if gps else None,
        "gps_accuracy_m": gps.accuracy_m if gps else None,
        "device_id": item.device_id,
        "description": item.description,
    }


def _check_same_kind_and_manifest(old: RecordContent, new: RecordContent) -> None:
    if type(old) is not type(new):
        raise InvalidInput("记录类型不能修改，请新建记录", "record kind cannot change")
    new_items = {e.id: e for e in new.evidence}
    changed = [str(e.id) for e in old.evidence if new_items.get(e.id) != e]
    if changed:
        raise Conflict(
            "已登记的证据不能删除或修改（可追加新证据）",
            "declared evidence is immutable",
            code="evidence-immutable",
            extra={"evidence_ids": changed},
        )


def _facts_query(principal: Principal, contents: Iterable[RecordContent]) -> records.FactsQuery:
    contents = list(contents)
    return records.FactsQuery(
        department_id=principal.department_id,
        case_ids=list({c.case_id for c in contents if c.case_id}),
        officer_ids=list({o.user_id for c in contents for o in c.officers}),
        evidence_ids=[e.id for c in contents for e in c.evidence],
    )


def _problems(
    principal: Principal, items: Iterable[tuple[uuid.UUID, RecordContent]], facts: records.IntakeFacts
) -> dict[uuid.UUID, AppError]:
    """Per-record reasons for refusal: invalid officers, evidence ids taken; else a case not synced yet."""
    problems: dict[uuid.UUID, AppError] = {}
    for id, content in items:
        errors = _field_errors(principal, id, content, facts)
        missing = content.case_id if content.case_id not in facts.case_ids else None
        if errors and missing is not None:
            errors.append(FieldError("content.case_id", "所属案件尚未同步到服务器，或不属于本单位"))
        if errors:
            problems[id] = InvalidInput("记录未通过校验，请按字段提示修改", "record failed validation", errors=errors)
        elif missing is not None:
            problems[id] = _case_not_synced(missing)
    return problems


def _case_not_synced(case_id: uuid.UUID) -> Conflict:
    """The record is fine; its case is not on the server (yet): the device keeps it queued until the case syncs."""
    return Conflict(
        "该记录所属的案件尚未同步到服务器：请先同步该案件，成功后重新提交本记录（无需修改）；"
        "如果该案件不属于本单位，请改为本单位的案件",
        f"case {case_id} is not on the server yet (or not in this department): sync the case, then retry",
        code="case-not-yet-synced",
        extra={"case_id": str(case_id), "retryable": True},
    )


def _field_errors(
    principal: Principal, id: uuid.UUID, content: RecordContent, facts: records.IntakeFacts
) -> list[FieldError]:
    errors = []
    for i, officer in enumerate(content.officers):
        if facts.certificates.get(officer.user_id) != officer.certificate_no:
            errors.append(FieldError(f"content.officers[{i}]", "执法人员不是本单位在岗执法人员，或执法证号不符"))
    if principal.user_id not in {o.user_id for o in content.officers}:
        errors.append(FieldError("content.officers", "提交人须为参与本次执法的执法人员之一"))
    for i, item in enumerate(content.evidence):
        if facts.evidence_owners.get(item.id, id) != id:
            errors.append(FieldError(f"content.evidence[{i}].id", "证据编号已被其他记录使用"))
    return errors


def _audit(principal: Principal, action: str, id: uuid.UUID, before: str | None, after: str | None) -> audit.AuditEntry:
    return trail.entry(
        principal,
        action=action,
        entity_type="record",
        entity_id=str(id),
        department_id=principal.department_id,
        before_hash=before,
        after_hash=after,
    )
