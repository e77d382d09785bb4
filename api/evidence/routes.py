"""HTTP routes for evidence (证据). Handlers stay thin; rules live in service.py and uploads.py.

There is deliberately no route that deletes, replaces or edits evidence.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.response import Stream

from api.auth.guards import requires
from api.auth.roles import FILE_READERS
from api.deps import Caller, Db, Store
from api.errors import problem_response
from api.evidence import service, uploads
from mobile_contract.auth import Role
from mobile_contract.evidence import (
    EvidenceRead,
    LegalHoldRequest,
    PartUrlRequest,
    PartUrls,
    UploadProgress,
    UploadRequest,
    UploadTicket,
)
from mobile_contract.problems import Problem, RangeNotSatisfiable

UPLOADERS = requires(Role.INSPECTOR, Role.ADMIN)
HOLDERS = requires(Role.SUPERVISOR, Role.LEGAL_REVIEWER, Role.ADMIN)


class EvidenceController(Controller):
    path = "/evidence"
    tags = ("evidence 证据",)

    @post("/{evidence_id:uuid}/upload", guards=[UPLOADERS], status_code=200, summary="申请上传凭证 / upload ticket")
    async def upload(
        self, db: Db, store: Store, principal: Caller, evidence_id: FromPath[uuid.UUID], data: JSONBody[UploadRequest]
    ) -> UploadTicket:
        return await uploads.request_upload(db, store, principal, evidence_id, data)

    @post("/{evidence_id:uuid}/upload/parts", guards=[UPLOADERS], status_code=200, summary="分片上传地址 / part URLs")
    async def part_urls(
        self, db: Db, store: Store, principal: Caller, evidence_id: FromPath[uuid.UUID], data: JSONBody[PartUrlRequest]
    ) -> PartUrls:
        return await uploads.sign_parts(db, store, principal, evidence_id, data)

    @get("/{evidence_id:uuid}/upload/parts", guards=[UPLOADERS], summary="已上传分片（续传）/ parts already uploaded")
    async def upload_progress(
        self, db: Db, store: Store, principal: Caller, evidence_id: FromPath[uuid.UUID]
    ) -> UploadProgress:
        return await uploads.upload_progress(db, store, principal, evidence_id)

    @post("/{evidence_id:uuid}/finalize", guards=[UPLOADERS], status_code=200, summary="上传完成并核验 / finalise")
    async def finalize(self, db: Db, store: Store, principal: Caller, evidence_id: FromPath[uuid.UUID]) -> EvidenceRead:
        return await uploads.finalize(db, store, principal, evidence_id)

    @get("/{evidence_id:uuid}", guards=[FILE_READERS], summary="证据详情（留痕）/ metadata, audited")
    async def read(self, db: Db, principal: Caller, evidence_id: FromPath[uuid.UUID]) -> EvidenceRead:
        return await service.read(db, principal, evidence_id)

    @get(
        "/{evidence_id:uuid}/download",
        guards=[FILE_READERS],
        summary="下载证据原件（支持分段读取，每次下载、每次播放留痕）/ the verified bytes, whole or one range, audited",
        responses={
            200: ResponseSpec(
                bytes,
                media_type="application/octet-stream",
                description="证据原件 / the bytes",
                generate_examples=False,
            ),
            206: ResponseSpec(
                bytes,
                media_type="application/octet-stream",
                description="请求的数据段（Content-Range）/ the range asked for",
                generate_examples=False,
            ),
            416: ResponseSpec(Problem, description="数据段超出文件 / range past the end", generate_examples=False),
        },
    )
    async def download(
        self,
        request: Request,
        db: Db,
        store: Store,
        principal: Caller,
        evidence_id: FromPath[uuid.UUID],
        range_header: Annotated[str | None, HeaderParameter(name="range")] = None,
        if_range: Annotated[str | None, HeaderParameter(name="if-range")] = None,
        preview: Annotated[bool, QueryParameter(description="在浏览器中预览 PDF、图片 / show in the browser")] = False,
    ) -> Response:
        try:
            found = await service.download(
                db, store, principal, evidence_id, range_header=range_header, if_range=if_range
            )
        except RangeNotSatisfiable as error:
            refused = problem_response(request, error)
            refused.headers["Content-Range"] = f"bytes */{error.extra['size']}"
            return refused
        return Stream(
            found.body.chunks(),
            status_code=found.status_code,
            media_type=found.media_type,
            headers=found.headers(inline=preview),
        )

    @post("/{evidence_id:uuid}/legal-hold", guards=[HOLDERS], status_code=200, summary="法律保全 / legal hold")
    async def legal_hold(
        self,
        db: Db,
        store: Store,
        principal: Caller,
        evidence_id: FromPath[uuid.UUID],
        data: JSONBody[LegalHoldRequest],
    ) -> EvidenceRead:
        return await service.set_legal_hold(db, store, principal, evidence_id, data)
