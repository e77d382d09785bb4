"""Batch push and incremental pull for handhelds that were offline.

Push answers every operation separately, in two plain phases: every operation is decoded first (a
malformed one is refused alone), then applied by kind. Creates of one kind run together inside a
savepoint; should the statement fail as a whole (a race on an evidence id with another push, say),
they are retried one by one so only the bad one is rejected. Edits run one by one, each in its own
savepoint.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

import msgspec

from api import idempotency
from api.auth.principal import Principal
from api.cases import service as cases
from api.errors import msgspec_field_error
from api.idempotency import Outcome
from api.records import service as records
from api.tasks import notices
from api.tasks import results as task_results
from api.tasks import service as tasks
from mobile_contract.messages import decoded as decoded_json
from mobile_contract.problems import AppError, InvalidInput
from mobile_contract.sync import (
    CompleteTask,
    CreateCase,
    CreateRecord,
    ItemStatus,
    SyncItemResult,
    SyncOperation,
    SyncPull,
    SyncPushResult,
    UpdateCase,
    UpdateRecord,
)
from mobile_contract.types import tag_of
from storage import sync as sync_sql
from storage import versioned
from storage.db import Connection, StatementRefused, savepoint
from storage.sync import PullPosition
from storage.versioned import CASES, RECORDS

Result = Outcome | AppError
Op = TypeVar("Op")
Create = TypeVar("Create", CreateCase, CreateRecord)
OPERATION = msgspec.json.Decoder(SyncOperation)


async def push(conn: Connection, principal: Principal, operations: Sequence[msgspec.Raw]) -> SyncPushResult:
    decoded, results = _decoded(operations)
    results |= await _bulk(conn, _of_kind(decoded, CreateCase), lambda ops: _create_cases(conn, principal, ops))
    results |= await _each(
        conn, _of_kind(decoded, UpdateCase), lambda o: cases.update_case(conn, principal, o.id, o.update)
    )
    results |= await _bulk(conn, _of_kind(decoded, CreateRecord), lambda ops: _create_records(conn, principal, ops))
    results |= await _each(
        conn, _of_kind(decoded, UpdateRecord), lambda o: records.update_record(conn, principal, o.id, o.update)
    )
    results |= await _each(conn, _of_kind(decoded, CompleteTask), lambda o: _complete_task(conn, principal, o))
    versions = await _versions(conn, [op for i, op in decoded.items() if results[i] is not Outcome.CREATED])
    return SyncPushResult(
        results=[_item_result(i, decoded.get(i), results[i], versions) for i in range(len(operations))],
        server_time=dt.datetime.now(dt.UTC),
    )


async def _complete_task(conn: Connection, principal: Principal, op: CompleteTask) -> Outcome:
    return (await task_results.complete(conn, principal, op.id, op.report))[1]


def _decoded(operations: Sequence[msgspec.Raw]) -> tuple[dict[int, SyncOperation], dict[int, Result]]:
    """Every operation typed, by its index; a malformed one becomes its own rejection, never the push's."""
    decoded: dict[int, SyncOperation] = {}
    refused: dict[int, Result] = {}
    for index, raw in enumerate(operations):
        try:
            decoded[index] = OPERATION.decode(raw)
        except msgspec.ValidationError as exc:
            field = msgspec_field_error(str(exc), root=SyncOperation, raw=decoded_json(raw))
            refused[index] = InvalidInput(
                "该条数据格式不正确，请按字段提示修改", "operation failed validation", errors=[field]
            )
    return decoded, refused


def _of_kind(decoded: Mapping[int, SyncOperation], kind: type[Op]) -> dict[int, Op]:
    return {index: op for index, op in decoded.items() if isinstance(op, kind)}


async def _create_cases(conn: Connection, principal: Principal, ops: Sequence[CreateCase]) -> dict[uuid.UUID, Result]:
    return await cases.create_cases(conn, principal, [op.case for op in ops])


async def _create_records(
    conn: Connection, principal: Principal, ops: Sequence[CreateRecord]
) -> dict[uuid.UUID, Result]:
    return (await records.create_records(conn, principal, [op.record for op in ops]))[0]


def _created(op: CreateCase | CreateRecord) -> tuple[uuid.UUID, msgspec.Struct, str]:
    """The id, content and entity name of what a create operation makes."""
    if isinstance(op, CreateCase):
        return op.case.id, op.case.content, cases.ENTITY
    return op.record.id, op.record.content, records.ENTITY


async def _bulk(
    conn: Connection, ops: dict[int, Create], create: Callable[[Sequence[Create]], Awaitable[dict[uuid.UUID, Result]]]
) -> dict[int, Result]:
    """Create all in one savepoint; on a statement failure fall back to one by one.

    An id met again later in the push is not offered again: the same content gets the first one's
    answer, other content an id conflict, exactly as if it came in a later push.
    """
    if not ops:
        return {}
    first: dict[uuid.UUID, Create] = {}
    for op in ops.values():
        first.setdefault(_created(op)[0], op)
    try:
        async with savepoint(conn):
            by_id = await create(list(first.values()))
    except StatementRefused:
        alone = await _each(conn, dict(enumerate(first.values())), lambda op: _single(create, op))
        by_id = {_created(op)[0]: alone[i] for i, op in enumerate(first.values())}
    return {i: _answer(op, first, by_id) for i, op in ops.items()}


