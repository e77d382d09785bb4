"""Side effects of a procedure step, by (previous stage, next stage).

The machine decides whether a step may happen and what the state becomes;
this table says what else happens in the same transaction: the documents a
stage change issues (with their numbers written back into the state, and
their hashes into the step's record) and the legal-review rows the reviewer
queue reads.
"""

from __future__ import annotations

import uuid

from msgspec.structs import replace

from api.documents.issuing import CaseFile, issue
from api.tasks import notices
from mobile_contract.case_state import WorkflowState
from mobile_contract.documents import DocumentKind, DocumentRead
from mobile_contract.workflow import CaseStage as S
from mobile_contract.workflow import PassReview, ReturnReview, Step
from storage import reviews
from storage.db import Connection


async def on_transition(
    conn: Connection,
    *,
    case: CaseFile,
    before: WorkflowState,
    after: WorkflowState,
    step: Step,
    event_id: uuid.UUID,
    actor_id: uuid.UUID,
    issued: list[DocumentRead],
) -> WorkflowState:
    """Run the side effects of ``before`` → ``after``; returns the state to store, appends documents to ``issued``."""

    async def numbered(kind: DocumentKind) -> str:
        document = await issue(conn, case=case, kind=kind, state=after, event_id=event_id)
        issued.append(document)
        return document.number

    match (before.stage, after.stage):
        case (S.SUSPENDED, _) | (_, S.SUSPENDED):
            return after  # 中止 and 恢复 issue nothing; the step resumes where it stood
        case (S.REGISTERED, S.INVESTIGATING):
            return replace(after, filing_document_no=await numbered(DocumentKind.FILING_APPROVAL))
        case (S.INVESTIGATING, S.NOTIFIED):
            assert after.notice is not None
            return replace(after, notice=replace(after.notice, document_no=await numbered(DocumentKind.NOTICE)))
        case (_, S.DECIDED | S.NOT_PENALISED) if before.stage is not after.stage:
            assert after.decision is not None
            kind = DocumentKind.DECISION if after.stage is S.DECIDED else DocumentKind.NO_PENALTY_DECISION
            return replace(after, decision=replace(after.decision, document_no=await numbered(kind)))
        case (_, S.SERVED) if before.stage is not S.SERVED:
            assert after.service is not None
            number = await numbered(DocumentKind.SERVICE_RECEIPT)
            return replace(after, service=replace(after.service, document_no=number))
        case (S.INVESTIGATING | S.NOTIFIED | S.REVIEWED, S.LEGAL_REVIEW):
            await _open_review(conn, case, actor_id, after)
        case (S.LEGAL_REVIEW, S.REVIEWED | S.INVESTIGATING):
            await _close_review(conn, case.id, step, actor_id)
            if isinstance(step, ReturnReview):  # the officers learn it on their handhelds (pull)
                await notices.review_returned(
                    conn,
                    case_id=case.id,
                    case_title=case.content.title,
                    department_id=case.department_id,
                    officer_ids=[o.user_id for o in case.officers] + [case.created_by],
                    reasons=step.reasons,
                    event_id=event_id,
                    reviewer_id=actor_id,
                )
    return after


async def _open_review(conn: Connection, case: CaseFile, actor_id: uuid.UUID, after: WorkflowState) -> None:
    grounds = sorted(after.review.grounds)
    await reviews.open_review(
        conn, case_id=case.id, department_id=case.department_id, submitted_by=actor_id, grounds=grounds
    )


async def _close_review(conn: Connection, case_id: uuid.UUID, step: Step, actor_id: uuid.UUID) -> None:
    assert isinstance(step, PassReview | ReturnReview)
    outcome, reasons = ("passed", step.opinion) if isinstance(step, PassReview) else ("returned", step.reasons)
    await reviews.close_review(conn, case_id=case_id, outcome=outcome, decided_by=actor_id, reasons=reasons)
