"""Reminders put on the inspectors' handhelds as tasks (提醒): a legal review sent back, a limit running out.

Both reach the handheld through the pull it already makes. A returned review (法制审核退回补充调查)
gives each officer of the case a task with the reviewer's reasons, once per return (the id comes
from the step's event). A time limit of the organ's (办案期限) that falls due within
``REMINDER_DAYS`` — or is overdue — gives each participant of the case a task, made when they pull
(one per limit and due date, so a moved date reminds again); a reminder whose limit has been met
or moved is withdrawn at the next pull.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

import asyncpg

from api.audit.trail import Actor
from api.auth.principal import Principal
from api.cases import clock
from api.cases.deadlines import SPECS
from api.tasks.service import Assignment, assign, read_tasks, withdraw
from mobile_contract.auth import Role
from mobile_contract.case_state import DeadlineRule
from mobile_contract.tasks import TaskSource
from storage import tasks
from storage.db import Connection

REMINDER_DAYS = 3
NOTICE_NAMESPACE = uuid.UUID("6f1b2c0e-5d0a-4c1e-9a57-0d6a1f2e7c31")


async def review_returned(
    conn: Connection,
    *,
    case_id: uuid.UUID,
    case_title: str,
    department_id: uuid.UUID,
    officer_ids: Iterable[uuid.UUID],
    reasons: str,
    event_id: uuid.UUID,
    reviewer_id: uuid.UUID,
) -> None:
    reviewer = Actor(user_id=reviewer_id, role=Role.LEGAL_REVIEWER.value)
    for officer_id in sorted(set(officer_ids)):
        work = Assignment(
            id=uuid.uuid5(NOTICE_NAMESPACE, f"review-returned/{event_id}/{officer_id}"),
            department_id=department_id,
            assignee_id=officer_id,
            source=TaskSource.REVIEW_RETURNED,
            title=f"法制审核退回补充调查：{case_title}"[:200],
            detail={"case_id": str(case_id), "case_title": case_title, "reasons": reasons},
        )
        await assign(conn, reviewer, work)


async def remind_deadlines(conn: Connection, principal: Principal) -> None:
    """Make the caller's reminders of limits due soon, and withdraw those no longer due."""
    today = clock.today()
    due = await tasks.organ_deadlines_due(
        conn,
        user_id=principal.user_id,
        department_id=principal.department_id,
        until=today + dt.timedelta(days=REMINDER_DAYS),
    )
    wanted = {_reminder_id(principal.user_id, row): row for row in due}
    made = await tasks.existing_ids(conn, ids=list(wanted))
    for task_id, row in wanted.items():
        if task_id not in made:
            await assign(conn, principal, _reminder(principal, task_id, row))
    stale = [
        id
        for id in await tasks.open_ids(conn, assignee_id=principal.user_id, source=TaskSource.DEADLINE)
        if id not in wanted
    ]
    for task in await read_tasks(conn, stale, None):
        await withdraw(conn, principal, task, "该期限已办结或已变更")


def _reminder_id(user_id: uuid.UUID, row: asyncpg.Record) -> uuid.UUID:
    key = f"deadline/{row['case_id']}/{row['rule']}/{row['subject']}/{row['due_on']}/{user_id}"
    return uuid.uuid5(NOTICE_NAMESPACE, key)


def _reminder(principal: Principal, task_id: uuid.UUID, row: asyncpg.Record) -> Assignment:
    spec = SPECS[DeadlineRule(row["rule"])]
    return Assignment(
        id=task_id,
        department_id=principal.department_id,
        assignee_id=principal.user_id,
        source=TaskSource.DEADLINE,
        title=f"期限提醒：{row['title']}，{spec.title}（{row['due_on']:%Y-%m-%d} 届满）"[:200],
        due_on=row["due_on"],
        detail={
            "case_id": str(row["case_id"]),
            "case_title": row["title"],
            "rule": row["rule"],
            "subject": row["subject"],
            "deadline": spec.title,
            "basis": spec.basis,
        },
    )