def _answer(op: Create, first: Mapping[uuid.UUID, Create], by_id: Mapping[uuid.UUID, Result]) -> Result:
    """The answer to the first operation with this id; a later one with other content conflicts with it."""
    id, content, entity = _created(op)
    return by_id[id] if content == _created(first[id])[1] else idempotency.id_conflict(entity, id)


async def _single(create: Callable[[Sequence[Create]], Awaitable[dict[uuid.UUID, Result]]], op: Create) -> Outcome:
    outcome = (await create([op]))[_created(op)[0]]
    if isinstance(outcome, AppError):
        raise outcome
    return outcome


async def _each(conn: Connection, items: dict[int, Op], apply: Callable[[Op], Awaitable[Outcome]]) -> dict[int, Result]:
    results: dict[int, Result] = {}
    for i, op in items.items():
        try:
            async with savepoint(conn):
                results[i] = await apply(op)
        except AppError as error:  # StatementRefused among them
            results[i] = error
    return results


async def _versions(conn: Connection, ops: Sequence[SyncOperation]) -> dict[uuid.UUID, int]:
    ids: dict[str, list[uuid.UUID]] = {"case": [], "record": []}
    for op in ops:
        if not isinstance(op, CompleteTask):  # a task has no version
            ids["case" if isinstance(op, CreateCase | UpdateCase) else "record"].append(_target(op))
    rows = {
        **await versioned.fetch_current(conn, table=CASES, ids=ids["case"]),
        **await versioned.fetch_current(conn, table=RECORDS, ids=ids["record"]),
    }
    return {id: row["version"] for id, row in rows.items()}


def _target(op: SyncOperation) -> uuid.UUID:
    match op:
        case CreateCase():
            return op.case.id
        case CreateRecord():
            return op.record.id
        case UpdateCase() | UpdateRecord() | CompleteTask():
            return op.id


def _item_result(
    index: int, op: SyncOperation | None, result: Result, versions: dict[uuid.UUID, int]
) -> SyncItemResult:
    op_name = tag_of(type(op)) if op is not None else None
    target = _target(op) if op is not None else None
    if isinstance(result, AppError):
        return SyncItemResult(
            index=index, status=ItemStatus.REJECTED, op=op_name, id=target, problem=result.to_problem()
        )
    return SyncItemResult(
        index=index, status=ItemStatus(result.value), op=op_name, id=target, version=_version(op, result, versions)
    )


def _version(op: SyncOperation | None, result: Outcome, versions: dict[uuid.UUID, int]) -> int | None:
    """The version the operation made or found, for the device to base its next edit on.

    A document is created as version 1. An edit made version base + 1 (or none, if it changed nothing),
    even when a later edit, in this push or from another device, is current now: the device then
    pulls that one, instead of taking its number for the content it holds.
    """
    if result is Outcome.CREATED:
        return 1
    if op is None:  # an operation that did not decode has a problem, not an outcome
        return None
    current = versions.get(_target(op))
    if isinstance(op, UpdateCase | UpdateRecord) and current is not None:
        return min(current, op.update.base_version + 1)
    return current


async def pull(conn: Connection, principal: Principal, token: str | None, limit: int) -> SyncPull:
    position = decode_token(token)
    await notices.remind_deadlines(conn, principal)  # written in this transaction: read by this pull
    horizon = position.horizon if position.horizon is not None else await sync_sql.current_xmin(conn)
    changes = await sync_sql.changed_since(
        conn, user_id=principal.user_id, department_id=principal.department_id, position=position, limit=limit
    )
    has_more = len(changes) == limit
    ids = {kind: [c["id"] for c in changes if c["type"] == kind] for kind in ("record", "case", "task")}
    found_records = await records.read_records(conn, ids["record"])
    found_cases = await cases.read_cases(conn, ids["case"])
    if has_more:
        next_position = PullPosition(position.floor, horizon, sync_sql.txid_of(changes[-1]), changes[-1]["id"])
    else:
        next_position = PullPosition(floor=horizon)
    return SyncPull(
        records=[found_records[i] for i in ids["record"]],
        cases=[found_cases[i] for i in ids["case"]],
        tasks=await tasks.read_tasks(conn, ids["task"], None),
        sync_token=encode_token(next_position),
        has_more=has_more,
    )


def encode_token(position: PullPosition) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(position)).decode()


def decode_token(token: str | None) -> PullPosition:
    if not token:
        return PullPosition(floor=0)
    try:
        return msgspec.json.decode(base64.urlsafe_b64decode(token), type=PullPosition)
    except (ValueError, msgspec.DecodeError) as exc:
        raise InvalidInput(
            "同步令牌无效，请不带令牌重新全量同步", "invalid sync token", code="invalid-sync-token"
        ) from exc
