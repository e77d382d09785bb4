"""Finding cases (案件查询): the department's cases matching a query, newest first, one page at a time.

``GET /cases`` and the console's case list call ``search``: the same department scope as reading
one case (admins see every department, or the one they name; anyone else only their own, and naming
another answers 404), the same conditions, the same paging.
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec

from api.auth.principal import Principal
from api.auth.scope import department_scope
from api.cases.clock import CHINA
from api.paging import decode_cursor, encode_cursor
from mobile_contract.case_list import CaseListItem, CasePage, CaseQuery
from mobile_contract.parties import Officer
from mobile_contract.problems import FieldError, InvalidInput
from mobile_contract.workflow import CaseStage
from storage import cases
from storage.db import Connection


async def search(
    conn: Connection,
    principal: Principal,
    query: CaseQuery,
    *,
    department_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> CasePage:
    """One page of the cases in scope that match every condition of ``query``."""
    _check_dates(query)
    rows = await cases.search_page(
        conn,
        department_id=department_scope(principal, department_id),
        number=query.number.strip(),
        party=query.party.strip(),
        stage=query.stage.value if query.stage else None,
        officer_id=query.officer_id,
        registered_from=_local_midnight(query.registered_from),
        registered_before=_local_midnight(query.registered_to and query.registered_to + dt.timedelta(days=1)),
        after=decode_cursor(cursor),
        limit=limit,
    )
    officers = await _officers(conn, [r["id"] for r in rows])
    last = rows[-1] if len(rows) == limit else None
    return CasePage(
        items=[_item(r, officers.get(r["id"], [])) for r in rows],
        next_cursor=encode_cursor(last["created_at"], last["id"]) if last else None,
    )


def _check_dates(query: CaseQuery) -> None:
    if query.registered_from and query.registered_to and query.registered_from > query.registered_to:
        raise InvalidInput(
            "登记日期的起始日不能晚于截止日",
            "registered_from is after registered_to",
            errors=[FieldError("registered_to", "不能早于起始日")],
        )


def _local_midnight(day: dt.date | None) -> dt.datetime | None:
    """The start of a day in China: a desk user's "registered on 3 May" means their 3 May."""
    return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=CHINA)


async def _officers(conn: Connection, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Officer]]:
    """Each case's officers, once each, in the order its records name them."""
    found: dict[uuid.UUID, dict[uuid.UUID, Officer]] = {}
    for row in await cases.officer_lists(conn, case_ids=case_ids):
        named = found.setdefault(row["case_id"], {})
        for officer in msgspec.convert(row["officers"], list[Officer]):
            named.setdefault(officer.user_id, officer)
    return {case_id: list(named.values()) for case_id, named in found.items()}


def _item(row: asyncpg.Record, officers: list[Officer]) -> CaseListItem:
    content = row["content"]
    return CaseListItem(
        id=row["id"],
        department_id=row["department_id"],
        title=content["title"],
        party_name=content["party"]["name"],
        stage=CaseStage(row["stage"]),
        filing_no=row["filing_no"],
        found_at=dt.datetime.fromisoformat(content["found_at"]),
        registered_at=row["created_at"],
        created_by=row["created_by"],
        officers=officers,
    )
