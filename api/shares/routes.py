"""HTTP routes for sharing a case's package (案卷共享) and for items withheld from shares (不予披露)."""

from __future__ import annotations

import html
import shutil
import uuid
from collections.abc import Mapping

from litestar import Controller, Response, get, post, put
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.response import File

from api.auth.guards import requires
from api.deps import Caller, Db, Store
from api.shares import service
from mobile_contract.auth import Role
from mobile_contract.documents import ShareCreate, ShareRead, ShareRevocation, Withholding
from mobile_contract.problems import Gone

HEADS = requires(Role.SUPERVISOR)
VIEWERS = requires(Role.SUPERVISOR, Role.LEGAL_REVIEWER)


class ShareController(Controller):
    path = "/"
    tags = ("evidence package 证据包",)

    @post("/cases/{case_id:uuid}/shares", guards=[HEADS], summary="共享案卷给检察院/法院（留痕）/ share the package")
    async def create(
        self, db: Db, state: State, principal: Caller, case_id: FromPath[uuid.UUID], data: JSONBody[ShareCreate]
    ) -> ShareRead:
        settings = state.settings
        return await service.create(
            db, principal, case_id, data, secret=settings.auth.jwt_secret, public_url=settings.documents.public_url
        )

    @get("/cases/{case_id:uuid}/shares", guards=[VIEWERS], summary="案卷的共享 / the case's shares")
    async def list_for_case(self, db: Db, principal: Caller, case_id: FromPath[uuid.UUID]) -> list[ShareRead]:
        return await service.for_case(db, principal, case_id)

    @post("/shares/{share_id:uuid}/revocation", guards=[HEADS], status_code=200, summary="撤销共享 / revoke")
    async def revoke(
        self, db: Db, principal: Caller, share_id: FromPath[uuid.UUID], data: JSONBody[ShareRevocation]
    ) -> ShareRead:
        return await service.revoke(db, principal, share_id, data.reason)

    @put(
        "/evidence/{evidence_id:uuid}/disclosure",
        guards=[VIEWERS],
        status_code=204,
        summary="不予披露（共享时不含此证据）/ withhold an item from shares",
    )
    async def withhold(
        self, db: Db, principal: Caller, evidence_id: FromPath[uuid.UUID], data: JSONBody[Withholding]
    ) -> None:
        await service.set_withheld(db, principal, evidence_id, data)


PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>共享案卷</title>
<style>body{{font-family:"Noto Sans SC",sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}</style></head>
<body><h1>共享案卷（只读）</h1>{body}</body></html>"""


class SharedController(Controller):
    """The recipient's side: no account, the link's token is the key; every use is audited."""

    path = "/shared"
    tags = ("evidence package 证据包",)
    opt: Mapping[str, object] = {"public": True}
    security = ({},)

    @get("/{token:str}", media_type="text/html", summary="共享页（留痕）/ the recipient's page, audited")
    async def page(self, db: Db, token: FromPath[str]) -> Response[str]:
        try:
            share = await service.open_share(db, token)
        except Gone as gone:
            return Response(PAGE.format(body=f"<p>{html.escape(gone.detail)}</p>"), status_code=410)
        await service.record_view(db, share)
        body = (
            f"<p>接收人：{html.escape(share['recipient_name'])}（{html.escape(share['recipient_organ'])}）</p>"
            f"<p>有效期至：{service.china_time(share['expires_at'])}</p><p>每次访问均记录在案。</p>"
            f'<p><a href="/shared/{html.escape(token)}/package">下载证据包（含离线校验程序 verify.py）</a></p>'
        )
        return Response(PAGE.format(body=body), media_type="text/html")

    @get("/{token:str}/package", media_type="application/zip", summary="下载共享的证据包（留痕）/ download")
    async def package(self, db: Db, store: Store, token: FromPath[str]) -> File:
        built = await service.package(db, store, token)
        return File(
            built.archive,
            filename=built.archive.name,
            media_type="application/zip",
            background=BackgroundTask(shutil.rmtree, built.archive.parent, ignore_errors=True),
        )
