"""The legal reviewer's workspace (法制审核工作台): the queue, the dossier as a page, pass or return.

The same guard and service calls as ``routes.py``: opening the page is opening the dossier (every
stored object re-checked, the opening audited), and the conclusion form goes to ``service.conclude``
with the review's own rules (no conclusion before opening, none on a failed item, none by someone who
took part). The form carries a step id made when the page was drawn, so sending it twice is one step.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect

from api.console.page import PageController, menu, wants_json
from api.console.templating import render
from api.deps import Caller, Db, Store
from api.review import service, views
from api.review.routes import REVIEWERS
from mobile_contract.problems import ClientError, FieldError, InvalidInput
from mobile_contract.review import ReviewDecision, ReviewOutcome


class ConclusionForm(msgspec.Struct, kw_only=True):
    outcome: str = ""
    reasons: str = ""
    event_id: str = ""
    csrf: str = msgspec.field(default="", name="_csrf")

    def decision(self) -> ReviewDecision:
        if self.outcome not in set(ReviewOutcome) or len(self.reasons.strip()) < 2:
            raise InvalidInput(
                "请选择审核结论，并写明理由（至少两个字）",
                "outcome and written reasons are required",
                errors=[FieldError(f, "") for f in ("outcome", "reasons") if not getattr(self, f).strip()],
            )
        fields = {"event_id": self.event_id, "outcome": self.outcome, "reasons": self.reasons.strip()}
        try:
            return msgspec.convert(fields, ReviewDecision)
        except msgspec.ValidationError as exc:
            raise InvalidInput("审核结论填写有误，请刷新页面后重新填写", str(exc)) from exc


class ReviewPages(PageController):
    path = "/console/reviews"

    @get("/", guards=[REVIEWERS], opt=menu("法制审核", 40))
    async def queue(self, request: Request, db: Db, principal: Caller) -> Response:
        return render(request, "review/queue.html", rows=await views.queue_rows(db, principal))

    @get("/{case_id:uuid}", guards=[REVIEWERS])
    async def dossier(
        self, request: Request, db: Db, store: Store, principal: Caller, case_id: FromPath[uuid.UUID]
    ) -> Response:
        return await _dossier_page(request, db, store, principal, case_id)

    @post("/{case_id:uuid}/conclusion", guards=[REVIEWERS])
    async def conclude(
        self,
        request: Request,
        db: Db,
        store: Store,
        principal: Caller,
        case_id: FromPath[uuid.UUID],
        data: Annotated[ConclusionForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response:
        try:
            await service.conclude(db, principal, case_id, data.decision())
        except ClientError as error:  # refused before the step was written
            if wants_json(request):
                raise
            return await _dossier_page(request, db, store, principal, case_id, error=error, form=data)
        return Redirect(f"/console/cases/{case_id}", status_code=303)


async def _dossier_page(
    request: Request,
    db: Db,
    store: Store,
    principal: Caller,
    case_id: uuid.UUID,
    *,
    error: ClientError | None = None,
    form: ConclusionForm | None = None,
) -> Response:
    view = await views.dossier_view(db, store, principal, case_id)
    return render(
        request,
        "review/dossier.html",
        status=error.status if error else 200,
        view=view,
        error=error,
        form=form or ConclusionForm(),
        outcomes=list(ReviewOutcome),
    )
