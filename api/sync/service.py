"""Batch push and incremental pull for handhelds that were offline.

Push answers every operation separately. Creates of one kind run together
inside a savepoint (records in batches, each decoded while the database writes
the one before); should a statement fail as a whole (a race on an evidence id,
say), the items are retried one by one so only the bad one is rejected. Edits
run one by one, each in its own savepoint.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from typing import Any, get_args

import asyncpg
import msgspec

from api.auth.principal import Principal
from api.cases import service as cases
from api.errors import msgspec_field_error
from api.records import intake
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
# Record creates per statement: a push is written batch by batch, later batches decoded while the
# database writes earlier ones. The API works about three batches ahead, so the pipeline fills and
# drains for about that long each push: small batches keep that short; large ones keep the work per
# statement (its round trip, its foreign-key and lookup set-up) small beside the rows it writes.
# The first two are smaller, as they are decoded before the database has anything to do.
RECORD_BATCHES = (25, 50)
RECORD_BATCH = 100


async def push(conn: Connection, principal: Principal, operations: Sequence[msgspec.Raw]) -> SyncPushResult:
    groups = _grouped(operations)
    decoded: dict[int, SyncOperation] = {}
    results: dict[int, Result] = {}

    def take(kind: type | None, sizes: Iterable[int] = ()) -> _Decoding:
        return _Decoding(groups.pop(kind, {}), sizes, decoded, results)

    results |= await _bulk(
        conn,
        take(CreateCase),
        lambda batches: cases.create_cases(conn, principal, [o.case for b in batches for o in b]),
        lambda o: (o.case.id, o.case.content),
        cases.ENTITY,
    )
    results |= await _each(
        conn, take(UpdateCase).finish(), lambda o: cases.update_case(conn, principal, o.id, o.update)
    )
    results |= await _bulk(
        conn,
        take(CreateRecord, itertools.chain(RECORD_BATCHES, itertools.repeat(RECORD_BATCH))),
        lambda batches: _outcomes(records.create_records(conn, principal, ([o.record for o in b] for b in batches))),
        lambda o: (o.record.id, o.record.content),
        records.ENTITY,
    )
    results |= await _each(
        conn, take(UpdateRecord).finish(), lambda o: records.update_record(conn, principal, o.id, o.update)
    )
    take(None).finish()  # operations of no known kind: each gets its decoding error
    versions = await _versions(conn, [op for i, op in decoded.items() if results[i] is not Outcome.CREATED])
    return SyncPushResult(
        results=[_item_result(i, decoded.get(i), results[i], versions) for i in range(len(operations))],
        server_time=dt.datetime.now(dt.UTC),
    )


async def _outcomes(created: Awaitable[tuple[dict[uuid.UUID, Result], Any]]) -> dict[uuid.UUID, Result]:
    return (await created)[0]


OPERATION = msgspec.json.Decoder(SyncOperation)
KINDS = {op.__struct_config__.tag: op for op in get_args(SyncOperation)}


class _Tag(msgspec.Struct):
    op: str | None = None


TAG = msgspec.json.Decoder(_Tag)


def _grouped(operations: Sequence[msgspec.Raw]) -> dict[type | None, dict[int, msgspec.Raw]]:
    """Operations by kind, read from the ``op`` tag alone (cheap: the rest of the item is skipped)."""
    groups: dict[type | None, dict[int, msgspec.Raw]] = {}
    for index, raw in enumerate(operations):
        try:
            kind = KINDS.get(TAG.decode(raw).op)
        except msgspec.DecodeError:  # not an object, or no string tag: decoding it in full says so
            kind = None
        groups.setdefault(kind, {})[index] = raw
    return groups


class _Decoding:
    """Operations of one kind, decoded as they are taken: in batches of the given sizes, or all at once.

    Each decoded operation goes to ``decoded``, each malformed one's rejection to ``refused``: a
    malformed item is answered alone, never failing the batch. ``finish`` decodes whatever is left.
    """

    def __init__(
        self,
        raws: dict[int, msgspec.Raw],
        sizes: Iterable[int],
        decoded: dict[int, SyncOperation],
        refused: dict[int, Result],
    ) -> None:
        self._count = len(raws)
        self._left = iter(raws.items())
        self._sizes = itertools.chain(sizes, itertools.repeat(max(len(raws), 1)))
        self._decoded, self._refused, self._mine = decoded, refused, {}

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[list[Any]]:
        while taken := list(itertools.islice(self._left, next(self._sizes))):
            yield [op for index, raw in taken if (op := self._decode(index, raw)) is not None]

    def finish(self) -> dict[int, Any]:
        for _ in self:
            pass
        return self._mine

    def _decode(self, index: int, raw: msgspec.Raw) -> SyncOperation | None:
        op = _decode(raw)
        if isinstance(op, AppError):
            self._refused[index] = op
            return None
        self._decoded[index] = self._mine[index] = op
        return op


def _decode(raw: msgspec.Raw) -> SyncOperation | AppError:
    """One queued operation, typed; a malformed one becomes its own rejection, never the batch's."""
    try:
        return OPERATION.decode(raw)
    except msgspec.ValidationError as exc:
        field = msgspec_field_error(str(exc))
        return InvalidInput("该条数据格式不正确，请按字段提示修改", "operation failed validation", errors=[field])


async def _bulk(
    conn: Connection,
    items: _Decoding,
    create: Callable[[Iterable[list[Any]]], Awaitable],
    key: Callable[[Any], tuple[uuid.UUID, msgspec.Struct]],
    entity: str,
) -> dict[int, Result]:
    """Create all in one transaction step; on a statement failure fall back to one by one.

    An id met again later in the push is not offered again: the same content gets the first one's
    answer, other content an id conflict, exactly as if it came in a later push.
    """
    if not items:
        return {}
    first: dict[uuid.UUID, Any] = {}

    def once(batches: Iterable[list[Any]]) -> Iterator[list[Any]]:
        for batch in batches:
            yield [op for op in batch if first.setdefault(key(op)[0], op) is op]

    try:
        async with conn.transaction():
            by_id = await create(once(items))
    except asyncpg.PostgresError:
        return await _each(conn, items.finish(), lambda op: _single(create, op, key))
    return {i: _answer(op, first, by_id, key, entity) for i, op in items.finish().items()}


def _answer(op: Any, first: dict[uuid.UUID, Any], by_id: dict[uuid.UUID, Result], key: Callable, entity: str) -> Result:
    """The answer to the first operation with this id; a later one with other content conflicts with it."""
    id, content = key(op)
    return by_id[id] if content == key(first[id])[1] else intake.id_conflict(entity, id)


async def _single(create: Callable, op: Any, key: Callable) -> Outcome:
    outcome = (await create([[op]]))[key(op)[0]]
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
    current = versions.get(_target(op))  # type: ignore[arg-type]
    if isinstance(op, UpdateCase | UpdateRecord) and current is not None:
        return min(current, op.update.base_version + 1)
    return current


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
