"""Rules for supervision records (行政检查 / 行政处罚 / 行政强制) that need the database.

Contract-level rules (two officers on an inspection, 30-day seizures, valid
USCC/ID numbers) are checked by msgspec when the request is decoded; here:
the case exists in the caller's department, every officer is an active
inspector of it with that certificate number, the submitter took part, and
declared evidence never changes.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Sequence

import asyncpg
import msgspec

from api.audit import trail
from api.auth.principal import Principal
from api.records import intake
from api.records.intake import Outcome
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
from storage import audit, documents, records
from storage.db import Connection, overlapped
from storage.documents import RECORDS

ENTITY = "记录"


async def create_records(
    conn: Connection, principal: Principal, batches: Iterable[Sequence[RecordCreate]], *, read_back: bool = False
) -> tuple[dict[uuid.UUID, Outcome | AppError], dict[uuid.UUID, RecordRead]]:
    """Create records idempotently, batch by batch; each record gets its own outcome or error.

    ``batches`` is read ahead so the API and PostgreSQL work at the same time: while the database
    writes batch k, the API checks batch k+1 against the facts already looked up for it, prepares
    its audit entries and builds its statement, and takes batch k+3 (a push decodes it then),
    building its rows and content hashes. Each statement writes one batch and looks up the cases
    and officers of the batch two after it (``records.batch_statement``), so a batch costs one round
    trip and nothing waits for a lookup. Evidence ids already taken are looked up for the first two
    batches only (see ``_statement``).

    With ``read_back`` each record is answered as stored: a new one from what was just written (no
    round trip), a replay from the database; before the audit append, so the chain's lock (held
    until commit) is not held across a read.
    """
    written = await _write(conn, principal, iter(batches))
    hashes = {id: row["content_sha256"] for id, row in written.rows.items()}
    outcomes = await intake.settle(
        conn, principal, table=RECORDS, entity=ENTITY, hashes=hashes, inserted=written.inserted
    )
    created = [id for id in written.rows if id in written.inserted]
    reads = {}
    if read_back:
        reads = {id: _fresh_read(written.rows[id], written.contents[id], written.inserted[id]) for id in created}
        reads |= await read_records(conn, [id for id in written.rows if id not in written.inserted])
    await audit.append_prepared(conn, [written.entries[id] for id in created])
    return {**outcomes, **written.problems}, reads


class _Batch(msgspec.Struct):
    """Records for one statement, built before the database has said which of them may be written."""

    contents: dict[uuid.UUID, RecordContent]  # a record sent twice counts once, as first sent
    rows: dict[uuid.UUID, dict]


class _Admitted(msgspec.Struct):
    """The rows and evidence manifest of a batch's records that passed the checks."""

    rows: list[dict]
    manifest: list[dict]


class _Written(msgspec.Struct):
    """What the statements so far have done: valid records offered, those inserted, refusals."""

    contents: dict[uuid.UUID, RecordContent] = {}
    rows: dict[uuid.UUID, dict] = {}
    entries: dict[uuid.UUID, audit.PreparedEntry] = {}  # appended for those inserted
    inserted: dict[uuid.UUID, dt.datetime] = {}
    problems: dict[uuid.UUID, AppError] = {}


async def _write(conn: Connection, principal: Principal, batches: Iterator[Sequence[RecordCreate]]) -> _Written:
    written = _Written()
    ahead = deque(_batch(principal, b) for b in itertools.islice(batches, 2))
    if not ahead:
        return written
    # the first two batches' facts in one lookup; the third batch is taken meanwhile
    first_two = _facts_query(principal, [c for b in ahead for c in b.contents.values()])
    facts: records.IntakeFacts | None
    facts, taken = await overlapped(records.intake_facts(conn, first_two), functools.partial(_take, principal, batches))
    statement: records.BatchStatement | None = _statement(principal, ahead.popleft(), facts, taken, written)
    while statement is not None:  # ahead: batch k+1 (its facts known) and k+2 (its facts looked up now)
        ahead.extend([taken] if taken is not None else [])
        (inserted, looked_up), (statement, taken) = await overlapped(
            records.write_batch(conn, statement), functools.partial(_advance, principal, ahead, facts, written, batches)
        )
        written.inserted |= inserted
        facts = looked_up
    return written


def _advance(
    principal: Principal,
    ahead: deque[_Batch],
    facts: records.IntakeFacts | None,
    written: _Written,
    batches: Iterator[Sequence[RecordCreate]],
) -> tuple[records.BatchStatement | None, _Batch | None]:
    """While the database writes batch k: check batch k+1 (its facts came with the statement before),
    take batch k+3, and build the statement for k+1, which looks up k+3's facts."""
    if not ahead:
        return None, None
    taken = _take(principal, batches)
    return _statement(principal, ahead.popleft(), facts, taken, written), taken  # type: ignore[arg-type]


def _statement(
    principal: Principal, batch: _Batch, facts: records.IntakeFacts, then: _Batch | None, written: _Written
) -> records.BatchStatement:
    admitted = _admit(principal, batch, facts, written)
    # A later batch's evidence ids are not looked up: a statement planned while the table was small
    # can keep scanning all of it until the next ANALYZE, once per batch. The unique key refuses a
    # taken id instead, and the push then goes one by one, each record checked in full.
    lookup = None if then is None else _facts_query(principal, then.contents.values(), evidence=False)
    return records.batch_statement(rows=admitted.rows, manifest=admitted.manifest, then=lookup)


