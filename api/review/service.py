"""Legal review (法制审核): the reviewer queue, opening a dossier with a fresh evidence re-check, the conclusion.

Opening a case re-reads every verified evidence object from the store and
compares its SHA-256 with the capture hash (``api.evidence.integrity``); each
check is kept in the item's integrity history and audited. An item that
fails shows as failed in the dossier, blocks the review from passing, and —
as the latest check of that item — blocks the decision.
"""

from __future__ import annotations

import collections
import datetime as dt
import uuid

import asyncpg

from api.audit import trail
from api.auth.principal import Principal
from api.cases import workflow
from api.cases.guards import ReviewCheck
from api.cases.service import read_cases
from api.evidence.integrity import CheckedItem, verify_stored
from api.evidence.service import read_item
from api.idempotency import Outcome
from api.records.service import read_records
from mobile_contract.evidence import EvidenceStatus, IntegrityOutcome
from mobile_contract.problems import Forbidden, InvalidTransition
from mobile_contract.review import (
    CheckOutcome,
    CustodyEntry,
    EvidenceCheck,
    ReviewDecision,
    ReviewDossier,
    ReviewOutcome,
    ReviewQueueItem,
)
from mobile_contract.workflow import CaseStage, PassReview, ReturnReview
from storage import audit, reviews
from storage import workflow as workflow_sql
from storage.db import Connection
from storage.objects import ObjectStore

VERIFY_BATCH = 100


async def queue(conn: Connection, principal: Principal) -> list[ReviewQueueItem]:
    rows = await reviews.queue(conn, department_id=principal.department_scope)
    return [
        ReviewQueueItem(
            review_id=r["id"],
            case_id=r["case_id"],
            title=r["title"],
            grounds=r["grounds"],
            submitted_at=r["submitted_at"],
            submitted_by=r["submitted_by"],
            own_case=principal.user_id in await reviews.involved_users(conn, case_id=r["case_id"]),
        )
        for r in rows
    ]


async def _under_review(conn: Connection, principal: Principal, case_id: uuid.UUID) -> asyncpg.Record:
    """The open review of a case the caller may review: in scope, not their own, in 法制审核."""
    await workflow.case_file(conn, principal, case_id)
    if principal.user_id in await reviews.involved_users(conn, case_id=case_id):
        raise Forbidden(
            "您参与过本案，不能审核本案（回避）", "reviewers cannot review their own cases", code="own-case"
        )
    state = await workflow_sql.fetch(conn, case_id=case_id)
    review = await reviews.current(conn, case_id=case_id)
    if state is None or state["stage"] != CaseStage.LEGAL_REVIEW.value or review is None:
        raise InvalidTransition("本案当前不在法制审核阶段", "case is not under legal review", code="not-under-review")
    return review


async def open_dossier(conn: Connection, store: ObjectStore, principal: Principal, case_id: uuid.UUID) -> ReviewDossier:
    """The dossier, with every stored object re-checked now; the opening is recorded and audited."""
    review = await _under_review(conn, principal, case_id)
    records = await workflow_sql.case_records(conn, case_id=case_id)
    checked = [c for r in records for c in await _recheck(conn, store, principal, r["id"])]
    failed = [c.evidence_id for c in checked if c.check.outcome is not IntegrityOutcome.OK]
    await reviews.record_opening(
        conn,
        review_id=review["id"],
        reviewer_id=principal.user_id,
        device_id=principal.device_id,
        checked=len(checked),
        failed=failed,
    )
    dossier = ReviewDossier(
        case=(await read_cases(conn, [case_id]))[case_id],
        workflow=await workflow.read(conn, principal, case_id),
        history=await workflow.history(conn, principal, case_id),
        records=list((await read_records(conn, [r["id"] for r in records])).values()),
        evidence=await _evidence(conn, case_id, {c.evidence_id: c for c in checked}),
        checked_at=dt.datetime.now(dt.UTC),
        failed=failed,
    )
    detail = {"review_id": str(review["id"]), "checked": len(checked), "failed": [str(i) for i in failed]}
    await audit.append(
        conn,
        trail.change(principal, "review.open", "case", case_id, detail=detail),
    )
    return dossier


async def _recheck(
    conn: Connection, store: ObjectStore, principal: Principal, record_id: uuid.UUID
) -> list[CheckedItem]:
    found: list[CheckedItem] = []
    while True:
        after = found[-1].evidence_id if found else None
        batch = await verify_stored(conn, store, record_id=record_id, after=after, limit=VERIFY_BATCH, by=principal)
        found += batch
        if len(batch) < VERIFY_BATCH:
            return found


async def _evidence(conn: Connection, case_id: uuid.UUID, checked: dict[uuid.UUID, CheckedItem]) -> list[EvidenceCheck]:
    items = await reviews.case_evidence_items(conn, case_id=case_id)
    touches = await reviews.custody(
        conn, evidence_ids=[i["id"] for i in items], record_ids=list({i["record_id"] for i in items})
    )
    by_entity = collections.defaultdict(list)
    for t in touches:
        by_entity[t["entity_id"]].append(CustodyEntry(**{k: t[k] for k in CustodyEntry.__struct_fields__}))
    result = []
    for item in items:
        check = checked.get(item["id"])
        outcome = CheckOutcome(check.check.outcome.value) if check else CheckOutcome.NOT_UPLOADED
        if item["status"] == EvidenceStatus.FAILED.value:
            outcome = CheckOutcome.MISMATCH
        result.append(
            EvidenceCheck(
                declaration=(await read_item(conn, item)).declaration,
                record_id=item["record_id"],
                status=EvidenceStatus(item["status"]),
                outcome=outcome,
                actual_sha256=check.check.actual_sha256 if check else None,
                detail=check.check.detail if check else (item["failure_reason"] or ""),
                custody=by_entity[str(item["record_id"])] + by_entity[str(item["id"])],
            )
        )
    return result


async def conclude(conn: Connection, principal: Principal, case_id: uuid.UUID, data: ReviewDecision) -> Outcome:
    """Pass or return the case; only after this reviewer opened it in this round."""
    if (await workflow_sql.get_event(conn, id=data.event_id)) is None:
        review = await _under_review(conn, principal, case_id)
        opening = await reviews.latest_opening(conn, review_id=review["id"], reviewer_id=principal.user_id)
        check = ReviewCheck(reviewer_id=principal.user_id, failed=tuple(opening["failed"])) if opening else None
    else:
        check = None  # a retry: advance answers it from the stored step
    step = (
        PassReview(opinion=data.reasons) if data.outcome is ReviewOutcome.PASS else ReturnReview(reasons=data.reasons)
    )
    return await workflow.advance(conn, principal, case_id, data.event_id, step, review=check)
