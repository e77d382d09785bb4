"""Reading the audit log (留痕查询) and checking its chain over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter

from api.audit import service
from api.auth.guards import requires
from api.deps import Caller, Db, Store
from mobile_contract.audit import AuditEntryRead, AuditPage, ChainReport
from mobile_contract.auth import Role

AUDIT_READERS = (Role.SUPERVISOR, Role.LEGAL_REVIEWER, Role.ADMIN)


class AuditController(Controller):
    path = "/audit"
    tags = ("audit",)

    @get("/", guards=[requires(*AUDIT_READERS)], summary="本机构留痕记录（分页） / audit entries of a department")
    async def list_entries(
        self,
        db: Db,
        principal: Caller,
        after_seq: Annotated[int, QueryParameter(ge=0, description="从此序号之后 / start after this seq")] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        department_id: Annotated[uuid.UUID | None, QueryParameter(description="仅管理员可查其他机构")] = None,
    ) -> AuditPage:
        return await service.page(db, principal, department_id=department_id, after_seq=after_seq, limit=limit)

    @get(
        "/entities/{entity_type:str}/{entity_id:str}",
        guards=[requires(*AUDIT_READERS)],
        summary="某对象的全部留痕 / every audit entry of one entity",
    )
    async def entity_entries(
        self, db: Db, principal: Caller, entity_type: FromPath[str], entity_id: FromPath[str]
    ) -> list[AuditEntryRead]:
        return await service.for_entity(db, principal, entity_type=entity_type, entity_id=entity_id)

    @get(
        "/verify",
        guards=[requires(Role.ADMIN)],
        summary="校验留痕哈希链（含锚点）/ verify the chain and its checkpoints",
    )
    async def verify(self, db: Db, store: Store, state: State) -> ChainReport:
        return await service.verify_anchored(db, store, state.settings)
