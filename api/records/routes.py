"""HTTP routes for supervision records. Handlers stay thin; rules live in service.py."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.auth.roles import FILE_READERS, INSPECTORS
from api.body import direct
from api.deps import Caller, Db
from api.idempotency import HTTP_STATUS, Outcome
from api.records import listing, service
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


class RecordController(Controller):
    path = "/records"
    tags = ("records 监管行为记录",)

    @post(
        "/",
        guards=[INSPECTORS],
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
            read,
            status_code=HTTP_STATUS[outcome],
            headers={"Idempotent-Replay": str(outcome is Outcome.REPLAYED).lower()},
        )

    @put("/{record_id:uuid}", guards=[INSPECTORS], summary="修改记录（须带基准版本）/ edit a record")
    async def update(
        self, db: Db, principal: Caller, record_id: FromPath[uuid.UUID], data: JSONBody[RecordUpdate]
    ) -> Response[RecordRead]:
        outcome = await service.update_record(db, principal, record_id, data)
        read = (await service.read_records(db, [record_id]))[record_id]
        return Response(read, status_code=HTTP_STATUS[outcome])

    @get("/{record_id:uuid}", guards=[FILE_READERS], summary="查看记录 / read a record")
    async def read(self, db: Db, principal: Caller, record_id: FromPath[uuid.UUID]) -> RecordRead:
        return await service.read_record(db, principal, record_id)

    @get("/{record_id:uuid}/versions", guards=[FILE_READERS], summary="历史版本 / every version")
    async def versions(self, db: Db, principal: Caller, record_id: FromPath[uuid.UUID]) -> list[RecordVersionRead]:
        return await service.list_versions(db, principal, record_id)

    @get("/{record_id:uuid}/evidence", guards=[FILE_READERS], summary="证据完整性 / what evidence is still missing")
    async def evidence(self, db: Db, principal: Caller, record_id: FromPath[uuid.UUID]) -> EvidenceProgress:
        return (await service.read_record(db, principal, record_id)).evidence

    @get("/", guards=[FILE_READERS], summary="记录列表 / list records, newest first")
    async def list_records(
        self,
        db: Db,
        principal: Caller,
        kind: FromQuery[RecordKind | None] = None,
        case_id: FromQuery[uuid.UUID | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> RecordPage:
        return await listing.list_page(db, principal, kind=kind, case_id=case_id, cursor=cursor, limit=limit)
