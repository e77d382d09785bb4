"""HTTP routes for supervision records. Handlers stay thin; rules live in service.py."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.auth.guards import requires
from api.body import direct
from api.deps import Caller, Db
from api.paging import decode_cursor, encode_cursor
from api.records import service
from api.records.intake import Outcome
from mobile_contract.auth import Role
from mobile_contract.problems import AppError
from mobile_contract.records import (
    EvidenceProgress,
    RecordCreate,
    RecordKind,
    RecordPage,
    RecordRead,
    RecordUpdate,
    RecordVersionRead,
)
from storage import records

READERS = requires(Role.INSPECTOR, Role.SUPERVISOR, Role.LEGAL_REVIEWER, Role.ADMIN)
WRITERS = requires(Role.INSPECTOR)
STATUS = {Outcome.CREATED: 201, Outcome.REPLAYED: 200, Outcome.UPDATED: 200}


class RecordController(Controller):
    path = "/records"
    tags = ("records 监管行为记录",)

    @post(
        "/",
        guards=[WRITERS],
        summary="提交记录（可安全重发）/ submit a record, safe to retry",
        dto=direct(RecordCreate),
        return_dto=None,
    )
    async def create(self, db: Db, principal: Caller, data: JSONBody[RecordCreate]) -> Response[RecordRead]:
        outcomes, reads = await service.create_records(db, principal, [data], read_back=True)
        if isinstance(outcome := outcomes[data.id], AppError):
            raise outcome
        read = reads[data.id]
        return Response(
            read, status_code=STATUS[outcome], headers={"Idempotent-Replay": str(outcome is Outcome.REPLAYED).lower()}
        )

    @put("/{record_id:uuid}", guards=[WRITERS], summary="修改记录（须带基准版本）/ edit a record")
    async def update(
        self, db: Db, principal: Caller, record_id: FromPath[uuid.UUID], data: JSONBody[RecordUpdate]
    ) -> Response[RecordRead]:
        outcome = await service.update_record(db, principal, record_id, data)
        read = (await service.read_records(db, [record_id]))[record_id]
        return Response(read, status_code=STATUS[outcome])

    @get("/{record_id:uuid}", guards=[READERS], summary="查看记录 / read a record")
    async def read(self, db: Db, principal: Caller, record_id: FromPath[uuid.UUID]) -> RecordRead:
        return await service.read_record(db, principal, record_id)

    @get("/{record_id:uuid}/versions", guards=[READERS], summary="历史版本 / every version")
    async def versions(self, db: Db, principal: Caller, record_id: FromPath[uuid.UUID]) -> list[RecordVersionRead]:
        return await service.list_versions(db, principal, record_id)

    @get("/{record_id:uuid}/evidence", guards=[READERS], summary="证据完整性 / what evidence is still missing")
    async def evidence(self, db: Db, principal: Caller, record_id: FromPath[uuid.UUID]) -> EvidenceProgress:
        return (await service.read_record(db, principal, record_id)).evidence

    @get("/", guards=[READERS], summary="记录列表 / list records, newest first")
    async def list_records(
        self,
        db: Db,
        principal: Caller,
        kind: FromQuery[RecordKind | None] = None,
        case_id: FromQuery[uuid.UUID | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> RecordPage:
        ids = await records.list_page(db, department_id=principal.department_scope, kind=kind, case_id=case_id,
                                      after=decode_cursor(cursor), limit=limit)  # fmt: skip
        found = await service.read_records(db, ids)
        items = [found[i] for i in ids]
        last = items[-1] if len(items) == limit else None
        return RecordPage(items=items, next_cursor=encode_cursor(last.created_at, last.id) if last else None)