def _take(principal: Principal, batches: Iterator[Sequence[RecordCreate]]) -> _Batch | None:
    creates = next(batches, None)
    return None if creates is None else _batch(principal, creates)


def _batch(principal: Principal, creates: Sequence[RecordCreate]) -> _Batch:
    contents: dict[uuid.UUID, RecordContent] = {}
    for create in creates:
        contents.setdefault(create.id, create.content)
    return _Batch(contents, {id: _row(principal, id, content) for id, content in contents.items()})


def _admit(principal: Principal, batch: _Batch, facts: records.IntakeFacts, written: _Written) -> _Admitted:
    """The batch's records that pass the checks; the reasons for the rest go to ``written.problems``."""
    problems = _problems(principal, batch.contents.items(), facts)
    written.problems |= problems
    valid = [id for id in batch.rows if id not in problems]
    for id in valid:
        if id not in written.rows:
            written.rows[id], written.contents[id] = batch.rows[id], batch.contents[id]
            entry = _audit(principal, "record.create", id, None, batch.rows[id]["content_sha256"])
            written.entries[id] = audit.prepare(entry)
    manifest = [_manifest_row(principal, id, e) for id in valid for e in batch.contents[id].evidence]
    return _Admitted([batch.rows[id] for id in valid], manifest)


async def update_record(conn: Connection, principal: Principal, id: uuid.UUID, update: RecordUpdate) -> Outcome:
    current = await intake.lock_for_edit(conn, principal, table=RECORDS, entity=ENTITY, id=id)
    new_sha = intake.content_hash(update.content)
    if replay := await intake.edit_outcome(
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
    await documents.replace_version(conn, table=RECORDS, current=current, changes=changes)
    added = [e for e in update.content.evidence if e.id not in {o.id for o in old.evidence}]
    await records.declare_evidence(conn, items=[_manifest_row(principal, id, e) for e in added])
    await audit.append(conn, _audit(principal, "record.update", id, current["content_sha256"], new_sha))
    return Outcome.UPDATED


async def read_records(
    conn: Connection, ids: Sequence[uuid.UUID], department_id: uuid.UUID | None = None
) -> dict[uuid.UUID, RecordRead]:
    rows = await documents.fetch_current(conn, table=RECORDS, ids=ids, department_id=department_id)
    progress = await evidence_progress(conn, list(rows))
    return {id: _read(row, progress[id]) for id, row in rows.items()}


async def read_record(conn: Connection, principal: Principal, id: uuid.UUID) -> RecordRead:
    """One record, if the caller's department may see it (else 404, never 403: ids do not leak)."""
    found = await read_records(conn, [id], principal.department_scope)
    if id not in found:
        raise intake.not_found(ENTITY, id)
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
        raise intake.not_found(ENTITY, id)
    rows = await documents.list_versions(conn, table=RECORDS, id=id)
    older = [msgspec.convert(dict(r), RecordVersionRead) for r in rows]
    head = await documents.fetch_current(conn, table=RECORDS, ids=[id])
    return [*older, msgspec.convert(intake.as_version(head[id]), RecordVersionRead)]


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


def _fresh_read(row: dict, content: RecordContent, created_at: dt.datetime) -> RecordRead:
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


def _row(principal: Principal, id: uuid.UUID, content: RecordContent) -> dict:
    row = intake.new_row(principal, content, id=id, participants=[o.user_id for o in content.officers])
    return row | {
        "kind": type(content).__struct_config__.tag,
        "case_id": content.case_id,
        "item_code": content.item_code,
        "region_code": content.region_code,
        "occurred_at": content.occurred_at,
    }


def _manifest_row(principal: Principal, record_id: uuid.UUID, item: EvidenceDeclaration) -> dict:
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


def _facts_query(
    principal: Principal, contents: Iterable[RecordContent], *, evidence: bool = True
) -> records.FactsQuery:
    contents = list(contents)
    return records.FactsQuery(
        department_id=principal.department_id,
        case_ids=list({c.case_id for c in contents if c.case_id}),
        officer_ids=list({o.user_id for c in contents for o in c.officers}),
        evidence_ids=[e.id for c in contents for e in c.evidence] if evidence else None,
    )


def _problems(
    principal: Principal, items: Iterable[tuple[uuid.UUID, RecordContent]], facts: records.IntakeFacts
) -> dict[uuid.UUID, AppError]:
    """Per-record reasons for refusal: invalid officers, evidence ids taken; else a case not synced yet."""
    problems: dict[uuid.UUID, AppError] = {}
    for id, content in items:
        errors = _field_errors(principal, id, content, facts)
        case_missing = content.case_id is not None and content.case_id not in facts.case_ids
        if errors and case_missing:
            errors.append(FieldError("content.case_id", "所属案件尚未同步到服务器，或不属于本单位"))
        if errors:
            problems[id] = InvalidInput("记录未通过校验，请按字段提示修改", "record failed validation", errors=errors)
        elif case_missing:
            problems[id] = _case_not_synced(content.case_id)  # type: ignore[arg-type]
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
