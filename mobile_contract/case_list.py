"""The case list (案件列表) for desk users: search by number, party, stage, officer and date, newest first.

``GET /cases`` answers one page (``CasePage``) of the caller's department (admins: every department,
or the one they name); ``next_cursor`` asks for the next page. The console's case list shows the
same page through the same service.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.parties import Officer
from mobile_contract.workflow import CaseStage

SearchText = Annotated[str, Meta(max_length=100)]


class CaseQuery(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """案件查询条件 / what to look for: every condition is optional, and all that are given must match."""

    number: Annotated[SearchText, Meta(description="文书编号（可只填一部分）/ a document number, or part of one")] = ""
    party: Annotated[SearchText, Meta(description="当事人名称（部分）或信用代码、身份证号 / name part, or code")] = ""
    stage: Annotated[CaseStage | None, Meta(description="办案阶段 / stage in the procedure")] = None
    officer_id: Annotated[uuid.UUID | None, Meta(description="承办或参与的执法人员 / an officer on the case")] = None
    registered_from: Annotated[dt.date | None, Meta(description="登记日期起（北京时间）/ registered from")] = None
    registered_to: Annotated[dt.date | None, Meta(description="登记日期止（北京时间）/ registered until")] = None


class CaseListItem(msgspec.Struct, kw_only=True):
    """列表中的一个案件 / one case as the list shows it."""

    id: uuid.UUID
    department_id: uuid.UUID
    title: str
    party_name: str
    stage: CaseStage
    filing_no: Annotated[str, Meta(description="立案审批表编号（立案后）/ filing number, once filed")]
    found_at: dt.datetime
    registered_at: Annotated[dt.datetime, Meta(description="登记时间 / when the case reached the server")]
    created_by: uuid.UUID
    officers: Annotated[list[Officer], Meta(description="案件记录上的执法人员 / officers named on its records")]


class CasePage(msgspec.Struct, kw_only=True):
    items: list[CaseListItem]
    next_cursor: str | None
