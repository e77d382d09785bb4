"""HTTP routes for legal review (法制审核)."""

from __future__ import annotations

import uuid

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from api.auth.guards import requires
from api.cases import workflow
from api.deps import Caller, Db, Store
from api.idempotency import HTTP_STATUS
from api.review import service
from mobile_contract.auth import Role
from mobile_contract.case_state import WorkflowRead
from mobile_contract.review import ReviewDecision, ReviewDossier, ReviewQueueItem

REVIEWERS = requires(Role.LEGAL_REVIEWER)


class ReviewController(Controller):
    path = "/reviews"
    tags = ("legal review 法制审核",)
    guards = [REVIEWERS]  # noqa: RUF012

    @get("/", summary="待审核案件 / the department's review queue")
    async def queue(self, db: Db, principal: Caller) -> list[ReviewQueueItem]:
        return await service.queue(db, principal)

    @get("/{case_id:uuid}", summary="打开案卷并重新核验全部证据（留痕）/ open the dossier, re-checking evidence")
    async def open(self, db: Db, store: Store, principal: Caller, case_id: FromPath[uuid.UUID]) -> ReviewDossier:
        return await service.open_dossier(db, store, principal, case_id)

    @post("/{case_id:uuid}/conclusion", summary="审核通过或退回（书面理由）/ pass or return with reasons")
    async def conclude(
        self, db: Db, principal: Caller, case_id: FromPath[uuid.UUID], data: JSONBody[ReviewDecision]
    ) -> Response[WorkflowRead]:
        outcome = await service.conclude(db, principal, case_id, data)
        return Response(await workflow.read(db, principal, case_id), status_code=HTTP_STATUS[outcome])
