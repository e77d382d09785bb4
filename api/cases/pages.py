"""The desk's case pages (案件查询、案件详情、期限督办): the same guards and service calls as ``routes.py``.

The list searches through ``api.cases.search`` exactly as ``GET /cases`` does; the case page reads
through the workflow's own reads, so the next steps and the reasons a step is refused are the ones
the procedure's guards give; the deadline list is ``GET /deadlines`` with the colour of urgency.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Annotated
from urllib.parse import urlencode

import msgspec
from litestar import Request, Response, get
from litestar.params import FromPath, QueryParameter

from api.auth.roles import FILE_READERS
from api.calendar import service as calendar
from api.cases import clock, search, views, workflow
from api.cases.routes import OVERSEERS
from api.console.page import PageController, menu
from api.console.templating import render
from api.deps import Caller, Db
from api.errors import msgspec_field_error
from api.users import service as users_service
from mobile_contract.auth import Role, UserRead
from mobile_contract.case_list import CaseQuery
from mobile_contract.problems import ClientError, FieldError, InvalidInput
from mobile_contract.workflow import CaseStage

LIST_PAGE = 30
Filter = Annotated[str, QueryParameter()]
DUE_WITHIN_DAYS = 7
URGENCY_ORDER = {"overdue": 0, "due_soon": 1, "incalculable": 2}


class CaseFilters(msgspec.Struct, kw_only=True):
    """The search form as it is sent (empty = any); dates are local (Asia/Shanghai)."""

    number: str = ""
    party: str = ""
    stage: str = ""
    officer: str = ""
    start: str = ""
    end: str = ""

    def query_string(self) -> str:
        return urlencode({k: v for k, v in msgspec.structs.asdict(self).items() if v})

    def to_query(self) -> CaseQuery:
        """The contract's query, or 422 naming the field the form got wrong."""
        fields = {
            "number": self.number,
            "party": self.party,
            "stage": self.stage or None,
            "officer_id": self.officer or None,
            "registered_from": self.start or None,
            "registered_to": self.end or None,
        }
        try:
            return msgspec.convert(fields, CaseQuery)
        except msgspec.ValidationError as exc:
            wrong = msgspec_field_error(str(exc))
            field = FieldError(FORM_FIELDS.get(wrong.field, wrong.field), wrong.message)
            raise InvalidInput("查询条件有误，请检查后重新查询", str(exc), errors=[field]) from exc


FORM_FIELDS = {"officer_id": "officer", "registered_from": "start", "registered_to": "end"}
# The search form's labels, by form field and by the contract's field: a refusal names what to correct.
FORM_LABELS = {
    "number": "文书编号", "party": "当事人", "stage": "办案阶段", "officer": "执法人员",
    "start": "登记日期起", "end": "登记日期止",
}  # fmt: skip
FIELD_LABELS = FORM_LABELS | {contract: FORM_LABELS[form] for contract, form in FORM_FIELDS.items()}


class CasePages(PageController):
    path = "/console"

    @get("/cases", guards=[FILE_READERS], opt=menu("案件查询", 30))
    async def case_list(
        self,
        request: Request,
        db: Db,
        principal: Caller,
        cursor: Annotated[str | None, QueryParameter()] = None,
        number: Filter = "",
        party: Filter = "",
        stage: Filter = "",
        officer: Filter = "",
        start: Filter = "",
        end: Filter = "",
    ) -> Response:
        filters = CaseFilters(number=number, party=party, stage=stage, officer=officer, start=start, end=end)
        page, error = None, None
        try:
            page = await search.search(db, principal, filters.to_query(), cursor=cursor, limit=LIST_PAGE)
        except ClientError as refused:
            error = refused
        return render(
            request,
            "cases/list.html",
            status=error.status if error else 200,
            page=page,
            error=error,
            filters=filters,
            filter_query=filters.query_string(),
            first_page=cursor is None,
            stages=list(CaseStage),
            officers=await _officers(db, principal),
            field_labels=FIELD_LABELS,
        )

    @get("/cases/{case_id:uuid}", guards=[FILE_READERS])
    async def case_page(self, request: Request, db: Db, principal: Caller, case_id: FromPath[uuid.UUID]) -> Response:
        view = await views.case_view(db, principal, case_id)
        return render(request, "cases/detail.html", view=view, role=principal.role)

    @get("/deadlines", guards=[OVERSEERS], opt=menu("期限督办", 60))
    async def deadlines(
        self,
        request: Request,
        db: Db,
        principal: Caller,
        within: Annotated[int, QueryParameter(ge=0, le=90)] = DUE_WITHIN_DAYS,
    ) -> Response:
        found = await workflow.department_deadlines(db, principal, within)
        found.sort(key=lambda d: (URGENCY_ORDER[d.status], d.days_left or 0))
        coloured = [(d, urgency(d.days_left, d.status)) for d in found]
        return render(
            request,
            "cases/deadlines.html",
            deadlines=coloured,
            counts=Counter(colour for _, colour in coloured),
            within=within,
            calendar=await calendar.status(db, clock.today()),
        )


async def _officers(db: Db, principal: Caller) -> list[UserRead]:
    """The department's inspectors, for the officer filter (a name to pick, not an id to type)."""
    return [u for u in await users_service.list_users(db, principal, None) if u.role is Role.INSPECTOR]


def urgency(days_left: int | None, status: str) -> str:
    """The colour class of a deadline: overdue red, due within a working day or two amber, unknown grey."""
    if status == "overdue":
        return "bad"
    if status == "incalculable" or days_left is None:
        return "unknown"
    return "warn" if days_left <= 2 else "info"
