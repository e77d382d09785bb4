"""HTTP routes for numbered documents, publication (行政执法公示) and the national export."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, PathParameter, QueryParameter

from api.auth.guards import requires
from api.auth.roles import FILE_READERS
from api.cases import clock
from api.deps import Caller, Db, Store
from api.documents import export, publication, service, settings, verification
from mobile_contract.auth import Role
from mobile_contract.documents import (
    DocumentRead,
    DocumentSettings,
    PublicationCreate,
    PublicationPage,
    PublicationRead,
    WithdrawalCreate,
)
from mobile_contract.national_export import ActionExport, ExportFormat
from mobile_contract.records import RecordKind
from mobile_contract.types import RegionCode

HEADS = requires(Role.SUPERVISOR)
DEFAULT_SPAN_DAYS = 31  # without dates: the last month up to today
EXPORTERS = requires(Role.SUPERVISOR, Role.ADMIN)
SETTERS = requires(Role.SUPERVISOR, Role.ADMIN)
PDF = "application/pdf"


def pdf_response(name: str, data: bytes) -> Response[bytes]:
    """A PDF to open in the browser, named after the document number (RFC 6266 UTF-8 filename)."""
    disposition = f"inline; filename=\"document.pdf\"; filename*=UTF-8''{quote(name + '.pdf')}"
    return Response(data, media_type=PDF, headers={"Content-Disposition": disposition})


PhotoNumber = Annotated[int, PathParameter(ge=1, le=1000)]  # a number PostgreSQL's integer holds (a 500 otherwise)


class DocumentController(Controller):
    path = "/"
    tags = ("documents 执法文书",)

    @get("/cases/{case_id:uuid}/documents", guards=[FILE_READERS], summary="案件文书 / the case's numbered documents")
    async def for_case(self, db: Db, principal: Caller, case_id: FromPath[uuid.UUID]) -> list[DocumentRead]:
        return await service.for_case(db, principal, case_id)

    @get("/documents/{document_id:uuid}", guards=[FILE_READERS], summary="文书信息 / one document")
    async def read(self, db: Db, principal: Caller, document_id: FromPath[uuid.UUID]) -> DocumentRead:
        return (await service.get(db, principal, document_id))[0]

    @get(
        "/documents/{document_id:uuid}/html",
        guards=[FILE_READERS],
        media_type="text/html",
        summary="可打印文书（A4 HTML）/ printable rendering",
    )
    async def html(self, db: Db, principal: Caller, document_id: FromPath[uuid.UUID]) -> str:
        return (await service.get(db, principal, document_id))[1]

    @get("/documents/{document_id:uuid}/pdf", guards=[FILE_READERS], media_type=PDF, summary="签章 PDF / sealed PDF")
    async def pdf(self, db: Db, principal: Caller, document_id: FromPath[uuid.UUID]) -> Response[bytes]:
        return pdf_response(*await service.pdf(db, principal, document_id))

    @get(
        "/documents/{document_id:uuid}/receipt-form",
        guards=[FILE_READERS],
        media_type=PDF,
        summary="空白送达回证（送达前打印，供受送达人签名）/ blank receipt to print before service",
    )
    async def receipt_form(self, db: Db, principal: Caller, document_id: FromPath[uuid.UUID]) -> Response[bytes]:
        number, data = await service.receipt_form(db, principal, document_id)
        return pdf_response(f"送达回证-{number}", data)


class DocumentSettingsController(Controller):
    path = "/departments/{department_id:uuid}/document-settings"
    tags = ("documents 执法文书",)

    @get("/", guards=[SETTERS], summary="文书设置（复议机关、人民法院、缴款银行）/ document settings")
    async def read(self, db: Db, principal: Caller, department_id: FromPath[uuid.UUID]) -> DocumentSettings:
        return await settings.read(db, principal, department_id)

    @put("/", guards=[SETTERS], summary="填写文书设置（留痕）/ set the document settings, audited")
    async def save(
        self, db: Db, principal: Caller, department_id: FromPath[uuid.UUID], data: JSONBody[DocumentSettings]
    ) -> DocumentSettings:
        return await settings.save(db, principal, department_id, data)


@dataclass
class VerifyForm:
    """The verification form: a PDF file, or its SHA-256."""

    file: UploadFile | None = None
    sha256: str = ""


class VerificationController(Controller):
    """文书核验: a public page, no sign-in; shows no personal data."""

    path = "/verify"
    tags = ("documents 执法文书",)
    opt: Mapping[str, object] = {"public": True}
    security = ({},)

    @get("/{code:str}", media_type="text/html", summary="文书核验页 / public verification page")
    async def show(self, db: Db, code: FromPath[str]) -> Response[str]:
        page = await verification.show(db, code)
        return Response(page.html, status_code=page.status, media_type="text/html")

    @post("/{code:str}", media_type="text/html", summary="核验文件或 SHA-256 / check a file or hash")
    async def check(
        self, db: Db, code: FromPath[str], data: Annotated[VerifyForm, Body(media_type=RequestEncodingType.MULTI_PART)]
    ) -> Response[str]:
        pdf = await data.file.read() if data.file is not None and data.file.filename else None
        page = await verification.check(db, code, pdf=pdf, sha256=data.sha256)
        return Response(page.html, status_code=page.status, media_type="text/html")


class PublicationController(Controller):
    path = "/"
    tags = ("publication 行政执法公示",)

    @post("/cases/{case_id:uuid}/publication", guards=[HEADS], summary="公示决定（脱敏）/ publish the decision")
    async def publish(
        self, db: Db, store: Store, principal: Caller, case_id: FromPath[uuid.UUID], data: JSONBody[PublicationCreate]
    ) -> PublicationRead:
        return await publication.publish(db, store, principal, case_id, data)

    @post(
        "/publications/{publication_id:uuid}/withdrawal",
        guards=[HEADS],
        status_code=200,
        summary="撤回公示（公开理由）/ withdraw with a public reason",
    )
    async def withdraw(
        self, db: Db, principal: Caller, publication_id: FromPath[uuid.UUID], data: JSONBody[WithdrawalCreate]
    ) -> PublicationRead:
        return await publication.withdraw(db, principal, publication_id, data)


class PublicFeedController(Controller):
    """公示栏: open to everyone, no sign-in (行政执法公示)."""

    path = "/public/decisions"
    tags = ("publication 行政执法公示",)
    opt: Mapping[str, object] = {"public": True}
    security = ({},)  # OpenAPI: no bearer token needed here

    @get("/", summary="公示栏 / public feed of decisions, newest first")
    async def feed(
        self,
        db: Db,
        region_code: FromQuery[RegionCode | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> PublicationPage:
        return await publication.public_feed(db, region_code=region_code, cursor=cursor, limit=limit)

    @get("/{publication_id:uuid}", summary="公示详情 / one public entry")
    async def public_one(self, db: Db, publication_id: FromPath[uuid.UUID]) -> PublicationRead:
        return await publication.public_one(db, publication_id)

    @get("/{publication_id:uuid}/images/{n:int}", media_type="image/jpeg", summary="公示照片（已模糊）/ photo")
    async def image(self, db: Db, publication_id: FromPath[uuid.UUID], n: PhotoNumber) -> Response[bytes]:
        return Response(await publication.public_image(db, publication_id, n), media_type="image/jpeg")


class ExportController(Controller):
    path = "/exports"
    tags = ("export 互联网+监管",)

    @get(
        "/supervision-actions",
        guards=[EXPORTERS],
        summary="导出监管行为（互联网+监管，JSON/CSV；日期区间 [since, until)，默认最近一个月）",
    )
    async def supervision_actions(
        self,
        db: Db,
        principal: Caller,
        since: FromQuery[dt.date | None] = None,
        until: FromQuery[dt.date | None] = None,
        kind: FromQuery[RecordKind | None] = None,
        format: FromQuery[ExportFormat] = ExportFormat.JSON,
        skip_invalid: FromQuery[bool] = False,
    ) -> Response[ActionExport] | Response[str]:
        until = until or clock.today() + dt.timedelta(days=1)
        since = since or until - dt.timedelta(days=DEFAULT_SPAN_DAYS)
        result = await export.export(db, principal, kind=kind, since=since, until=until, skip_invalid=skip_invalid)
        if format is ExportFormat.JSON:
            return Response(result)
        headers = {"Content-Disposition": f'attachment; filename="supervision-actions-{since}-{until}.csv"'}
        return Response(export.to_csv(result), media_type="text/csv; charset=utf-8", headers=headers)
