"""归集: penalty records (行政处罚) of the caller's department become credit records.

Each penalty is taken once (its record id is the credit record's source), its
party registered as a subject when new, and the 7-day platform deadline runs
from the day of the decision, so a late collection shows as a late report.
Seriousness (严重失信) is a legal finding the record does not carry, so
collected penalties are ordinary; record a serious one with ``record_fact``.
"""

from __future__ import annotations

import msgspec

from api.auth.principal import Principal
from api.credit.service import LOCAL_TZ, record_fact
from api.subjects.service import register
from mobile_contract.credit import CollectResult, CreditFactKind, CreditRecordCreate
from mobile_contract.problems import Conflict
from mobile_contract.records import PenaltyContent
from mobile_contract.subjects import SubjectCreate
from storage import credit
from storage.db import Connection


async def collect_penalties(conn: Connection, principal: Principal) -> CollectResult:
    created = already = registered = 0
    for row in await credit.uncollected_penalties(conn, department_id=principal.department_id):
        content = msgspec.convert(row["content"], PenaltyContent)
        subject, new = await register(
            conn, principal, SubjectCreate(party=content.party, region_code=content.region_code)
        )
        registered += new
        fact = CreditRecordCreate(
            subject_id=subject.id,
            kind=CreditFactKind.PENALTY,
            decided_on=row["occurred_at"].astimezone(LOCAL_TZ).date(),
            summary=content.violation,
            document_no=content.decision_no,
            source_kind="record",
            source_id=str(row["id"]),
        )
        try:
            await record_fact(conn, principal, fact)
            created += 1
        except Conflict:
            already += 1  # collected by a concurrent request
    return CollectResult(created=created, already=already, subjects_registered=registered)
