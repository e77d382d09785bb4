"""核查结果反馈: the inspector's result on a task, and on the alert the task came from.

A result is a record filed against the task (its content names ``task_id``: the record reports
itself), a case opened, or nothing found (``POST /tasks/{id}/complete`` with a ``TaskReport``, or
the ``complete_task`` operation of a push). The task is done by it; an alert task's result is kept
on the alert too, streamed to the monitoring centre and, unless the operator writes their own,
used as the closing feedback. Sending the same report again changes nothing (a retry).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

from api.alerts import flows as alert_flows
from api.auth.principal import Principal
from api.idempotency import Outcome
from api.tasks.service import audit_change, own_task, read_tasks, to_read
from mobile_contract.problems import Conflict, FieldError, InvalidInput
from mobile_contract.records import RecordContent
from mobile_contract.task_results import TaskOutcome, TaskReport, TaskResult
from mobile_contract.tasks import TaskRead, TaskStatus
from storage import tasks, users, versioned
from storage.db import Connection
from storage.versioned import CASES, RECORDS

NEEDS = {TaskOutcome.RECORD_FILED: ("record_id", "记录"), TaskOutcome.CASE_OPENED: ("case_id", "案件")}


async def complete(
    conn: Connection, principal: Principal, task_id: uuid.UUID, report: TaskReport | None
) -> tuple[TaskRead, Outcome]:
    """Complete the caller's task, with a result or (no report) without one."""
    task = await own_task(conn, principal, task_id)
    if report is None:
        return await _done_without_result(conn, principal, task)
    await _require_target(conn, principal, report)
    if task.result is not None and _same(task.result, report):
        return task, Outcome.REPLAYED
    await _keep(conn, principal, task, await _result(conn, principal, report))
    return (await read_tasks(conn, [task_id], None))[0], Outcome.UPDATED


async def records_filed(conn: Connection, principal: Principal, filed: Mapping[uuid.UUID, RecordContent]) -> None:
    """Records just created that name a task of the department report on it, unless it has a result."""
    for record_id, content in filed.items():
        task_id = getattr(content, "task_id", None)
        row = await tasks.get(conn, id=task_id, department_id=principal.department_id) if task_id else None
        if row is None or row["result"] is not None:
            continue
        outcome = TaskOutcome.CASE_OPENED if content.case_id else TaskOutcome.RECORD_FILED
        report = TaskReport(outcome=outcome, record_id=record_id, case_id=content.case_id)
        await _keep(conn, principal, to_read(row), await _result(conn, principal, report))


async def _done_without_result(conn: Connection, principal: Principal, task: TaskRead) -> tuple[TaskRead, Outcome]:
    if task.status is not TaskStatus.OPEN:
        return task, Outcome.REPLAYED
    await tasks.set_status(conn, id=task.id, status=TaskStatus.DONE)
    await audit_change(conn, principal, task, "task.complete", detail={"status": TaskStatus.DONE.value})
    return (await read_tasks(conn, [task.id], None))[0], Outcome.UPDATED


async def _keep(conn: Connection, principal: Principal, task: TaskRead, result: TaskResult) -> None:
    await tasks.set_result(conn, id=task.id, result=result)
    await audit_change(conn, principal, task, "task.result", before={"result": task.result}, after={"result": result})
    if task.alert is not None:
        await alert_flows.report_result(conn, principal, task.alert.alert_id, result)


async def _result(conn: Connection, principal: Principal, report: TaskReport) -> TaskResult:
    me = await users.get_user(conn, id=principal.user_id)
    return TaskResult(
        outcome=report.outcome,
        record_id=report.record_id,
        case_id=report.case_id,
        note=report.note,
        reported_by=principal.user_id,
        reported_by_name=me["display_name"] if me else principal.username,
        reported_at=dt.datetime.now(dt.UTC),
    )


async def _require_target(conn: Connection, principal: Principal, report: TaskReport) -> None:
    """A record filed or a case opened must be named, and be one of the department's."""
    if report.outcome not in NEEDS:
        return
    field, entity = NEEDS[report.outcome]
    wanted = getattr(report, field)
    table = RECORDS if field == "record_id" else CASES
    if wanted is None:
        raise InvalidInput(
            f"反馈「{'已录入检查记录' if field == 'record_id' else '已立案'}」时须填写{entity}编号",
            f"{field} is required for outcome {report.outcome}",
            errors=[FieldError(field, f"请填写{entity}编号")],
        )
    if wanted not in await versioned.fetch_current(
        conn, table=table, ids=[wanted], department_id=principal.department_id
    ):
        raise Conflict(
            f"该{entity}尚未同步到服务器：请先同步该{entity}，成功后重新反馈（无需修改）；如果它不属于本单位，请改为本单位的{entity}",
            f"{field} {wanted} is not on the server yet (or not in this department): sync it, then retry",
            code="record-not-yet-synced" if field == "record_id" else "case-not-yet-synced",
            extra={field: str(wanted), "retryable": True},
        )


def _same(result: TaskResult, report: TaskReport) -> bool:
    return (result.outcome, result.record_id, result.case_id, result.note) == (
        report.outcome,
        report.record_id,
        report.case_id,
        report.note,
    )
