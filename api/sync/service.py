"""Batch push and incremental pull for handhelds that were offline.

Push answers every operation separately. Bulk creates run in one statement
inside a savepoint; should that statement fail as a whole (a race on an
evidence id, say), the items are retried one by one so only the bad one is
rejected. Edits run one by one, each in its own savepoint.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import msgspec

from api.auth.principal import Principal
from api.cases import service as cases
from api.errors import msgspec_field_error
from api.records import service as records
from api.records.intake import Outcome
from api.tasks import service as tasks
from mobile_contract.problems import AppError, InvalidInput
from mobile_contract.sync import (
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
from storage import documents
from storage import sync as sync_sql
from storage.db import Connection
from storage.documents import CASES, RECORDS
from storage.sync import PullPosition

Result = Outcome | AppError


async def push(conn: Connection, principal: Principal, operations: Sequence[msgspec.Raw]) -> SyncPushResult:
    decoded = [_decode(raw) for raw in operations]
    ops = {i: op for i, op in enumerate(decoded) if not isinstance(op, AppError)}
    results: dict[int, Result] = {i: op for i, op in enumerate(decoded) if isinstance(op, AppError)}
    results |= await _bulk(
        conn,
        principal,
        _of(ops, CreateCase),
        lambda items: cases.create_cases(conn, principal, [o.case for o in items]),
        lambda o: o.case.id,
    )
    results |= await _each(conn, _of(ops, UpdateCase), lambda o: cases.update_case(conn, principal, o.id, o.update))
    results |= await _bulk(
        conn,
        principal,
        _of(ops, CreateRecord),
        lambda items: _outcomes(records.create_records(conn, principal, [o.record for o in items])),
        lambda o: o.record.id,
    )
    results |= await _each(
        conn, _of(ops, UpdateRecord), lambda o: records.update_record(conn, principal, o.id, o.update)
    )
    versions = await _versions(conn, [op for i, op in ops.items() if results[i] is not Outcome.CREATED])
    return SyncPushResult(
        results=[_item_result(i, ops.get(i), results[i], versions) for i in range(len(operations))],
        server_time=dt.datetime.now(dt.UTC),
    )


async def _outcomes(created: Awaitable[tuple[dict[uuid.UUID, Result], Any]]) -> dict[uuid.UUID, Result]:
    return (await created)[0]


OPERATION = msgspec.json.Decoder(SyncOperation)


def _decode(raw: msgspec.Raw) -> SyncOperation | AppError:
    """One queued operation, typed; a malformed one becomes its own rejection, never the batch's."""
    try:
        return OPERATION.decode(raw)
    except msgspec.ValidationError as exc:
        field = msgspec_field_error(str(exc))
        return InvalidInput("该条数据格式不正确，请按字段提示修改", "operation failed validation", errors=[field])


def _of(ops: dict[int, SyncOperation], kind: type) -> dict[int, Any]:
    return {i: op for i, op in ops.items() if isinstance(op, kind)}


async def _bulk(
    conn: Connection, principal: Principal, items: dict[int, Any], create: Callable, id_of: Callable
) -> dict[int, Result]:
    """Create all in one statement; on a whole-statement failure fall back to one by one."""
    if not items:
        return {}
    try:
        async with conn.transaction():
            by_id = await create(list(items.values()))
        return {i: by_id[id_of(op)] for i, op in items.items()}
    except asyncpg.PostgresError:
        return await _each(conn, items, lambda op: _single(create, op, id_of))


async def _single(create: Callable, op: Any, id_of: Callable) -> Outcome:
    outcome = (await create([op]))[id_of(op)]
    if isinstance(outcome, AppError):
        raise outcome
    return outcome


async def _each(
    conn: Connection, items: dict[int, Any], apply: Callable[[Any], Awaitable[Outcome]]
) -> dict[int, Result]:
    results: dict[int, Result] = {}
    for i, op in items.items():
        try:
            async with conn.transaction():
                results[i] = await apply(op)
        except AppError as error:
            results[i] = error
        except asyncpg.PostgresError as exc:
            results[i] = InvalidInput(
                "该条数据无法保存，请核对后重试", f"database refused the item: {exc.__class__.__name__}"
            )
    return results


async def _versions(conn: Connection, ops: Sequence[SyncOperation] | Any) -> dict[uuid.UUID, int]:
    ids = {"case": [], "record": []}
    for op in ops:
        ids["case" if isinstance(op, CreateCase | UpdateCase) else "record"].append(_target(op))
    rows = {
        **await documents.fetch_current(conn, table=CASES, ids=ids["case"]),
        **await documents.fetch_current(conn, table=RECORDS, ids=ids["record"]),
    }
    return {id: row["version"] for id, row in rows.items()}


def _target(op: SyncOperation) -> uuid.UUID:
    match op:
        case CreateCase():
            return op.case.id
        case CreateRecord():
            return op.record.id
        case UpdateCase() | UpdateRecord():
            return op.id


def _item_result(
    index: int, op: SyncOperation | None, result: Result, versions: dict[uuid.UUID, int]
) -> SyncItemResult:
    op_name = type(op).__struct_config__.tag if op is not None else None
    target = _target(op) if op is not None else None
    if isinstance(result, AppError):
        return SyncItemResult(
            index=index, status=ItemStatus.REJECTED, op=op_name, id=target, problem=result.to_problem()
        )
    # a document is created as version 1; the device bases its first edit on it
    version = 1 if result is Outcome.CREATED else versions.get(target)
    return SyncItemResult(index=index, status=ItemStatus(result.value), op=op_name, id=target, version=version)


async def pull(conn: Connection, principal: Principal, token: str | None, limit: int) -> SyncPull:
    position = decode_token(token)
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
